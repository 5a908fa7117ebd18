/* Test helpers for the integration tests: the local stack's endpoints and a pyiceberg reader. */
import { inspectIcebergTable, stackEndpoints, type IcebergInspection } from '@matih/stack';
import { randomUUID } from 'node:crypto';
import type { Catalog } from '../catalog/catalog';
import { JdbcCatalog } from '../catalog/jdbc-catalog';
import { RestCatalog } from '../catalog/rest-catalog';
import { S3FileIO } from '../io/s3-file-io';
import type { PartitionFieldInput } from '../metadata';
import { Table, loadTable } from '../table';

export const endpoints = () => stackEndpoints();

export function stackCatalog(name?: string): JdbcCatalog {
  const e = endpoints();
  return new JdbcCatalog({
    name: name ?? e.iceberg.catalogName,
    warehouse: e.iceberg.warehouse,
    pool: { connectionString: e.postgres.url, max: 4 },
  });
}

export type PyIcebergView = IcebergInspection;

/** What pyiceberg (an independent reader) sees of a table of the stack's JDBC catalog. */
export function pyiceberg(identifier: string, filter?: string, catalogName?: string): Promise<PyIcebergView> {
  return inspectIcebergTable(identifier, filter, { catalog: catalogName ?? endpoints().iceberg.catalogName });
}

/** The stack's REST catalog (tables on the object store), through this library's RestCatalog and S3FileIO. */
export async function stackRestCatalog(name = 'rest'): Promise<RestCatalog> {
  const e = endpoints();
  const s3 = e.objectStore;
  const catalog = new RestCatalog({
    name,
    uri: e.restCatalog.uri,
    io: new S3FileIO({ endpoint: s3.endpoint, region: s3.region, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey }),
  });
  await catalog.initialize();
  return catalog;
}

/** What pyiceberg sees of a table of the stack's REST catalog (files read from the object store). */
export function pyicebergRest(identifier: string, filter?: string): Promise<PyIcebergView> {
  return inspectIcebergTable(identifier, filter, { rest: true });
}

/**
 * The locations of the files that start with `prefix` (`…/data/` for a folder), wherever the
 * catalog keeps them.
 */
export async function filesUnder(catalog: Catalog, prefix: string): Promise<string[]> {
  const folder = prefix.slice(0, prefix.lastIndexOf('/'));
  return (await catalog.io.list(folder)).map((f) => f.location).filter((l) => l.startsWith(prefix));
}

/** The stack's catalogs: the JDBC catalog (tables on the local file system) and the REST catalog (tables on S3). */
export type StackCatalogKind = 'jdbc' | 'rest';

/** The stack's catalog of that kind, initialized. */
export async function openStackCatalog(kind: StackCatalogKind): Promise<JdbcCatalog | RestCatalog> {
  if (kind === 'rest') return stackRestCatalog();
  const catalog = stackCatalog();
  await catalog.initialize();
  return catalog;
}

/** Each of the stack's catalogs with the pyiceberg reader of its tables. */
export const STACK_CATALOGS: { kind: StackCatalogKind; read: (identifier: string) => Promise<PyIcebergView> }[] = [
  { kind: 'jdbc', read: (identifier) => pyiceberg(identifier) },
  { kind: 'rest', read: (identifier) => pyicebergRest(identifier) },
];

/** The `id` column of what pyiceberg read, sorted. */
export const idsRead = (view: PyIcebergView): number[] => view.rows.map((r) => Number(r['id'])).sort((a, b) => a - b);

/**
 * A namespace of its own in the stack's catalog of that kind, for the tests of one describe block
 * (the catalog opens before them and closes after): tables of one required `id` long column.
 */
export function stackNamespace(kind: StackCatalogKind, prefix: string): { ns: string; catalog: () => JdbcCatalog | RestCatalog; newTable: (name: string, partitionBy?: PartitionFieldInput[]) => Promise<Table> } {
  const ns = `${prefix}_${kind}_${randomUUID().slice(0, 8)}`;
  let catalog: JdbcCatalog | RestCatalog;
  beforeAll(async () => {
    catalog = await openStackCatalog(kind);
    await catalog.createNamespace([ns]);
  });
  afterAll(() => catalog.close());
  return {
    ns,
    catalog: () => catalog,
    newTable: async (name, partitionBy) => {
      const ident = { namespace: [ns], name };
      await catalog.createTable(ident, { fields: [{ id: 1, name: 'id', required: true, type: 'long' }], ...(partitionBy ? { partitionBy } : {}) });
      return loadTable(catalog, ident);
    },
  };
}
