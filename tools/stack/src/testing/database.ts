import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { stackEndpoints } from '../layout';

export interface TestDatabase {
  /** postgres:// URL of the new database */
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

async function onAdmin(statement: string): Promise<void> {
  const client = new Client({ connectionString: stackEndpoints().postgres.url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** A fresh, empty database on the local stack's PostgreSQL, for one test or benchmark; `drop()` removes it. */
export async function createTestDatabase(prefix = 'test'): Promise<TestDatabase> {
  const name = `${prefix.replace(/[^a-z0-9_]/g, '_')}_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  await onAdmin(`CREATE DATABASE ${name}`);
  const url = new URL(stackEndpoints().postgres.url);
  url.pathname = `/${name}`;
  return { url: url.toString(), name, drop: () => onAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
