import * as avsc from 'avsc';
import { PrimitiveType, primitiveInfo } from './types';

/**
 * Avro object-container files through `avsc`. The writer schema is passed to the encoder as a plain
 * object, so every Iceberg attribute (`field-id`, `element-id`, `logicalType: map`, `adjust-to-utc`)
 * lands verbatim in the file header. Avro longs are read and written as bigint (snapshot ids are 63-bit).
 */
const BigLong = avsc.types.LongType.__with({
  fromBuffer: (buf: Buffer) => buf.readBigInt64LE(),
  toBuffer: (n: bigint | number) => {
    const b = Buffer.alloc(8);
    b.writeBigInt64LE(BigInt(n));
    return b;
  },
  fromJSON: (n: number | string) => BigInt(n),
  toJSON: (n: bigint) => Number(n),
  isValid: (n: unknown) => typeof n === 'bigint',
  compare: (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0),
});

export type AvroSchema = Record<string, unknown> | string | unknown[];

/** Compiled types by schema text: a table's manifests and manifest lists share a few schemas, and compiling one costs more than encoding a manifest. */
const compiled = new Map<string, avsc.Type>();
const COMPILED_MAX = 256;

function forSchema(schema: AvroSchema): avsc.Type {
  const key = JSON.stringify(schema);
  let type = compiled.get(key);
  if (!type) {
    type = avsc.Type.forSchema(schema as avsc.Schema, { registry: { long: BigLong }, wrapUnions: false });
    if (compiled.size >= COMPILED_MAX) compiled.delete(compiled.keys().next().value!);
    compiled.set(key, type);
  }
  return type;
}

export async function encodeContainer(
  schema: AvroSchema,
  records: unknown[],
  metadata: Record<string, string>,
  codec: 'null' | 'deflate' = 'deflate',
): Promise<Buffer> {
  const type = forSchema(schema);
  const meta: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(metadata)) meta[k] = Buffer.from(v, 'utf8');
  const encoder = new avsc.streams.BlockEncoder(type, { codec, metadata: meta, writeHeader: false } as never);
  // the raw schema, not the Type's, goes in the header: it keeps every Iceberg attribute
  const internals = encoder as unknown as { _schema: AvroSchema; _writeHeader: () => void };
  internals._schema = schema;
  internals._writeHeader();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    encoder.on('data', (c: Buffer) => chunks.push(c));
    encoder.on('end', () => resolve());
    encoder.on('error', reject);
  });
  for (const r of records) encoder.write(r);
  encoder.end();
  await done;
  return Buffer.concat(chunks);
}

export interface DecodedContainer<T> {
  metadata: Record<string, string>;
  schema: AvroSchema;
  records: T[];
}

export async function decodeContainer<T>(bytes: Buffer): Promise<DecodedContainer<T>> {
  const decoder = new avsc.streams.BlockDecoder({
    parseHook: (schema: avsc.Schema) => forSchema(schema as AvroSchema),
  } as never);
  const records: T[] = [];
  let metadata: Record<string, string> = {};
  let schema: AvroSchema = {};
  const done = new Promise<void>((resolve, reject) => {
    decoder.on('metadata', (_type: unknown, _codec: unknown, header: { meta: Record<string, Buffer> }) => {
      metadata = Object.fromEntries(Object.entries(header.meta).map(([k, v]) => [k, v.toString('utf8')]));
      schema = JSON.parse(metadata['avro.schema'] ?? '{}') as AvroSchema;
    });
    decoder.on('data', (r: T) => records.push(r));
    decoder.on('end', () => resolve());
    decoder.on('error', reject);
  });
  decoder.end(bytes);
  await done;
  return { metadata, schema, records };
}

/** Bytes needed for a decimal of the given precision, as Iceberg's Avro and Parquet mappings size it. */
export function decimalRequiredBytes(precision: number): number {
  for (let n = 1; n <= 16; n++) if (Math.pow(2, 8 * n - 1) - 1 >= Math.pow(10, precision)) return n;
  return 16;
}

/** The Avro type of an Iceberg primitive (spec: "Avro" type mapping). */
export function avroPrimitive(type: PrimitiveType): AvroSchema {
  const info = primitiveInfo(type);
  switch (info.kind) {
    case 'boolean':
    case 'int':
    case 'long':
    case 'float':
    case 'double':
      return info.kind;
    case 'string':
      return 'string';
    case 'binary':
      return 'bytes';
    case 'date':
      return { type: 'int', logicalType: 'date' };
    case 'time':
      return { type: 'long', logicalType: 'time-micros' };
    case 'timestamp':
      return { type: 'long', logicalType: 'timestamp-micros', 'adjust-to-utc': false };
    case 'timestamptz':
      return { type: 'long', logicalType: 'timestamp-micros', 'adjust-to-utc': true };
    case 'timestamp_ns':
      return { type: 'long', logicalType: 'timestamp-nanos', 'adjust-to-utc': false };
    case 'timestamptz_ns':
      return { type: 'long', logicalType: 'timestamp-nanos', 'adjust-to-utc': true };
    case 'uuid':
      return { type: 'fixed', name: 'uuid_fixed', size: 16, logicalType: 'uuid' };
    case 'fixed':
      return { type: 'fixed', name: `fixed_${info.length}`, size: info.length };
    case 'decimal':
      return {
        type: 'fixed',
        name: `decimal_${info.precision}_${info.scale}`,
        size: decimalRequiredBytes(info.precision),
        logicalType: 'decimal',
        precision: info.precision,
        scale: info.scale,
      };
  }
}
