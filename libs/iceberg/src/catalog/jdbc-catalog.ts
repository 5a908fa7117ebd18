import { Pool, PoolConfig } from 'pg';
import { CommitConflictError, CommitStateUnknownError, IcebergError, IcebergErrorCode } from '../errors';
import { FileIO, LocalFileIO } from '../io/file-io';
import {
  CreateTableOptions,
  MetadataUpdate,
  RequirementFailed,
  TableRequirement,
  applyUpdates,
  checkRequirements,
  newMetadataLocation,
  newTableMetadata,
  parseTableMetadata,
  serializeTableMetadata,
} from '../metadata';
import { TableIdentifier } from '../types';
import { Catalog, LoadedTable, identToString } from './catalog';

export interface JdbcCatalogOptions {
  /** Catalog name: the `catalog_name` column, shared with Flink/Java/pyiceberg catalogs of the same name. */
  name: string;
  /** Warehouse root for new tables, e.g. `file:/var/warehouse` or `s3://bucket/warehouse`. */
  warehouse: string;
  /** A pg Pool or its config (connection string, host…). */
  pool: Pool | PoolConfig;
  io?: FileIO;
}

/**
 * Iceberg's JDBC catalog layout on PostgreSQL, shared by Java's JdbcCatalog (schema V0 and V1) and
 * pyiceberg's SqlCatalog: `iceberg_tables` holds each table's current metadata file, and a commit is a
 * compare-and-swap UPDATE on `metadata_location`.
 */
export class JdbcCatalog implements Catalog {
  readonly name: string;
  readonly io: FileIO;
  private readonly pool: Pool;
  private readonly ownsPool: boolean;
  private readonly warehouse: string;
  private hasTypeColumn: boolean | undefined;

  constructor(opts: JdbcCatalogOptions) {
    this.name = opts.name;
    this.warehouse = opts.warehouse.replace(/\/+$/, '');
    this.io = opts.io ?? new LocalFileIO();
    this.ownsPool = !(opts.pool instanceof Pool);
    this.pool = opts.pool instanceof Pool ? opts.pool : new Pool(opts.pool);
  }

  /** Creates the two tables if missing, in the form both Java (V1, nullable iceberg_type) and pyiceberg accept. */
  async initialize(): Promise<void> {
    await this.pool.query(`CREATE TABLE IF NOT EXISTS iceberg_tables (
      catalog_name VARCHAR(255) NOT NULL,
      table_namespace VARCHAR(255) NOT NULL,
      table_name VARCHAR(255) NOT NULL,
      metadata_location VARCHAR(1000),
      previous_metadata_location VARCHAR(1000),
      iceberg_type VARCHAR(5),
      PRIMARY KEY (catalog_name, table_namespace, table_name))`);
    await this.pool.query(`CREATE TABLE IF NOT EXISTS iceberg_namespace_properties (
      catalog_name VARCHAR(255) NOT NULL,
      namespace VARCHAR(255) NOT NULL,
      property_key VARCHAR(255) NOT NULL,
      property_value VARCHAR(1000),
      PRIMARY KEY (catalog_name, namespace, property_key))`);
    await this.typeColumn();
  }

  private async typeColumn(): Promise<boolean> {
    if (this.hasTypeColumn === undefined) {
      const r = await this.pool.query(
        `SELECT 1 FROM information_schema.columns WHERE table_name = 'iceberg_tables' AND column_name = 'iceberg_type' AND table_schema = current_schema()`,
      );
      this.hasTypeColumn = (r.rowCount ?? 0) > 0;
    }
    return this.hasTypeColumn;
  }

  private async tableFilter(): Promise<string> {
    return (await this.typeColumn()) ? ` AND (iceberg_type = 'TABLE' OR iceberg_type IS NULL)` : '';
  }

  async createNamespace(namespace: string[], properties: Record<string, string> = {}): Promise<void> {
    const props = { exists: 'true', ...properties };
    for (const [k, v] of Object.entries(props)) {
      await this.pool.query(
        `INSERT INTO iceberg_namespace_properties (catalog_name, namespace, property_key, property_value) VALUES ($1, $2, $3, $4)
         ON CONFLICT (catalog_name, namespace, property_key) DO NOTHING`,
        [this.name, namespace.join('.'), k, v],
      );
    }
  }

  async namespaceExists(namespace: string[]): Promise<boolean> {
    const ns = namespace.join('.');
    const r = await this.pool.query(
      `SELECT 1 FROM iceberg_namespace_properties WHERE catalog_name = $1 AND (namespace = $2 OR namespace LIKE $3)
       UNION ALL SELECT 1 FROM iceberg_tables WHERE catalog_name = $1 AND (table_namespace = $2 OR table_namespace LIKE $3) LIMIT 1`,
      [this.name, ns, `${ns.replace(/[\\%_]/g, '\\$&')}.%`],
    );
    return (r.rowCount ?? 0) > 0;
  }

  async listTables(namespace: string[]): Promise<TableIdentifier[]> {
    const r = await this.pool.query<{ table_name: string }>(
      `SELECT table_name FROM iceberg_tables WHERE catalog_name = $1 AND table_namespace = $2${await this.tableFilter()} ORDER BY table_name`,
      [this.name, namespace.join('.')],
    );
    return r.rows.map((x) => ({ namespace, name: x.table_name }));
  }

