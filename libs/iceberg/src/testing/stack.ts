/* Test helpers for the integration tests: the local stack's endpoints and a pyiceberg reader. */
import { stackEndpoints } from '@matih/stack';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { JdbcCatalog } from '../catalog/jdbc-catalog';

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
  const script = path.join(__dirname, 'pyiceberg_inspect.py');
  const args = [script, e.iceberg.sqlalchemyUri, e.iceberg.warehouse, catalogName ?? e.iceberg.catalogName, identifier, ...(filter ? [filter] : [])];
  return new Promise((resolve, reject) => {
    execFile(e.python, args, { maxBuffer: 512 * 1024 * 1024, timeout: 180_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`pyiceberg failed on ${identifier}: ${stderr.split('\n').slice(-20).join('\n')}`));
      else resolve(JSON.parse(stdout) as PyIcebergView);
    });
  });
}
