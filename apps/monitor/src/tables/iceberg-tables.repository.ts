import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { committedOffsets } from '@matih/executor';
import { JdbcCatalog, currentSnapshot, openCatalog, type Catalog } from '@matih/iceberg';
import { Pool } from 'pg';
import { MONITOR_CONFIG, type MonitorConfig } from '../config';
import type { CatalogRef, SourceRef, TableRef } from '../deployments/plan-sources';

export interface TableObservation {
  readonly table: string;
  /** the newest snapshot's commit time (ms epoch); null for a table without snapshots (or not created yet) */
  readonly snapshotAt: number | null;
  readonly snapshotId: string | null;
  /** for each source: partition → next offset to read, as the snapshot summaries record it (exactly-once micro-batch) */
  readonly offsets: Map<string, Map<number, bigint>>;
}

/**
 * The PostgreSQL connection string of a plan's JDBC catalog, with the password read from the variable
 * the plan names; null when that variable is not set here.
 */
export function catalogConnectionString(catalog: CatalogRef, env: NodeJS.ProcessEnv = process.env): string | null {
  if (catalog.type !== 'jdbc') return null;
  const match = /^jdbc:postgresql:\/\/([^/\s]+)\/([^?\s]+)/.exec(catalog.uri);
  if (!match) return null;
  const password = catalog.password ? env[catalog.password.env] : '';
  if (password === undefined) return null;
  const auth = `${encodeURIComponent(catalog.user)}${password ? `:${encodeURIComponent(password)}` : ''}`;
  return `postgresql://${auth}@${match[1]}/${match[2]}`;
}

/**
 * Reads sink tables' snapshots from the Iceberg JDBC catalogs the plans name (read-only). When the
 * plan's password variable is not set in the monitor's environment, `MATIH_ICEBERG_JDBC_URL` is used.
 */
@Injectable()
export class IcebergTablesRepository implements OnModuleDestroy {
  private readonly pools = new Map<string, Pool>();
  private readonly catalogs = new Map<string, JdbcCatalog>();

  constructor(@Inject(MONITOR_CONFIG) private readonly config: MonitorConfig) {}

  async observe(table: TableRef, sources: readonly SourceRef[], partitions: (source: SourceRef) => Iterable<number>): Promise<TableObservation> {
    const name = `${table.catalog}.${[...table.namespace, table.name].join('.')}`;
    // a REST catalog is opened from the plan's settings (secrets from this environment); a JDBC one read directly
    const catalog: Catalog =
      table.connection.type === 'rest'
        ? await openCatalog(table.connection)
        : this.catalog(table.catalog, catalogConnectionString(table.connection) ?? this.config.MATIH_ICEBERG_JDBC_URL);
    const ident = { namespace: [...table.namespace], name: table.name };
    if (!(await catalog.tableExists(ident))) return { table: name, snapshotAt: null, snapshotId: null, offsets: new Map() };
    const { metadata } = await catalog.loadTable(ident);
    const snapshot = currentSnapshot(metadata);
    const offsets = new Map<string, Map<number, bigint>>();
    for (const source of sources) {
      const found = committedOffsets(metadata, source.group, source.topic, partitions(source));
      offsets.set(source.topic, new Map([...found].map(([p, o]) => [p, BigInt(o)])));
    }
    return {
      table: name,
      snapshotAt: snapshot ? Number(snapshot['timestamp-ms']) : null,
      snapshotId: snapshot ? String(snapshot['snapshot-id']) : null,
      offsets,
    };
  }

  async onModuleDestroy(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    this.catalogs.clear();
    await Promise.all(pools.map((p) => p.end()));
  }

  private catalog(name: string, connectionString: string): JdbcCatalog {
    const key = `${name}\u0000${connectionString}`;
    let catalog = this.catalogs.get(key);
    if (!catalog) {
      let pool = this.pools.get(connectionString);
      if (!pool) this.pools.set(connectionString, (pool = new Pool({ connectionString, max: 2 })));
      // the warehouse only matters for creating tables, which the monitor never does
      catalog = new JdbcCatalog({ name, warehouse: 'file:///unused', pool });
      this.catalogs.set(key, catalog);
    }
    return catalog;
  }
}
