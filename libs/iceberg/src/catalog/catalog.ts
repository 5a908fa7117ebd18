import { FileIO } from '../io/file-io';
import { CreateTableOptions, MetadataUpdate, TableRequirement } from '../metadata';
import { TableIdentifier, TableMetadata } from '../types';

export interface LoadedTable {
  metadata: TableMetadata;
  metadataLocation: string;
}

/** What a catalog offers the table: the JDBC layout and the REST protocol both implement it. */
export interface Catalog {
  readonly name: string;
  readonly io: FileIO;
  createNamespace(namespace: string[], properties?: Record<string, string>): Promise<void>;
  namespaceExists(namespace: string[]): Promise<boolean>;
  listTables(namespace: string[]): Promise<TableIdentifier[]>;
  createTable(ident: TableIdentifier, opts: CreateTableOptions): Promise<LoadedTable>;
  loadTable(ident: TableIdentifier): Promise<LoadedTable>;
  tableExists(ident: TableIdentifier): Promise<boolean>;
  dropTable(ident: TableIdentifier): Promise<void>;
  /**
   * Atomically replaces the table's metadata with `updates` applied to `base`, if `requirements` still
   * hold on the catalog's current metadata. Throws CommitConflictError when the table moved on, and
   * CommitStateUnknownError when the outcome cannot be known.
   */
  commitTable(ident: TableIdentifier, base: LoadedTable, requirements: TableRequirement[], updates: MetadataUpdate[]): Promise<LoadedTable>;
  close(): Promise<void>;
}

export function identToString(ident: TableIdentifier): string {
  return [...ident.namespace, ident.name].join('.');
}

/** `"db.events"` or `["db", "events"]` → identifier; the last part is the table name. */
export function parseIdent(ident: string | string[] | TableIdentifier): TableIdentifier {
  if (typeof ident === 'object' && !Array.isArray(ident)) return ident;
  const parts = Array.isArray(ident) ? ident : ident.split('.');
  if (parts.length < 2) throw new Error(`table identifier ${String(ident)} needs a namespace`);
  return { namespace: parts.slice(0, -1), name: parts[parts.length - 1]! };
}
