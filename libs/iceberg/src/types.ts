/** The Iceberg table model (format v2): types, schemas, partition specs, sort orders, snapshots, metadata. */

export type PrimitiveType =
  | 'boolean'
  | 'int'
  | 'long'
  | 'float'
  | 'double'
  | 'date'
  | 'time'
  | 'timestamp'
  | 'timestamptz'
  | 'timestamp_ns'
  | 'timestamptz_ns'
  | 'string'
  | 'uuid'
  | 'binary'
  | `decimal(${number},${number})`
  | `decimal(${number}, ${number})`
  | `fixed[${number}]`;

export interface NestedField {
  id: number;
  name: string;
  required: boolean;
  type: IcebergType;
  doc?: string;
}

export interface StructType {
  type: 'struct';
  fields: NestedField[];
}

export interface ListType {
  type: 'list';
  'element-id': number;
  element: IcebergType;
  'element-required': boolean;
}

export interface MapType {
  type: 'map';
  'key-id': number;
  key: IcebergType;
  'value-id': number;
  value: IcebergType;
  'value-required': boolean;
}

export type IcebergType = PrimitiveType | StructType | ListType | MapType;

export interface Schema {
  type: 'struct';
  'schema-id': number;
  'identifier-field-ids'?: number[];
  fields: NestedField[];
}

export type Transform =
  | 'identity'
  | 'year'
  | 'month'
  | 'day'
  | 'hour'
  | 'void'
  | `bucket[${number}]`
  | `truncate[${number}]`;

export interface PartitionField {
  'source-id': number;
  'field-id': number;
  name: string;
  transform: Transform;
}

export interface PartitionSpec {
  'spec-id': number;
  fields: PartitionField[];
}

export interface SortField {
  transform: Transform;
  'source-id': number;
  direction: 'asc' | 'desc';
  'null-order': 'nulls-first' | 'nulls-last';
}

export interface SortOrder {
  'order-id': number;
  fields: SortField[];
}

export interface Snapshot {
  'snapshot-id': bigint;
  'parent-snapshot-id'?: bigint;
  'sequence-number': bigint;
  'timestamp-ms': bigint;
  'manifest-list': string;
  summary: { operation: 'append' | 'replace' | 'overwrite' | 'delete' } & Record<string, string>;
  'schema-id'?: number;
}

export interface SnapshotRef {
  'snapshot-id': bigint;
  type: 'branch' | 'tag';
  'max-ref-age-ms'?: bigint;
  'max-snapshot-age-ms'?: bigint;
  'min-snapshots-to-keep'?: number;
}

/** Table metadata, exactly the fields of the spec's metadata JSON (v2); longs are bigint. */
export interface TableMetadata {
  'format-version': 2;
  'table-uuid': string;
  location: string;
  'last-sequence-number': bigint;
  'last-updated-ms': bigint;
  'last-column-id': number;
  schemas: Schema[];
  'current-schema-id': number;
  'partition-specs': PartitionSpec[];
  'default-spec-id': number;
  'last-partition-id': number;
  properties: Record<string, string>;
  'current-snapshot-id'?: bigint | null;
  snapshots: Snapshot[];
  'snapshot-log': { 'timestamp-ms': bigint; 'snapshot-id': bigint }[];
  'metadata-log': { 'timestamp-ms': bigint; 'metadata-file': string }[];
  'sort-orders': SortOrder[];
  'default-sort-order-id': number;
  refs: Record<string, SnapshotRef>;
  statistics?: unknown[];
  'partition-statistics'?: unknown[];
  [extra: string]: unknown;
}

export type TableIdentifier = { namespace: string[]; name: string };

export function isPrimitive(t: IcebergType): t is PrimitiveType {
  return typeof t === 'string';
}

/** Parsed primitive: decimal and fixed carry their parameters. */
export type PrimitiveInfo =
  | { kind: Exclude<PrimitiveType, `decimal(${string}` | `fixed[${string}`> }
  | { kind: 'decimal'; precision: number; scale: number }
  | { kind: 'fixed'; length: number };

export function primitiveInfo(t: PrimitiveType): PrimitiveInfo {
  const dec = /^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(t);
  if (dec) return { kind: 'decimal', precision: Number(dec[1]), scale: Number(dec[2]) };
  const fixed = /^fixed\[(\d+)\]$/.exec(t);
  if (fixed) return { kind: 'fixed', length: Number(fixed[1]) };
  return { kind: t as Exclude<PrimitiveType, `decimal(${string}` | `fixed[${string}`> };
}

export function currentSchema(meta: TableMetadata): Schema {
  const s = meta.schemas.find((x) => x['schema-id'] === meta['current-schema-id']);
  if (!s) throw new Error(`table metadata has no schema with id ${meta['current-schema-id']}`);
  return s;
}

export function defaultSpec(meta: TableMetadata): PartitionSpec {
  const s = meta['partition-specs'].find((x) => x['spec-id'] === meta['default-spec-id']);
  if (!s) throw new Error(`table metadata has no partition spec with id ${meta['default-spec-id']}`);
  return s;
}

export function currentSnapshot(meta: TableMetadata): Snapshot | undefined {
  const id = meta.refs['main']?.['snapshot-id'] ?? meta['current-snapshot-id'];
  if (id === undefined || id === null || id === -1n) return undefined;
  return meta.snapshots.find((s) => s['snapshot-id'] === id);
}

/** A snapshot and its ancestors, newest first (none for a missing head). */
export function ancestry(meta: TableMetadata, head: bigint | null | undefined): Snapshot[] {
  const byId = new Map(meta.snapshots.map((s) => [s['snapshot-id'], s]));
  const out: Snapshot[] = [];
  let s = head === null || head === undefined ? undefined : byId.get(head);
  while (s && out.length <= meta.snapshots.length) {
    out.push(s);
    s = s['parent-snapshot-id'] === undefined ? undefined : byId.get(s['parent-snapshot-id']);
  }
  return out;
}

/** Every field of a schema, nested ones included, by id. */
export function indexFields(fields: NestedField[], out = new Map<number, NestedField>()): Map<number, NestedField> {
  for (const f of fields) {
    out.set(f.id, f);
    collectNested(f.type, out);
  }
  return out;
}

function collectNested(t: IcebergType, out: Map<number, NestedField>): void {
  if (isPrimitive(t)) return;
  if (t.type === 'struct') indexFields(t.fields, out);
  else if (t.type === 'list') {
    out.set(t['element-id'], { id: t['element-id'], name: 'element', required: t['element-required'], type: t.element });
    collectNested(t.element, out);
  } else {
    out.set(t['key-id'], { id: t['key-id'], name: 'key', required: true, type: t.key });
    out.set(t['value-id'], { id: t['value-id'], name: 'value', required: t['value-required'], type: t.value });
    collectNested(t.key, out);
    collectNested(t.value, out);
  }
}

export function maxFieldId(fields: NestedField[]): number {
  let max = 0;
  for (const id of indexFields(fields).keys()) max = Math.max(max, id);
  return max;
}
