import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stackEndpoints, toolDir, type StackEndpoints } from './layout';

export type IcebergRow = Record<string, unknown>;

function jdbcCatalogArgs(endpoints: StackEndpoints, catalog: string | undefined): string[] {
  return ['--uri', endpoints.iceberg.sqlalchemyUri, '--warehouse', endpoints.iceberg.warehouse, '--catalog', catalog ?? endpoints.iceberg.catalogName];
}

/** pyiceberg's FileIO properties for the stack's object store. */
export function pyicebergS3Properties(endpoints: StackEndpoints = stackEndpoints()): Record<string, string> {
  const s3 = endpoints.objectStore;
  return { 's3.endpoint': s3.endpoint, 's3.region': s3.region, 's3.access-key-id': s3.accessKeyId, 's3.secret-access-key': s3.secretAccessKey };
}

function restCatalogArgs(endpoints: StackEndpoints): string[] {
  const properties = Object.entries(pyicebergS3Properties(endpoints)).flatMap(([k, v]) => ['--property', `${k}=${v}`]);
  return ['--type', 'rest', '--uri', endpoints.restCatalog.uri, '--catalog', 'rest', ...properties];
}

/** Where the reader finds the table: the stack's JDBC catalog (`catalog`: its name, default `matih`; the stack also has `analytics`), or its REST catalog. */
export interface IcebergReaderOptions {
  catalog?: string;
  rest?: boolean;
}

/** Runs python/read_iceberg.py in the stack's venv (pyiceberg, independent of Flink and of our writer) and returns what it prints. */
function runReader(identifier: string, filter: string | undefined, options: IcebergReaderOptions, extra: string[]): Promise<string> {
  const endpoints = stackEndpoints();
  const python = endpoints.python;
  if (!fs.existsSync(python)) return Promise.reject(new Error(`no stack venv python at ${python}: run \`matih stack up\` first`));
  const script = path.join(toolDir(), 'python', 'read_iceberg.py');
  const args = [script, identifier, ...(filter ? [filter] : []), ...extra, ...(options.rest ? restCatalogArgs(endpoints) : jdbcCatalogArgs(endpoints, options.catalog))];
  return new Promise((resolve, reject) => {
    execFile(python, args, { maxBuffer: 512 * 1024 * 1024, timeout: 180_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`read_iceberg.py ${identifier} failed: ${error.message}\n${stderr.trim().split('\n').slice(-15).join('\n')}`));
      else resolve(stdout);
    });
  });
}

/**
 * Reads an Iceberg table of the stack's catalog independently of Flink (pyiceberg) and returns its rows.
 * @param identifier `namespace.table`
 * @param filter a pyiceberg row filter, e.g. `id > 10`
 */
export async function readIcebergTable(identifier: string, filter?: string, options: IcebergReaderOptions = {}): Promise<IcebergRow[]> {
  const stdout = await runReader(identifier, filter, options, []);
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as IcebergRow);
}

/** What pyiceberg sees of a table: its rows, schema, files (planned for `filter`, and all), snapshots. */
export interface IcebergInspection {
  rows: IcebergRow[];
  arrow_types: Record<string, string>;
  schema: { id: number; name: string; type: string; required: boolean }[];
  planned_files: number;
  total_files: number;
  files: { path: string; record_count: number; partition: unknown[]; null_value_counts: Record<string, number>; value_counts: Record<string, number>; has_bounds: number[] }[];
  snapshots: { id: number; parent: number | null; sequence: number; summary: Record<string, string> | null }[];
  current_snapshot: number | null;
  spec: string;
}

export async function inspectIcebergTable(identifier: string, filter?: string, options: IcebergReaderOptions = {}): Promise<IcebergInspection> {
  return JSON.parse(await runReader(identifier, filter, options, ['--inspect'])) as IcebergInspection;
}
