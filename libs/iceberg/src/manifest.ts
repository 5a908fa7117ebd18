import { AvroSchema, avroPrimitive, decimalRequiredBytes, decodeContainer, encodeContainer } from './avro';
import { stringifyJson } from './json';
import { transformResultType } from './transforms';
import { PartitionSpec, PrimitiveType, Schema, indexFields, isPrimitive, primitiveInfo } from './types';
import { IcebergValue, bytesToDecimal, bytesToUuid, decimalToBytes, toBytes, uuidToBytes } from './values';

/** A data file as recorded in a manifest entry (spec field ids 100-140). Map keys are field ids. */
export interface DataFile {
  content: 0;
  filePath: string;
  fileFormat: 'PARQUET';
  /** Partition tuple, one value per field of the partition spec, in spec order. */
  partition: (IcebergValue | null)[];
  recordCount: bigint;
  fileSizeInBytes: bigint;
  columnSizes?: Map<number, bigint>;
  valueCounts?: Map<number, bigint>;
  nullValueCounts?: Map<number, bigint>;
  nanValueCounts?: Map<number, bigint>;
  lowerBounds?: Map<number, Buffer>;
  upperBounds?: Map<number, Buffer>;
  splitOffsets?: bigint[];
  sortOrderId?: number;
}

/** An entry of a manifest list (spec field ids 500-519). */
export interface ManifestFile {
  manifest_path: string;
  manifest_length: bigint;
  partition_spec_id: number;
  content: number;
  sequence_number: bigint;
  min_sequence_number: bigint;
  added_snapshot_id: bigint;
  added_files_count: number;
  existing_files_count: number;
  deleted_files_count: number;
  added_rows_count: bigint;
  existing_rows_count: bigint;
  deleted_rows_count: bigint;
  partitions: PartitionFieldSummary[] | null;
  key_metadata: Buffer | null;
}

export interface PartitionFieldSummary {
  contains_null: boolean;
  contains_nan: boolean | null;
  lower_bound: Buffer | null;
  upper_bound: Buffer | null;
}

/** Partition fields with their result types, resolved against a schema. */
export function partitionType(spec: PartitionSpec, schema: Schema): { name: string; fieldId: number; type: PrimitiveType }[] {
  const byId = indexFields(schema.fields);
  return spec.fields.map((f) => {
    const src = byId.get(f['source-id']);
    if (!src || !isPrimitive(src.type)) throw new Error(`partition field ${f.name}: source ${f['source-id']} is not a primitive column`);
    return { name: f.name, fieldId: f['field-id'], type: transformResultType(f.transform, src.type) };
  });
}

const intLongMap = (id: number, keyId: number, valueId: number, name: string, value: AvroSchema = 'long') => ({
  name,
  type: [
    'null',
    {
      type: 'array',
      logicalType: 'map',
      items: {
        type: 'record',
        name: `k${keyId}_v${valueId}`,
        fields: [
          { name: 'key', type: 'int', 'field-id': keyId },
          { name: 'value', type: value, 'field-id': valueId },
        ],
      },
    },
  ],
  default: null,
  'field-id': id,
});

