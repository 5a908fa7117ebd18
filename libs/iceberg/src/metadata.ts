import { randomUUID } from 'node:crypto';
import { parseJson, stringifyJson } from './json';
import { transformResultType, defaultPartitionFieldName } from './transforms';
import {
  NestedField,
  PartitionField,
  PartitionSpec,
  Schema,
  Snapshot,
  SortOrder,
  TableMetadata,
  Transform,
  indexFields,
  isPrimitive,
  maxFieldId,
} from './types';

/** A partition field as a caller declares it; field id and name are assigned when omitted. */
export interface PartitionFieldInput {
  sourceId: number;
  transform: Transform;
  name?: string;
  fieldId?: number;
}

export interface SortFieldInput {
  sourceId: number;
  transform?: Transform;
  direction?: 'asc' | 'desc';
  nullOrder?: 'nulls-first' | 'nulls-last';
}

export interface CreateTableOptions {
  /** Schema fields with their field ids (ids must be unique and positive). */
  fields: NestedField[];
  identifierFieldIds?: number[];
  partitionBy?: PartitionFieldInput[];
  sortBy?: SortFieldInput[];
  properties?: Record<string, string>;
  /** Table location; defaults to `<warehouse>/<namespace>.db/<name>` like Java's JdbcCatalog. */
  location?: string;
}

export const PARTITION_DATA_ID_START = 1000;

export function newTableMetadata(location: string, opts: CreateTableOptions): TableMetadata {
  const byId = indexFields(opts.fields);
  const ids = allFieldIds(opts.fields);
  if (new Set(ids).size !== ids.length || ids.some((i) => !Number.isInteger(i) || i <= 0)) {
    throw new Error('schema field ids must be unique positive integers');
  }
  checkFieldNames(opts.fields);
  const schema: Schema = { type: 'struct', 'schema-id': 0, fields: opts.fields };
  if (opts.identifierFieldIds?.length) schema['identifier-field-ids'] = opts.identifierFieldIds;
  const spec = buildSpec(0, opts.partitionBy ?? [], schema, PARTITION_DATA_ID_START - 1);
  const sortOrder: SortOrder = opts.sortBy?.length
    ? {
        'order-id': 1,
        fields: opts.sortBy.map((f) => {
          const src = byId.get(f.sourceId);
          if (!src || !isPrimitive(src.type)) throw new Error(`sort field source ${f.sourceId} is not a primitive column`);
          const transform = f.transform ?? 'identity';
          transformResultType(transform, src.type);
          const direction = f.direction ?? 'asc';
          return {
            transform,
            'source-id': f.sourceId,
            direction,
            'null-order': f.nullOrder ?? (direction === 'asc' ? 'nulls-first' : 'nulls-last'),
          };
        }),
      }
    : { 'order-id': 0, fields: [] };
  const now = BigInt(Date.now());
  return {
    'format-version': 2,
    'table-uuid': randomUUID(),
    location: location.replace(/\/+$/, ''),
    'last-sequence-number': 0n,
    'last-updated-ms': now,
    'last-column-id': maxFieldId(opts.fields),
    schemas: [schema],
    'current-schema-id': 0,
    'partition-specs': [spec],
    'default-spec-id': 0,
    'last-partition-id': Math.max(PARTITION_DATA_ID_START - 1, ...spec.fields.map((f) => f['field-id'])),
    properties: { 'write.format.default': 'parquet', 'write.parquet.compression-codec': 'zstd', ...(opts.properties ?? {}) },
    'current-snapshot-id': -1n,
    snapshots: [],
    'snapshot-log': [],
    'metadata-log': [],
    'sort-orders': [sortOrder],
    'default-sort-order-id': sortOrder['order-id'],
    refs: {},
  };
}

