import type { IcebergColumn, SinkPlan } from '@matih/contracts';
import type { SqlType } from '@matih/sql';

/** The Iceberg type a Flink SQL type is written as, or null when Iceberg has no primitive for it. */
export function icebergTypeOf(type: SqlType): string | null {
  switch (type.kind) {
    case 'BOOLEAN':
      return 'boolean';
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
      return 'int';
    case 'BIGINT':
      return 'long';
    case 'FLOAT':
      return 'float';
    case 'DOUBLE':
      return 'double';
    case 'DECIMAL':
      return type.precision <= 38 ? `decimal(${type.precision},${type.scale})` : null;
    case 'STRING':
      return 'string';
    case 'BYTES':
      return 'binary';
    case 'DATE':
      return 'date';
    case 'TIME':
      return 'time';
    case 'TIMESTAMP':
      return 'timestamp';
    case 'TIMESTAMP_LTZ':
      return 'timestamptz';
    case 'NULL':
    case 'OTHER':
      return null;
  }
}

/** The Flink SQL type of an Iceberg column in an Iceberg catalog table (Iceberg's own mapping). */
export function flinkTypeOfIceberg(type: string): string {
  const decimal = /^decimal\((\d+),\s*(\d+)\)$/.exec(type);
  if (decimal) return `DECIMAL(${decimal[1]}, ${decimal[2]})`;
  const map: Record<string, string> = {
    boolean: 'BOOLEAN',
    int: 'INT',
    long: 'BIGINT',
    float: 'FLOAT',
    double: 'DOUBLE',
    string: 'STRING',
    binary: 'BYTES',
    date: 'DATE',
    time: 'TIME',
    timestamp: 'TIMESTAMP(6)',
    timestamptz: 'TIMESTAMP_LTZ(6)',
    uuid: 'BINARY(16)',
  };
  const flink = map[type];
  if (flink === undefined) throw new Error(`no Flink type for Iceberg type ${type}`);
  return flink;
}

/** The arguments of `JdbcCatalog.createTable` (libs/iceberg) for a sink: field ids 1…n in column order, the full partition spec. */
export function icebergTableSpec(sink: Pick<SinkPlan, 'columns' | 'partitionBy'>): {
  fields: { id: number; name: string; required: boolean; type: string }[];
  partitionBy: { sourceId: number; transform: string; name: string }[];
} {
  const fields = sink.columns.map((c: IcebergColumn, k: number) => ({ id: k + 1, name: c.name, required: c.required, type: c.type }));
  const partitionBy = sink.partitionBy.map((p) => {
    const field = fields.find((f) => f.name === p.sourceColumn);
    if (!field) throw new Error(`partition column ${p.sourceColumn} is not a column of the table`);
    const transform = p.transform === 'bucket' || p.transform === 'truncate' ? `${p.transform}[${p.width}]` : p.transform;
    return { sourceId: field.id, transform, name: p.name };
  });
  return { fields, partitionBy };
}
