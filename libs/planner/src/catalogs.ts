import type { SinkCatalog } from '@matih/contracts';

type OmitName<T> = T extends unknown ? Omit<T, 'name'> : never;

/**
 * How the compiler reaches an Iceberg catalog named in a sink's `table: catalog.namespace.table`:
 * the plan contract's sink catalog without its name (the map's key). Iceberg's JDBC catalog (the
 * layout Iceberg Java, pyiceberg and `@matih/iceberg` share), or a REST catalog with files on S3.
 */
export type IcebergCatalogConfig = OmitName<SinkCatalog>;

export type CatalogMap = Record<string, IcebergCatalogConfig>;

/** The environment variable the local stack's catalog password is read from where a job runs. */
export const LOCAL_CATALOG_PASSWORD_ENV = 'MATIH_ICEBERG_JDBC_PASSWORD';

/**
 * The catalogs of the local stack (`npx matih stack up`): `matih` and the reference page's
 * `analytics`, both JDBC catalogs on the stack's PostgreSQL with its file warehouse. Iceberg keys
 * JDBC catalog rows by catalog name, so the two are separate catalogs in one database.
 */
export function localStackCatalogs(stackDir: string): CatalogMap {
  const config = (): IcebergCatalogConfig => ({
    type: 'jdbc',
    uri: 'jdbc:postgresql://127.0.0.1:15432/matih',
    warehouse: `file://${stackDir.replace(/\/+$/, '')}/iceberg/warehouse`,
    user: 'matih',
    password: { env: LOCAL_CATALOG_PASSWORD_ENV },
    properties: {},
  });
  return { matih: config(), analytics: config() };
}
