import type { MicrobatchPlan } from '@matih/contracts';
import { IcebergError, IcebergErrorCode, JdbcCatalog, Table, loadTable, type Catalog, type NestedField, type PartitionFieldInput, type PrimitiveType, type Transform } from '@matih/iceberg';

export type SinkPlanOf = MicrobatchPlan['sinks'][number];

/** Where the Iceberg catalogs live: the JDBC catalog layout on PostgreSQL and a warehouse root. */
export interface CatalogSettings {
  /** PostgreSQL connection string of the JDBC catalog */
  jdbcUrl: string;
  /** warehouse root for tables the executor creates, e.g. `file:///var/warehouse` */
  warehouse: string;
}

/** One JdbcCatalog per catalog name (the plan's `table.catalog`), sharing one PostgreSQL. */
export class Catalogs {
  private readonly catalogs = new Map<string, Promise<JdbcCatalog>>();

  constructor(private readonly settings: CatalogSettings) {}

  get(name: string): Promise<JdbcCatalog> {
    let c = this.catalogs.get(name);
    if (!c) {
      const catalog = new JdbcCatalog({ name, warehouse: this.settings.warehouse, pool: { connectionString: this.settings.jdbcUrl, max: 2 } });
      c = catalog.initialize().then(() => catalog);
      this.catalogs.set(name, c);
    }
    return c;
  }

  async close(): Promise<void> {
    const all = [...this.catalogs.values()];
    this.catalogs.clear();
    await Promise.all(all.map(async (c) => (await c.catch(() => undefined))?.close()));
  }
}

function icebergTransform(p: SinkPlanOf['partitionBy'][number]): Transform {
  if (p.transform === 'bucket' || p.transform === 'truncate') return `${p.transform}[${p.width ?? 0}]` as Transform;
  return p.transform;
}

/** The table a sink writes: loaded, or created from the sink's columns and partitioning when missing. */
export async function openSinkTable(catalog: Catalog, sink: SinkPlanOf): Promise<Table> {
  const ident = { namespace: sink.table.namespace, name: sink.table.name };
  if (!(await catalog.tableExists(ident))) {
    if (!(await catalog.namespaceExists(ident.namespace))) await catalog.createNamespace(ident.namespace);
    const fields: NestedField[] = sink.columns.map((c, i) => ({ id: i + 1, name: c.name, required: c.required, type: c.type as PrimitiveType }));
    const partitionBy: PartitionFieldInput[] = sink.partitionBy.map((p) => {
      const source = fields.find((f) => f.name === p.sourceColumn);
      if (!source) throw new Error(`sink ${sink.name}: partition source column ${p.sourceColumn} is not a column of the table`);
      return { sourceId: source.id, transform: icebergTransform(p), name: p.name };
    });
    try {
      await catalog.createTable(ident, { fields, partitionBy, properties: { 'matih.created-by': 'microbatch-executor' } });
    } catch (e) {
      // another instance created it first
      if (!(e instanceof IcebergError && e.code === IcebergErrorCode.TableAlreadyExists)) throw e;
    }
  }
  return loadTable(catalog, ident);
}
