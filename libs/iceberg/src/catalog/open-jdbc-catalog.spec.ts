import { openJdbcCatalog, parseJdbcPostgresUrl } from './open-jdbc-catalog';

describe('opening a plan\'s JDBC catalog', () => {
  it('reads host, port and database from a jdbc:postgresql URL', () => {
    expect(parseJdbcPostgresUrl('jdbc:postgresql://127.0.0.1:15432/matih')).toEqual({ host: '127.0.0.1', port: 15432, database: 'matih' });
    expect(parseJdbcPostgresUrl('jdbc:postgresql://db.internal/lake?sslmode=require')).toEqual({ host: 'db.internal', port: 5432, database: 'lake' });
    expect(() => parseJdbcPostgresUrl('postgresql://x/y')).toThrow('is not a jdbc:postgresql://host[:port]/database URL');
  });

  it('names the password variable when it is not set', async () => {
    const config = { name: 'lake', uri: 'jdbc:postgresql://127.0.0.1:1/x', warehouse: 'file:///w', user: 'u', password: { env: 'NO_SUCH_PASSWORD_VAR' } };
    await expect(openJdbcCatalog(config, {})).rejects.toThrow('the Iceberg catalog lake needs its password in the environment variable NO_SUCH_PASSWORD_VAR, which is not set');
  });
});