/** Avro schema of a manifest entry (v2) for the given partition type. */
export function manifestEntrySchema(partition: { name: string; fieldId: number; type: PrimitiveType }[]): AvroSchema {
  const seen = new Set<string>();
  const partFields = partition.map((p) => {
    let t = avroPrimitive(p.type);
    if (typeof t === 'object' && !Array.isArray(t) && typeof t['name'] === 'string') {
      if (seen.has(t['name'])) t = t['name'];
      else seen.add(t['name']);
    }
    return { name: p.name, type: ['null', t], default: null, 'field-id': p.fieldId };
  });
  return {
    type: 'record',
    name: 'manifest_entry',
    fields: [
      { name: 'status', type: 'int', 'field-id': 0 },
      { name: 'snapshot_id', type: ['null', 'long'], default: null, 'field-id': 1 },
      { name: 'sequence_number', type: ['null', 'long'], default: null, 'field-id': 3 },
      { name: 'file_sequence_number', type: ['null', 'long'], default: null, 'field-id': 4 },
      {
        name: 'data_file',
        'field-id': 2,
        type: {
          type: 'record',
          name: 'r2',
          fields: [
            { name: 'content', type: 'int', doc: 'Contents of the file: 0=data, 1=position deletes, 2=equality deletes', 'field-id': 134 },
            { name: 'file_path', type: 'string', doc: 'Location URI with FS scheme', 'field-id': 100 },
            { name: 'file_format', type: 'string', doc: 'File format name: avro, orc, or parquet', 'field-id': 101 },
            { name: 'partition', type: { type: 'record', name: 'r102', fields: partFields }, doc: 'Partition data tuple, schema based on the partition spec', 'field-id': 102 },
            { name: 'record_count', type: 'long', doc: 'Number of records in the file', 'field-id': 103 },
            { name: 'file_size_in_bytes', type: 'long', doc: 'Total file size in bytes', 'field-id': 104 },
            intLongMap(108, 117, 118, 'column_sizes'),
            intLongMap(109, 119, 120, 'value_counts'),
            intLongMap(110, 121, 122, 'null_value_counts'),
            intLongMap(137, 138, 139, 'nan_value_counts'),
            intLongMap(125, 126, 127, 'lower_bounds', 'bytes'),
            intLongMap(128, 129, 130, 'upper_bounds', 'bytes'),
            { name: 'key_metadata', type: ['null', 'bytes'], default: null, 'field-id': 131 },
            { name: 'split_offsets', type: ['null', { type: 'array', items: 'long', 'element-id': 133 }], default: null, 'field-id': 132 },
            { name: 'equality_ids', type: ['null', { type: 'array', items: 'int', 'element-id': 136 }], default: null, 'field-id': 135 },
            { name: 'sort_order_id', type: ['null', 'int'], default: null, 'field-id': 140 },
          ],
        },
      },
    ],
  };
}

export const MANIFEST_LIST_SCHEMA: AvroSchema = {
  type: 'record',
  name: 'manifest_file',
  fields: [
    { name: 'manifest_path', type: 'string', doc: 'Location URI with FS scheme', 'field-id': 500 },
    { name: 'manifest_length', type: 'long', doc: 'Total file size in bytes', 'field-id': 501 },
    { name: 'partition_spec_id', type: 'int', doc: 'Spec ID used to write', 'field-id': 502 },
    { name: 'content', type: 'int', doc: 'Contents of the manifest: 0=data, 1=deletes', 'field-id': 517 },
    { name: 'sequence_number', type: 'long', doc: 'Sequence number when the manifest was added', 'field-id': 515 },
    { name: 'min_sequence_number', type: 'long', doc: 'Lowest sequence number in the manifest', 'field-id': 516 },
    { name: 'added_snapshot_id', type: 'long', doc: 'Snapshot ID that added the manifest', 'field-id': 503 },
    { name: 'added_files_count', type: 'int', doc: 'Added entry count', 'field-id': 504 },
    { name: 'existing_files_count', type: 'int', doc: 'Existing entry count', 'field-id': 505 },
    { name: 'deleted_files_count', type: 'int', doc: 'Deleted entry count', 'field-id': 506 },
    { name: 'added_rows_count', type: 'long', doc: 'Added rows count', 'field-id': 512 },
    { name: 'existing_rows_count', type: 'long', doc: 'Existing rows count', 'field-id': 513 },
    { name: 'deleted_rows_count', type: 'long', doc: 'Deleted rows count', 'field-id': 514 },
    {
      name: 'partitions',
      type: [
        'null',
        {
          type: 'array',
          items: {
            type: 'record',
            name: 'r508',
            fields: [
              { name: 'contains_null', type: 'boolean', doc: 'True if any file has a null partition value', 'field-id': 509 },
              { name: 'contains_nan', type: ['null', 'boolean'], doc: 'True if any file has a nan partition value', default: null, 'field-id': 518 },
              { name: 'lower_bound', type: ['null', 'bytes'], doc: 'Partition lower bound for all files', default: null, 'field-id': 510 },
              { name: 'upper_bound', type: ['null', 'bytes'], doc: 'Partition upper bound for all files', default: null, 'field-id': 511 },
            ],
          },
          'element-id': 508,
        },
      ],
      doc: 'Summary for each partition',
      default: null,
      'field-id': 507,
    },
    { name: 'key_metadata', type: ['null', 'bytes'], doc: 'Encryption key metadata blob', default: null, 'field-id': 519 },
  ],
};

/** A partition value as avsc writes it for the partition type's Avro mapping. */
function partitionValueToAvro(type: PrimitiveType, v: IcebergValue | null): unknown {
  if (v === null) return null;
  const info = primitiveInfo(type);
  switch (info.kind) {
    case 'long':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
    case 'timestamp_ns':
    case 'timestamptz_ns':
      return BigInt(v as bigint);
    case 'uuid':
      return uuidToBytes(v as string);
    case 'binary':
    case 'fixed':
      return Buffer.from(v as Uint8Array);
    case 'decimal': {
      const size = decimalRequiredBytes(info.precision);
      const raw = decimalToBytes(BigInt(v as bigint));
      const out = Buffer.alloc(size, (raw[0]! & 0x80) !== 0 ? 0xff : 0);
      raw.copy(out, size - raw.length);
      return out;
    }
    default:
      return v;
  }
}