function allFieldIds(fields: NestedField[]): number[] {
  const out: number[] = [];
  const walk = (t: NestedField['type']): void => {
    if (isPrimitive(t)) return;
    if (t.type === 'struct') {
      for (const f of t.fields) {
        out.push(f.id);
        walk(f.type);
      }
    } else if (t.type === 'list') {
      out.push(t['element-id']);
      walk(t.element);
    } else {
      out.push(t['key-id'], t['value-id']);
      walk(t.key);
      walk(t.value);
    }
  };
  walk({ type: 'struct', fields });
  return out;
}

function checkFieldNames(fields: NestedField[]): void {
  const names = new Set<string>();
  for (const f of fields) {
    if (!f.name) throw new Error(`field ${f.id} has no name`);
    if (names.has(f.name)) throw new Error(`duplicate field name "${f.name}"`);
    names.add(f.name);
  }
}

function buildSpec(specId: number, input: PartitionFieldInput[], schema: Schema, lastPartitionId: number): PartitionSpec {
  const byId = indexFields(schema.fields);
  let next = lastPartitionId;
  const names = new Set<string>();
  const fields: PartitionField[] = input.map((f) => {
    const src = byId.get(f.sourceId);
    if (!src) throw new Error(`partition source field ${f.sourceId} is not in the schema`);
    if (!isPrimitive(src.type)) throw new Error(`partition source field ${src.name} is not a primitive column`);
    if (!schema.fields.some((x) => x.id === f.sourceId)) throw new Error(`partition source ${src.name} must be a top-level column`);
    transformResultType(f.transform, src.type);
    const name = f.name ?? defaultPartitionFieldName(f.transform, src.name);
    if (names.has(name)) throw new Error(`duplicate partition field name "${name}"`);
    names.add(name);
    const fieldId = f.fieldId ?? ++next;
    next = Math.max(next, fieldId);
    return { 'source-id': f.sourceId, 'field-id': fieldId, name, transform: f.transform };
  });
  return { 'spec-id': specId, fields };
}

/** Metadata updates, named and shaped as in the REST catalog protocol. */
export type MetadataUpdate =
  | { action: 'add-snapshot'; snapshot: Snapshot }
  | { action: 'set-snapshot-ref'; 'ref-name': string; type: 'branch' | 'tag'; 'snapshot-id': bigint }
  | { action: 'remove-snapshots'; 'snapshot-ids': bigint[] }
  | { action: 'add-schema'; schema: Schema; 'last-column-id'?: number }
  | { action: 'set-current-schema'; 'schema-id': number }
  | { action: 'set-properties'; updates: Record<string, string> };

/** Requirements a commit asserts on the table it replaces (REST protocol names). */
export type TableRequirement =
  | { type: 'assert-table-uuid'; uuid: string }
  | { type: 'assert-ref-snapshot-id'; ref: string; 'snapshot-id': bigint | null }
  | { type: 'assert-current-schema-id'; 'current-schema-id': number }
  | { type: 'assert-last-assigned-field-id'; 'last-assigned-field-id': number };

export class RequirementFailed extends Error {}

export function checkRequirements(meta: TableMetadata, reqs: TableRequirement[]): void {
  for (const r of reqs) {
    switch (r.type) {
      case 'assert-table-uuid':
        if (meta['table-uuid'] !== r.uuid) throw new RequirementFailed(`table uuid changed: ${meta['table-uuid']}`);
        break;
      case 'assert-ref-snapshot-id': {
        const cur = meta.refs[r.ref]?.['snapshot-id'] ?? null;
        if (cur !== r['snapshot-id']) throw new RequirementFailed(`branch ${r.ref} is at ${cur}, expected ${r['snapshot-id']}`);
        break;
      }
      case 'assert-current-schema-id':
        if (meta['current-schema-id'] !== r['current-schema-id']) throw new RequirementFailed('current schema changed');
        break;
      case 'assert-last-assigned-field-id':
        if (meta['last-column-id'] !== r['last-assigned-field-id']) throw new RequirementFailed('last column id changed');
        break;
    }
  }
}

