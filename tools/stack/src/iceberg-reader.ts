import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stackEndpoints, toolDir } from './layout';

export type IcebergRow = Record<string, unknown>;

/**
 * Reads an Iceberg table of the stack's catalog independently of Flink (pyiceberg's SqlCatalog
 * through python/read_iceberg.py in the stack's venv) and returns its rows.
 * @param identifier `namespace.table`
 * @param filter a pyiceberg row filter, e.g. `id > 10`
 * @param options.catalog the JDBC catalog's name (default: the stack's `matih`; the stack also has `analytics`)
 */
export function readIcebergTable(identifier: string, filter?: string, options: { catalog?: string } = {}): Promise<IcebergRow[]> {
  const endpoints = stackEndpoints();
  const python = endpoints.python;
  if (!fs.existsSync(python)) return Promise.reject(new Error(`no stack venv python at ${python}: run \`matih stack up\` first`));
  const script = path.join(toolDir(), 'python', 'read_iceberg.py');
  const args = [script, identifier, ...(filter ? [filter] : []), '--uri', endpoints.iceberg.sqlalchemyUri, '--warehouse', endpoints.iceberg.warehouse, '--catalog', options.catalog ?? endpoints.iceberg.catalogName];
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