  private async currentLocation(ident: TableIdentifier): Promise<string | undefined> {
    const r = await this.pool.query<{ metadata_location: string }>(
      `SELECT metadata_location FROM iceberg_tables WHERE catalog_name = $1 AND table_namespace = $2 AND table_name = $3${await this.tableFilter()}`,
      [this.name, ident.namespace.join('.'), ident.name],
    );
    return r.rows[0]?.metadata_location;
  }

  async tableExists(ident: TableIdentifier): Promise<boolean> {
    return (await this.currentLocation(ident)) !== undefined;
  }

  async loadTable(ident: TableIdentifier): Promise<LoadedTable> {
    const loc = await this.currentLocation(ident);
    if (!loc) throw new IcebergError(IcebergErrorCode.TableNotFound, `table ${identToString(ident)} does not exist in catalog ${this.name}`);
    const metadata = parseTableMetadata((await this.io.read(loc)).toString('utf8'));
    return { metadata, metadataLocation: loc };
  }

  /** Default location as Java's JdbcCatalog makes it: `<warehouse>/<ns levels>/<table>`. */
  defaultLocation(ident: TableIdentifier): string {
    return [this.warehouse, ...ident.namespace, ident.name].join('/');
  }

  async createTable(ident: TableIdentifier, opts: CreateTableOptions): Promise<LoadedTable> {
    if (!(await this.namespaceExists(ident.namespace))) {
      throw new IcebergError(IcebergErrorCode.NamespaceNotFound, `namespace ${ident.namespace.join('.')} does not exist; create it first`);
    }
    const metadata = newTableMetadata(opts.location ?? this.defaultLocation(ident), opts);
    const metadataLocation = newMetadataLocation(metadata.location);
    await this.io.write(metadataLocation, Buffer.from(serializeTableMetadata(metadata)), { exclusive: true });
    const typed = await this.typeColumn();
    try {
      await this.pool.query(
        `INSERT INTO iceberg_tables (catalog_name, table_namespace, table_name, metadata_location, previous_metadata_location${typed ? ', iceberg_type' : ''})
         VALUES ($1, $2, $3, $4, NULL${typed ? ", 'TABLE'" : ''})`,
        [this.name, ident.namespace.join('.'), ident.name, metadataLocation],
      );
    } catch (e) {
      await this.io.delete(metadataLocation);
      if ((e as { code?: string }).code === '23505') {
        throw new IcebergError(IcebergErrorCode.TableAlreadyExists, `table ${identToString(ident)} already exists`);
      }
      throw e;
    }
    return { metadata, metadataLocation };
  }

  /** Removes the table from the catalog (its files are left in place, as Java's dropTable without purge). */
  async dropTable(ident: TableIdentifier): Promise<void> {
    await this.pool.query(`DELETE FROM iceberg_tables WHERE catalog_name = $1 AND table_namespace = $2 AND table_name = $3`, [
      this.name,
      ident.namespace.join('.'),
      ident.name,
    ]);
  }

  async commitTable(ident: TableIdentifier, base: LoadedTable, requirements: TableRequirement[], updates: MetadataUpdate[]): Promise<LoadedTable> {
    try {
      checkRequirements(base.metadata, requirements);
    } catch (e) {
      if (e instanceof RequirementFailed) throw new CommitConflictError(e.message);
      throw e;
    }
    let metadata;
    try {
      metadata = applyUpdates(base.metadata, updates, base.metadataLocation);
    } catch (e) {
      if (e instanceof RequirementFailed) throw new CommitConflictError(e.message);
      throw e;
    }
    const metadataLocation = newMetadataLocation(metadata.location, base.metadataLocation);
    await this.io.write(metadataLocation, Buffer.from(serializeTableMetadata(metadata)), { exclusive: true });
    let updated: number;
    try {
      const r = await this.pool.query(
        `UPDATE iceberg_tables SET metadata_location = $1, previous_metadata_location = $2
         WHERE catalog_name = $3 AND table_namespace = $4 AND table_name = $5 AND metadata_location = $2${await this.tableFilter()}`,
        [metadataLocation, base.metadataLocation, this.name, ident.namespace.join('.'), ident.name],
      );
      updated = r.rowCount ?? 0;
    } catch (e) {
      // The UPDATE may or may not have run: look at the row to find out.
      const now = await this.currentLocation(ident).catch(() => undefined);
      if (now === metadataLocation) return { metadata, metadataLocation };
      if (now !== undefined) {
        await this.io.delete(metadataLocation);
        throw new CommitConflictError(`commit of ${identToString(ident)} failed (${(e as Error).message}); table is at ${now}`);
      }
      throw new CommitStateUnknownError(`commit of ${identToString(ident)}: ${(e as Error).message}`, e);
    }
    if (updated !== 1) {
      await this.io.delete(metadataLocation);
      throw new CommitConflictError(`table ${identToString(ident)} was changed by another commit since ${base.metadataLocation}`);
    }
    if (metadata.properties['write.metadata.delete-after-commit.enabled'] === 'true') {
      // Java's behaviour: metadata files that fell out of the metadata log go (best effort)
      const logged = new Set(metadata['metadata-log'].map((e) => e['metadata-file']));
      const dropped = [...base.metadata['metadata-log'].map((e) => e['metadata-file']), base.metadataLocation].filter((f) => !logged.has(f));
      await Promise.all(dropped.map((f) => this.io.delete(f).catch(() => undefined)));
    }
    return { metadata, metadataLocation };
  }

  async close(): Promise<void> {
    if (this.ownsPool) await this.pool.end();
  }
}
