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

/**
 * Reads an Iceberg table of the stack's catalog independently of Flink (pyiceberg's SqlCatalog
 * through python/read_iceberg.py in the stack's venv) and returns its rows.
 * @param identifier `namespace.table`
 * @param filter a pyiceberg row filter, e.g. `id > 10`
 * @param options.catalog the JDBC catalog's name (default: the stack's `matih`; the stack also has `analytics`)
 * @param options.rest read through the stack's REST catalog (tables on the object store) instead
 */
export function readIcebergTable(identifier: string, filter?: string, options: { catalog?: string; rest?: boolean } = {}): Promise<IcebergRow[]> {
  const endpoints = stackEndpoints();
  const python = endpoints.python;
  if (!fs.existsSync(python)) return Promise.reject(new Error(`no stack venv python at ${python}: run \`matih stack up\` first`));
  const script = path.join(toolDir(), 'python', 'read_iceberg.py');
  const args = [script, identifier, ...(filter ? [filter] : []), ...(options.rest ? restCatalogArgs(endpoints) : jdbcCatalogArgs(endpoints, options.catalog))];
  return new Promise((resolve, reject) => {
    execFile(python, args, { maxBuffer: 256 * 1024 * 1024, timeout: 120_000 }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`read_iceberg.py ${identifier} failed: ${error.message}\n${stderr.trim().split('\n').slice(-15).join('\n')}`));
        return;
      }
      resolve(
        stdout
          .split('\n')
          .filter((line) => line.trim() !== '')
          .map((line) => JSON.parse(line) as IcebergRow),
      );
    });
  });
}
