import { Catalog } from './catalog';
import { JdbcCatalog } from './jdbc-catalog';
import { openRestCatalog, type RestCatalogConnection } from './open-rest-catalog';

/** Where a JDBC catalog lives: the shape of an execution plan's sink catalog (`SinkPlan['catalog']`). */
export interface JdbcCatalogConnection {
  type?: 'jdbc';
  /** `catalog_name` in the catalog tables */
  name: string;
  /** jdbc:postgresql://host[:port]/database[?…] */
  uri: string;
  warehouse: string;
  user: string;
  /** the database password, by the environment variable that holds it */
  password: { env: string } | null;
}

const open = new Map<string, Promise<JdbcCatalog>>();

/** host, port and database of a `jdbc:postgresql://` URL. */
export function parseJdbcPostgresUrl(uri: string): { host: string; port: number; database: string } {
  const m = /^jdbc:postgresql:\/\/([^/:?\s]+|\[[^\]]+\])(?::(\d+))?\/([^?\s]+)/.exec(uri);
  if (!m) throw new Error(`the catalog URI ${uri} is not a jdbc:postgresql://host[:port]/database URL`);
  return { host: (m[1] as string).replace(/^\[|\]$/g, ''), port: m[2] ? Number(m[2]) : 5432, database: decodeURIComponent(m[3] as string) };
}

/**
 * The JDBC catalog a plan names, connected with the password from `env` and initialized; one per
 * process for each catalog and connection (callers share it: do not close it). Its pool lets the
 * process exit while idle.
 */
export function openJdbcCatalog(config: JdbcCatalogConnection, env: Readonly<Record<string, string | undefined>> = process.env): Promise<JdbcCatalog> {
  const password = config.password ? env[config.password.env] : undefined;
  if (config.password && (password === undefined || password === '')) {
    return Promise.reject(new Error(`the Iceberg catalog ${config.name} needs its password in the environment variable ${config.password.env}, which is not set`));
  }
  let target: ReturnType<typeof parseJdbcPostgresUrl>;
  try {
    target = parseJdbcPostgresUrl(config.uri);
  } catch (error) {
    return Promise.reject(error);
  }
  const key = JSON.stringify([config.name, config.uri, config.warehouse, config.user, password ?? null]);
  let catalog = open.get(key);
  if (!catalog) {
    const c = new JdbcCatalog({
      name: config.name,
      warehouse: config.warehouse,
      pool: { ...target, user: config.user, ...(password !== undefined ? { password } : {}), max: 4, idleTimeoutMillis: 10_000, allowExitOnIdle: true },
    });
    catalog = c.initialize().then(() => c);
    catalog.catch(() => open.delete(key));
    open.set(key, catalog);
  }
  return catalog;
}

/** A plan's sink catalog: Iceberg's JDBC catalog, or a REST catalog with its files on S3. */
export type CatalogConnection = JdbcCatalogConnection | RestCatalogConnection;

/** The catalog a plan's sink names, opened with the secrets from `env` (shared per process: do not close it). */
export function openCatalog(config: CatalogConnection, env: Readonly<Record<string, string | undefined>> = process.env): Promise<Catalog> {
  return config.type === 'rest' ? openRestCatalog(config, env) : openJdbcCatalog(config, env);
}
