/* Test helpers for the integration tests: the local stack's endpoints and a pyiceberg reader. */
import { pyicebergS3Properties, stackEndpoints } from '@matih/stack';
import { execFile } from 'node:child_process';
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

export interface PyIcebergView {
  rows: Record<string, unknown>[];
  arrow_types: Record<string, string>;
  schema: { id: number; name: string; type: string; required: boolean }[];
  planned_files: number;
  total_files: number;
  files: { path: string; record_count: number; partition: unknown[]; null_value_counts: Record<string, number>; value_counts: Record<string, number>; has_bounds: number[] }[];
  snapshots: { id: number; parent: number | null; sequence: number; summary: Record<string, string> | null }[];
  current_snapshot: number | null;
  spec: string;
}

/** What pyiceberg (an independent reader) sees of a table. */
export function pyiceberg(identifier: string, filter?: string, catalogName?: string): Promise<PyIcebergView> {
  const e = endpoints();
  return inspect([e.iceberg.sqlalchemyUri, e.iceberg.warehouse, catalogName ?? e.iceberg.catalogName], identifier, filter, 'pyiceberg', process.env);
}

/** Runs pyiceberg_inspect.py on a table of the catalog that `catalogArgs` (uri, warehouse, name) name. */
function inspect(catalogArgs: string[], identifier: string, filter: string | undefined, label: string, env: NodeJS.ProcessEnv): Promise<PyIcebergView> {
  const e = endpoints();
  const args = [path.join(__dirname, 'pyiceberg_inspect.py'), ...catalogArgs, identifier, ...(filter ? [filter] : [])];
  return new Promise((resolve, reject) => {
    execFile(e.python, args, { env, maxBuffer: 512 * 1024 * 1024, timeout: 180_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${label} failed on ${identifier}: ${stderr.split('\n').slice(-20).join('\n')}`));
      else resolve(JSON.parse(stdout) as PyIcebergView);
    });
  });
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
  const e = endpoints();
  const env = { ...process.env, PYICEBERG_PROPERTIES: JSON.stringify(pyicebergS3Properties(e)) };
  return inspect([e.restCatalog.uri, '', 'rest'], identifier, filter, 'pyiceberg (REST catalog)', env);
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
