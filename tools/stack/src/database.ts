import { Client } from 'pg';
import { stackEndpoints } from './layout';

/**
 * A component's own database on the stack's PostgreSQL, created when missing; dropped and made anew
 * when `reset`. Through the stack's superuser role over TCP.
 */
export async function ensureDatabase(database: string, reset = false): Promise<void> {
  const pg = stackEndpoints().postgres;
  const client = new Client({ host: pg.host, port: pg.port, user: pg.user, password: pg.password, database: pg.database });
  await client.connect();
  try {
    if (reset) await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${database}" OWNER "${pg.user}"`);
  } finally {
    await client.end();
  }
}
