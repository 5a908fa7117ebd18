import { IcebergType, NestedField, PrimitiveType, isPrimitive, primitiveInfo } from '../types';

export const q = (ident: string): string => `"${ident.replace(/"/g, '""')}"`;
export const lit = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** DuckDB type that Parquet-encodes as the Iceberg type requires. */
export function duckType(t: IcebergType): string {
  if (isPrimitive(t)) {
    const info = primitiveInfo(t);
    switch (info.kind) {
      case 'boolean':
        return 'BOOLEAN';
      case 'int':
        return 'INTEGER';
      case 'long':
        return 'BIGINT';
      case 'float':
        return 'FLOAT';
      case 'double':
        return 'DOUBLE';
      case 'date':
        return 'DATE';
      case 'time':
        return 'TIME';
      case 'timestamp':
        return 'TIMESTAMP';
      case 'timestamptz':
        return 'TIMESTAMPTZ';
      case 'string':
        return 'VARCHAR';
      case 'uuid':
        return 'UUID';
      case 'binary':
      case 'fixed':
        return 'BLOB';
      case 'decimal':
        return `DECIMAL(${info.precision},${info.scale})`;
      default:
        throw new Error(`type ${t} is not supported by format v2 writers`);
    }
  }
  if (t.type === 'struct') return `STRUCT(${t.fields.map((f) => `${q(f.name)} ${duckType(f.type)}`).join(', ')})`;
  if (t.type === 'list') return `${duckType(t.element)}[]`;
  return `MAP(${duckType(t.key)}, ${duckType(t.value)})`;
}

/** DuckDB's COPY … (FIELD_IDS {…}) value for a list of fields, nested ids included. */
export function fieldIdsClause(fields: NestedField[]): string {
  const one = (name: string, id: number, t: IcebergType): string => {
    const key = q(name);
    if (isPrimitive(t)) return `${key}: ${id}`;
    const inner: string[] = [`__duckdb_field_id: ${id}`];
    if (t.type === 'struct') inner.push(...t.fields.map((f) => one(f.name, f.id, f.type)));
    else if (t.type === 'list') inner.push(one('element', t['element-id'], t.element));
    else inner.push(one('key', t['key-id'], t.key), one('value', t['value-id'], t.value));
    return `${key}: {${inner.join(', ')}}`;
  };
  return `{${fields.map((f) => one(f.name, f.id, f.type)).join(', ')}}`;
}

/**
 * A SQL expression turning a value of the column's DuckDB type into the representation this library
 * reads back (see IcebergValue): dates as days, times/timestamps as µs, decimals/uuids as text.
 */
export function internalSql(t: PrimitiveType, expr: string): string {
  const kind = primitiveInfo(t).kind;
  switch (kind) {
    case 'date':
      return `CAST((${expr}) - DATE '1970-01-01' AS INTEGER)`;
    case 'time':
      return `date_diff('microsecond', TIME '00:00:00', ${expr})`;
    case 'timestamp':
    case 'timestamptz':
      return `epoch_us(${expr})`;
    case 'decimal':
    case 'uuid':
      return `CAST(${expr} AS VARCHAR)`;
    default:
      return expr;
  }
}