function partitionValueFromAvro(type: PrimitiveType, v: unknown): IcebergValue | null {
  if (v === null || v === undefined) return null;
  const kind = primitiveInfo(type).kind;
  if (kind === 'uuid') return bytesToUuid(v as Buffer);
  if (kind === 'decimal') return bytesToDecimal(v as Buffer);
  if (kind === 'binary' || kind === 'fixed') return new Uint8Array(v as Buffer);
  return v as IcebergValue;
}

const mapToAvro = <V>(m: Map<number, V> | undefined) => (m ? [...m.entries()].map(([key, value]) => ({ key, value })) : null);

export interface WrittenManifest {
  bytes: Buffer;
  entry: Omit<ManifestFile, 'manifest_path' | 'sequence_number' | 'min_sequence_number'>;
}

/**
 * Writes a manifest of ADDED data files for one snapshot. Entries leave their sequence numbers null so
 * they inherit the manifest's (spec: sequence number inheritance), which lets a retried commit reuse it.
 */
export async function writeManifest(args: {
  schema: Schema;
  spec: PartitionSpec;
  snapshotId: bigint;
  files: DataFile[];
}): Promise<WrittenManifest> {
  const ptype = partitionType(args.spec, args.schema);
  const avroSchema = manifestEntrySchema(ptype);
  const records = args.files.map((f) => ({
    status: 1,
    snapshot_id: args.snapshotId,
    sequence_number: null,
    file_sequence_number: null,
    data_file: {
      content: 0,
      file_path: f.filePath,
      file_format: f.fileFormat,
      partition: Object.fromEntries(ptype.map((p, i) => [p.name, partitionValueToAvro(p.type, f.partition[i] ?? null)])),
      record_count: f.recordCount,
      file_size_in_bytes: f.fileSizeInBytes,
      column_sizes: mapToAvro(f.columnSizes),
      value_counts: mapToAvro(f.valueCounts),
      null_value_counts: mapToAvro(f.nullValueCounts),
      nan_value_counts: mapToAvro(f.nanValueCounts),
      lower_bounds: mapToAvro(f.lowerBounds),
      upper_bounds: mapToAvro(f.upperBounds),
      key_metadata: null,
      split_offsets: f.splitOffsets ?? null,
      equality_ids: null,
      sort_order_id: f.sortOrderId ?? null,
    },
  }));
  const bytes = await encodeManifest(avroSchema, records, args.schema, args.spec);
  return {
    bytes,
    entry: {
      manifest_length: BigInt(bytes.length),
      partition_spec_id: args.spec['spec-id'],
      content: 0,
      added_snapshot_id: args.snapshotId,
      added_files_count: args.files.length,
      existing_files_count: 0,
      deleted_files_count: 0,
      added_rows_count: args.files.reduce((a, f) => a + f.recordCount, 0n),
      existing_rows_count: 0n,
      deleted_rows_count: 0n,
      partitions: partitionSummaries(ptype, args.files),
      key_metadata: null,
    },
  };
}

function encodeManifest(avroSchema: AvroSchema, records: unknown[], schema: Schema, spec: PartitionSpec): Promise<Buffer> {
  return encodeContainer(avroSchema, records, {
    schema: stringifyJson(schema),
    'schema-id': String(schema['schema-id']),
    'partition-spec': stringifyJson(spec.fields),
    'partition-spec-id': String(spec['spec-id']),
    'format-version': '2',
    content: 'data',
  });
}

/** The data_file fields of a manifest entry, as this library writes them (spec field ids 100-140). */
const DATA_FILE_FIELDS = [
  'content', 'file_path', 'file_format', 'partition', 'record_count', 'file_size_in_bytes', 'column_sizes', 'value_counts', 'null_value_counts',
  'nan_value_counts', 'lower_bounds', 'upper_bounds', 'key_metadata', 'split_offsets', 'equality_ids', 'sort_order_id',
] as const;