/** Applies updates to a copy of the metadata (what a JDBC-style catalog does before writing a new metadata file). */
export function applyUpdates(base: TableMetadata, updates: MetadataUpdate[], baseLocation?: string): TableMetadata {
  // updates replace or append, never change an element in place: the top level and the collections
  // they touch are copied, the snapshots, schemas and log entries shared (a table commits often and
  // its history is long: a deep copy cost more than the rest of the commit)
  const m: TableMetadata = {
    ...base,
    snapshots: [...base.snapshots],
    'snapshot-log': [...base['snapshot-log']],
    'metadata-log': [...base['metadata-log']],
    refs: { ...base.refs },
    schemas: [...base.schemas],
    properties: { ...base.properties },
  };
  const now = BigInt(Date.now());
  for (const u of updates) {
    switch (u.action) {
      case 'add-snapshot': {
        const s = u.snapshot;
        if (m.snapshots.some((x) => x['snapshot-id'] === s['snapshot-id'])) throw new Error(`snapshot ${s['snapshot-id']} already exists`);
        if (s['sequence-number'] <= m['last-sequence-number']) {
          throw new RequirementFailed(`sequence number ${s['sequence-number']} is not after ${m['last-sequence-number']}`);
        }
        m.snapshots.push(s);
        m['last-sequence-number'] = s['sequence-number'];
        break;
      }
      case 'set-snapshot-ref': {
        if (!m.snapshots.some((x) => x['snapshot-id'] === u['snapshot-id'])) throw new Error(`no snapshot ${u['snapshot-id']}`);
        m.refs[u['ref-name']] = { ...(m.refs[u['ref-name']] ?? {}), 'snapshot-id': u['snapshot-id'], type: u.type };
        if (u['ref-name'] === 'main') {
          m['current-snapshot-id'] = u['snapshot-id'];
          const ts = m.snapshots.find((x) => x['snapshot-id'] === u['snapshot-id'])!['timestamp-ms'];
          m['snapshot-log'].push({ 'timestamp-ms': ts, 'snapshot-id': u['snapshot-id'] });
        }
        break;
      }
      case 'remove-snapshots': {
        const gone = new Set(u['snapshot-ids']);
        for (const [name, ref] of Object.entries(m.refs)) if (gone.has(ref['snapshot-id'])) throw new RequirementFailed(`snapshot ${ref['snapshot-id']} is the head of ${name}`);
        m.snapshots = m.snapshots.filter((x) => !gone.has(x['snapshot-id']));
        m['snapshot-log'] = m['snapshot-log'].filter((e) => !gone.has(e['snapshot-id']));
        break;
      }
      case 'add-schema': {
        const ids = new Set(m.schemas.map((s) => s['schema-id']));
        if (ids.has(u.schema['schema-id'])) throw new Error(`schema ${u.schema['schema-id']} already exists`);
        m.schemas.push(u.schema);
        m['last-column-id'] = Math.max(m['last-column-id'], u['last-column-id'] ?? maxFieldId(u.schema.fields));
        break;
      }
      case 'set-current-schema': {
        const id = u['schema-id'] === -1 ? m.schemas[m.schemas.length - 1]!['schema-id'] : u['schema-id'];
        m['current-schema-id'] = id;
        break;
      }
      case 'set-properties':
        Object.assign(m.properties, u.updates);
        break;
    }
  }
  if (baseLocation) {
    m['metadata-log'].push({ 'timestamp-ms': base['last-updated-ms'], 'metadata-file': baseLocation });
    const keep = Number(m.properties['write.metadata.previous-versions-max'] ?? '100');
    if (m['metadata-log'].length > keep) m['metadata-log'] = m['metadata-log'].slice(-keep);
  }
  m['last-updated-ms'] = now > base['last-updated-ms'] ? now : base['last-updated-ms'] + 1n;
  return m;
}

