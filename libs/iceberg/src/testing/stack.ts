/* Test helpers for the integration tests: the local stack's endpoints and a pyiceberg reader. */
import { inspectIcebergTable, stackEndpoints, type IcebergInspection } from '@matih/stack';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import type { Catalog } from '../catalog/catalog';
import { JdbcCatalog } from '../catalog/jdbc-catalog';
import { RestCatalog } from '../catalog/rest-catalog';
import { S3FileIO, parseS3Location } from '../io/s3-file-io';

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
 * The files whose location starts with `prefix` (`…/data/` for a folder), wherever the catalog keeps
 * them: paths on the local file system, object keys on the object store.
 */
export async function filesUnder(catalog: Catalog, prefix: string): Promise<string[]> {
  const local = catalog.io.localPath(prefix);
  if (local === undefined) {
    const { bucket, key } = parseS3Location(prefix);
    const res = await (catalog.io as S3FileIO).client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key }));
    return (res.Contents ?? []).map((o) => o.Key!);
  }
  const dir = prefix.endsWith('/') ? local : path.dirname(local);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => path.join(dir, f))
    .filter((f) => f.startsWith(local));
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