/**
 * Rewrites data manifests of one partition spec (any v2 writer's) as one manifest of EXISTING
 * entries for the snapshot `snapshotId`: live entries only (DELETED ones belong to the snapshot that
 * deleted them), each with its snapshot id and sequence numbers made explicit (an ADDED entry's
 * inherited values come from its manifest). What Java's manifest merging does on append.
 */
export async function mergeDataManifests(args: {
  schema: Schema;
  spec: PartitionSpec;
  snapshotId: bigint;
  manifests: { file: ManifestFile; bytes: Buffer }[];
}): Promise<WrittenManifest & { minSequenceNumber: bigint }> {
  const ptype = partitionType(args.spec, args.schema);
  const records: unknown[] = [];
  const partitions: { partition: (IcebergValue | null)[] }[] = [];
  let rows = 0n;
  let minSequenceNumber: bigint | undefined;
  for (const { file, bytes } of args.manifests) {
    const { records: entries } = await decodeContainer<Record<string, unknown>>(bytes);
    for (const e of entries) {
      const status = e['status'] as number;
      if (status === 2) continue;
      const inherited = status === 1;
      const own = (k: string) => (e[k] as bigint | null | undefined) ?? null;
      const sequenceNumber = own('sequence_number') ?? (inherited ? file.sequence_number : null);
      const fileSequenceNumber = own('file_sequence_number') ?? (inherited ? file.sequence_number : null);
      if (sequenceNumber === null || fileSequenceNumber === null) throw new Error(`${file.manifest_path}: an EXISTING entry without sequence numbers`);
      const raw = e['data_file'] as Record<string, unknown>;
      if ((raw['content'] ?? 0) !== 0) throw new Error(`${file.manifest_path} is not a data manifest`);
      const dataFile = Object.fromEntries(DATA_FILE_FIELDS.map((k) => [k, raw[k] ?? null]));
      const part = raw['partition'] as Record<string, unknown>;
      dataFile['partition'] = Object.fromEntries(ptype.map((p) => [p.name, part[p.name] ?? null]));
      records.push({ status: 0, snapshot_id: own('snapshot_id') ?? file.added_snapshot_id, sequence_number: sequenceNumber, file_sequence_number: fileSequenceNumber, data_file: dataFile });
      partitions.push({ partition: ptype.map((p) => partitionValueFromAvro(p.type, part[p.name])) });
      rows += raw['record_count'] as bigint;
      if (minSequenceNumber === undefined || sequenceNumber < minSequenceNumber) minSequenceNumber = sequenceNumber;
    }
  }
  const bytes = await encodeManifest(manifestEntrySchema(ptype), records, args.schema, args.spec);
  return {
    bytes,
    minSequenceNumber: minSequenceNumber ?? 0n,
    entry: {
      manifest_length: BigInt(bytes.length),
      partition_spec_id: args.spec['spec-id'],
      content: 0,
      added_snapshot_id: args.snapshotId,
      added_files_count: 0,
      existing_files_count: records.length,
      deleted_files_count: 0,
      added_rows_count: 0n,
      existing_rows_count: rows,
      deleted_rows_count: 0n,
      partitions: partitionSummaries(ptype, partitions),
      key_metadata: null,
    },
  };
}

