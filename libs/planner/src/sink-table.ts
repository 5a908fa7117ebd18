import type { SinkPlan } from '@matih/contracts';
import { IcebergError, IcebergErrorCode, currentSchema, isPrimitive, loadTable, type Catalog, type NestedField, type PrimitiveType, type Table, type Transform } from '@matih/iceberg';
import { icebergTableSpec } from './iceberg-types';

/** Whether a column of Iceberg type `table` can hold values the plan writes as `plan` (same type, or a widening). */
function holds(table: string, plan: string): boolean {
  if (table === plan) return true;
  if ((plan === 'int' && table === 'long') || (plan === 'float' && table === 'double')) return true;
  const decimal = (t: string) => /^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(t);
  const [p, t] = [decimal(plan), decimal(table)];
  return !!p && !!t && p[2] === t[2] && Number(t[1]) >= Number(p[1]);
}

/** What keeps the sink from writing an existing table: missing or narrower columns, required columns it does not write. */
export function sinkTableMismatches(sink: Pick<SinkPlan, 'columns'>, fields: readonly NestedField[]): string[] {
  const problems: string[] = [];
  const byName = new Map(fields.map((f) => [f.name, f]));
  for (const column of sink.columns) {
    const field = byName.get(column.name);
    if (!field) problems.push(`it has no column \`${column.name}\``);
    else if (!isPrimitive(field.type) || !holds(field.type, column.type)) {
      problems.push(`its column \`${column.name}\` is ${isPrimitive(field.type) ? field.type : field.type.type}, the pipeline writes ${column.type}`);
    }
  }
  const written = new Set(sink.columns.map((c) => c.name));
  for (const field of fields) if (field.required && !written.has(field.name)) problems.push(`its required column \`${field.name}\` is not written by the pipeline`);
  return problems;
}

/**
 * Makes sure the table a sink writes exists in its catalog (opened with `openCatalog`): creates
 * the namespace and the table, with the sink's columns (field ids 1…n) and full partition spec
 * (hidden transforms included, which Flink's DDL cannot express), when missing; checks an existing
 * table can take the sink's columns. Both engines call it before they write. Returns the table.
 */
export async function ensureSinkTable(catalog: Catalog, sink: SinkPlan, properties: Record<string, string> = {}): Promise<Table> {
  const ident = { namespace: sink.table.namespace, name: sink.table.name };
  const qualified = [sink.table.catalog, ...sink.table.namespace, sink.table.name].join('.');
  if (!(await catalog.tableExists(ident))) {
    if (!(await catalog.namespaceExists(ident.namespace))) await catalog.createNamespace(ident.namespace);
    const spec = icebergTableSpec(sink);
    try {
      await catalog.createTable(ident, {
        fields: spec.fields.map((f) => ({ ...f, type: f.type as PrimitiveType })),
        partitionBy: spec.partitionBy.map((p) => ({ ...p, transform: p.transform as Transform })),
        properties,
      });
      return await loadTable(catalog, ident);
    } catch (error) {
      // another engine or instance created it first: check it like any existing table
      if (!(error instanceof IcebergError && error.code === IcebergErrorCode.TableAlreadyExists)) throw error;
    }
  }
  const table = await loadTable(catalog, ident);
  const problems = sinkTableMismatches(sink, currentSchema(table.metadata).fields);
  if (problems.length > 0) {
    throw new Error(`sink ${sink.name} cannot write the existing Iceberg table ${qualified}: ${problems.join('; ')} — write to another table, or change the transform's columns to match`);
  }
  return table;
}