const LONG_KEYS = new Set([
  'last-sequence-number',
  'last-updated-ms',
  'current-snapshot-id',
  'snapshot-id',
  'parent-snapshot-id',
  'sequence-number',
  'timestamp-ms',
  'max-ref-age-ms',
  'max-snapshot-age-ms',
]);

function normalizeLongs(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalizeLongs);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === 'summary' || k === 'properties') out[k] = x;
      else out[k] = LONG_KEYS.has(k) && (typeof x === 'number' || typeof x === 'bigint') ? BigInt(x) : normalizeLongs(x);
    }
    return out;
  }
  return v;
}

export function parseTableMetadata(text: string): TableMetadata {
  const raw = normalizeLongs(parseJson(text)) as TableMetadata;
  if (raw['format-version'] !== 2) throw new Error(`only format v2 tables are supported (got v${String(raw['format-version'])})`);
  raw.snapshots ??= [];
  raw['snapshot-log'] ??= [];
  raw['metadata-log'] ??= [];
  raw.refs ??= {};
  raw.properties ??= {};
  const cur = raw['current-snapshot-id'];
  if (cur !== undefined && cur !== null && cur !== -1n && !raw.refs['main']) raw.refs['main'] = { 'snapshot-id': cur, type: 'branch' };
  return raw;
}

/** Each snapshot's JSON, made once: metadata objects are never changed in place, and a table's snapshots are most of its metadata. */
const snapshotJson = new WeakMap<object, string>();

export function serializeTableMetadata(m: TableMetadata): string {
  const fields = Object.entries(m).filter(([, v]) => v !== undefined);
  return `{${fields
    .map(([k, v]) => {
      if (k !== 'snapshots') return `${JSON.stringify(k)}:${stringifyJson(v)}`;
      const snapshots = (v as object[]).map((s) => {
        let json = snapshotJson.get(s);
        if (json === undefined) snapshotJson.set(s, (json = stringifyJson(s)));
        return json;
      });
      return `"snapshots":[${snapshots.join(',')}]`;
    })
    .join(',')}}`;
}

/** Next metadata file name, `<location>/metadata/<version>-<uuid>.metadata.json` as Java and pyiceberg name it. */
export function newMetadataLocation(tableLocation: string, previous?: string): string {
  let version = 0;
  if (previous) {
    const m = /\/(\d+)-[^/]*\.metadata\.json$/.exec(previous);
    version = m ? Number(m[1]) + 1 : 1;
  }
  return `${tableLocation}/metadata/${String(version).padStart(5, '0')}-${randomUUID()}.metadata.json`;
}

/** A new schema with one more optional (or required, if a default could be given) column at the end. */
export function schemaWithColumn(meta: TableMetadata, base: Schema, field: Omit<NestedField, 'id'>): { schema: Schema; lastColumnId: number } {
  if (base.fields.some((f) => f.name === field.name)) throw new Error(`column "${field.name}" already exists`);
  if (field.required) throw new Error('a required column cannot be added to a table that may have rows; add it as optional');
  let next = meta['last-column-id'];
  const assign = (t: NestedField['type']): NestedField['type'] => {
    if (isPrimitive(t)) return t;
    if (t.type === 'struct') return { type: 'struct', fields: t.fields.map((f) => ({ ...f, id: ++next, type: assign(f.type) })) };
    if (t.type === 'list') return { ...t, 'element-id': ++next, element: assign(t.element) };
    return { ...t, 'key-id': ++next, 'value-id': ++next, key: assign(t.key), value: assign(t.value) };
  };
  const id = ++next;
  const newField: NestedField = { ...field, id, type: assign(field.type) };
  const schemaId = Math.max(...meta.schemas.map((s) => s['schema-id'])) + 1;
  const schema: Schema = { ...base, 'schema-id': schemaId, fields: [...base.fields, newField] };
  return { schema, lastColumnId: next };
}