function comparePartition(type: PrimitiveType, a: IcebergValue, b: IcebergValue): number {
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(Buffer.from(a), Buffer.from(b));
  if (typeof a === 'string' && typeof b === 'string') {
    // UTF-8 byte order (equals code point order), which is Iceberg's string order
    return primitiveInfo(type).kind === 'string' ? Buffer.compare(Buffer.from(a), Buffer.from(b)) : a < b ? -1 : a > b ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

function partitionSummaries(ptype: { type: PrimitiveType }[], files: { partition: (IcebergValue | null)[] }[]): PartitionFieldSummary[] {
  return ptype.map((p, i) => {
    let containsNull = false;
    let containsNan = false;
    let lo: IcebergValue | undefined;
    let hi: IcebergValue | undefined;
    for (const f of files) {
      const v = f.partition[i] ?? null;
      if (v === null) containsNull = true;
      else if (typeof v === 'number' && Number.isNaN(v)) containsNan = true;
      else {
        if (lo === undefined || comparePartition(p.type, v, lo) < 0) lo = v;
        if (hi === undefined || comparePartition(p.type, v, hi) > 0) hi = v;
      }
    }
    return {
      contains_null: containsNull,
      contains_nan: containsNan,
      lower_bound: lo === undefined ? null : toBytes(p.type, lo),
      upper_bound: hi === undefined ? null : toBytes(p.type, hi),
    };
  });
}

export async function writeManifestList(args: {
  snapshotId: bigint;
  parentSnapshotId: bigint | undefined;
  sequenceNumber: bigint;
  manifests: ManifestFile[];
}): Promise<Buffer> {
  return encodeContainer(MANIFEST_LIST_SCHEMA, args.manifests, {
    'snapshot-id': args.snapshotId.toString(),
    'parent-snapshot-id': args.parentSnapshotId === undefined ? 'null' : args.parentSnapshotId.toString(),
    'sequence-number': args.sequenceNumber.toString(),
    'format-version': '2',
  });
}

/** Reads a manifest list written by any v2 writer (Java, pyiceberg, this library). */
export async function readManifestList(bytes: Buffer): Promise<ManifestFile[]> {
  const { records } = await decodeContainer<Record<string, unknown>>(bytes);
  return records.map((r) => ({
    manifest_path: r['manifest_path'] as string,
    manifest_length: r['manifest_length'] as bigint,
    partition_spec_id: r['partition_spec_id'] as number,
    content: (r['content'] as number | undefined) ?? 0,
    sequence_number: (r['sequence_number'] as bigint | undefined) ?? 0n,
    min_sequence_number: (r['min_sequence_number'] as bigint | undefined) ?? 0n,
    added_snapshot_id: r['added_snapshot_id'] as bigint,
    added_files_count: (r['added_files_count'] ?? r['added_data_files_count'] ?? 0) as number,
    existing_files_count: (r['existing_files_count'] ?? r['existing_data_files_count'] ?? 0) as number,
    deleted_files_count: (r['deleted_files_count'] ?? r['deleted_data_files_count'] ?? 0) as number,
    added_rows_count: (r['added_rows_count'] as bigint | undefined) ?? 0n,
    existing_rows_count: (r['existing_rows_count'] as bigint | undefined) ?? 0n,
    deleted_rows_count: (r['deleted_rows_count'] as bigint | undefined) ?? 0n,
    partitions: ((r['partitions'] as Record<string, unknown>[] | null) ?? null)?.map((p) => ({
      contains_null: p['contains_null'] as boolean,
      contains_nan: (p['contains_nan'] as boolean | null | undefined) ?? null,
      lower_bound: (p['lower_bound'] as Buffer | null | undefined) ?? null,
      upper_bound: (p['upper_bound'] as Buffer | null | undefined) ?? null,
    })) ?? null,
    key_metadata: (r['key_metadata'] as Buffer | null | undefined) ?? null,
  }));
}

/** The files a manifest names (data or delete files), whatever their status and partition spec. */
export async function manifestFilePaths(bytes: Buffer): Promise<string[]> {
  const { records } = await decodeContainer<Record<string, unknown>>(bytes);
  return records.map((r) => (r['data_file'] as Record<string, unknown>)['file_path'] as string);
}

export interface ManifestEntry {
  status: number;
  snapshotId: bigint | null;
  sequenceNumber: bigint | null;
  dataFile: DataFile;
}

/** Reads a data manifest (used by tests and by the snapshot helpers). */
export async function readManifest(bytes: Buffer, spec: PartitionSpec, schema: Schema): Promise<ManifestEntry[]> {
  const ptype = partitionType(spec, schema);
  const { records } = await decodeContainer<Record<string, unknown>>(bytes);
  const fromMap = <V>(x: unknown) => (x ? new Map((x as { key: number; value: V }[]).map((e) => [e.key, e.value])) : undefined);
  return records.map((r) => {
    const df = r['data_file'] as Record<string, unknown>;
    const part = df['partition'] as Record<string, unknown>;
    return {
      status: r['status'] as number,
      snapshotId: (r['snapshot_id'] as bigint | null) ?? null,
      sequenceNumber: (r['sequence_number'] as bigint | null) ?? null,
      dataFile: {
        content: 0,
        filePath: df['file_path'] as string,
        fileFormat: 'PARQUET',
        partition: ptype.map((p) => partitionValueFromAvro(p.type, part[p.name])),
        recordCount: df['record_count'] as bigint,
        fileSizeInBytes: df['file_size_in_bytes'] as bigint,
        columnSizes: fromMap<bigint>(df['column_sizes']),
        valueCounts: fromMap<bigint>(df['value_counts']),
        nullValueCounts: fromMap<bigint>(df['null_value_counts']),
        nanValueCounts: fromMap<bigint>(df['nan_value_counts']),
        lowerBounds: fromMap<Buffer>(df['lower_bounds']),
        upperBounds: fromMap<Buffer>(df['upper_bounds']),
      },
    };
  });
}
