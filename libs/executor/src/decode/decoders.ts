import type { MicrobatchPlan } from '@matih/contracts';
import * as avro from 'avsc';
import { isUtf8 } from 'node:buffer';
import * as protobuf from 'protobufjs';
import { RegisteredSchema, SchemaRegistryClient, UnknownSchemaError } from './registry';
import { readMessageIndexes, unframe } from './wire-format';

export type Format = MicrobatchPlan['sources'][number]['format'];

/** A decoded record value: the text the `value` column holds (JSON: its UTF-8 bytes as received), or why it could not be decoded. */
export type Decoded = { ok: true; text: string | Buffer | null } | { ok: false; reason: string };

/**
 * Turns record values into the `value` column's text. JSON stays as written (its validity is
 * checked for the whole batch in DuckDB, vectorized); Avro and protobuf records in the Confluent
 * wire format are decoded with their registered schema and rendered as JSON text, so that
 * `JSON_VALUE(value, …)` works for every format.
 *
 * `prepare` fetches the schemas a batch needs (async, cached); `decode` is then synchronous.
 */
export interface ValueDecoder {
  prepare(values: readonly (Buffer | null)[]): Promise<void>;
  decode(value: Buffer | null): Decoded;
}

const OK_NULL: Decoded = { ok: true, text: null };

export function createDecoder(format: Format, registry: SchemaRegistryClient | null): ValueDecoder {
  switch (format) {
    case 'json':
      return new JsonDecoder(registry !== null);
    case 'avro':
    case 'protobuf':
      if (!registry) throw new Error(`format ${format} needs a schema_registry`);
      return new RegistryDecoder(format, registry);
  }
}

class JsonDecoder implements ValueDecoder {
  constructor(private readonly framed: boolean) {}
  async prepare(): Promise<void> {
    return;
  }
  decode(value: Buffer | null): Decoded {
    if (value === null) return OK_NULL;
    // JSON Schema serializers frame the JSON text; plain JSON never starts with a 0 byte
    const body = this.framed && value.length >= 5 && value[0] === 0 ? value.subarray(5) : value;
    if (!isUtf8(body)) return { ok: false, reason: 'value is not valid UTF-8' };
    return { ok: true, text: body };
  }
}

type CompiledSchema = { kind: 'avro'; type: avro.Type } | { kind: 'protobuf'; root: protobuf.Namespace } | { kind: 'error'; reason: string };

class RegistryDecoder implements ValueDecoder {
  private readonly compiled = new Map<number, CompiledSchema>();
  private readonly protoTypes = new Map<string, protobuf.Type | string>();

  constructor(
    private readonly format: 'avro' | 'protobuf',
    private readonly registry: SchemaRegistryClient,
  ) {}

  async prepare(values: readonly (Buffer | null)[]): Promise<void> {
    const ids = new Set<number>();
    for (const v of values) {
      if (v && v.length >= 5 && v[0] === 0) {
        const id = v.readUInt32BE(1);
        if (!this.compiled.has(id)) ids.add(id);
      }
    }
    for (const id of ids) {
      try {
        this.compiled.set(id, this.compile(await this.registry.schemaById(id)));
      } catch (e) {
        if (!(e instanceof UnknownSchemaError)) throw e; // registry down: the batch fails and is retried
        this.compiled.set(id, { kind: 'error', reason: e.message });
      }
    }
  }

  private compile(s: RegisteredSchema): CompiledSchema {
    const expected = this.format === 'avro' ? 'AVRO' : 'PROTOBUF';
    if (s.schemaType !== expected) return { kind: 'error', reason: `schema id ${s.id} is a ${s.schemaType} schema, but the source's format is ${this.format}` };
    try {
      if (this.format === 'avro') return { kind: 'avro', type: avro.Type.forSchema(JSON.parse(s.schema) as avro.Schema) };
      const parsed = protobuf.parse(s.schema, { keepCase: true });
      const root = parsed.package ? (parsed.root.lookup(parsed.package) as protobuf.Namespace) : parsed.root;
      return { kind: 'protobuf', root };
    } catch (e) {
      return { kind: 'error', reason: `schema id ${s.id} cannot be compiled: ${(e as Error).message}` };
    }
  }

  decode(value: Buffer | null): Decoded {
    if (value === null) return OK_NULL;
    const framed = unframe(value);
    if (typeof framed === 'string') return { ok: false, reason: framed };
    const schema = this.compiled.get(framed.schemaId);
    if (!schema) return { ok: false, reason: `schema id ${framed.schemaId} was not prepared` };
    if (schema.kind === 'error') return { ok: false, reason: schema.reason };
    try {
      if (schema.kind === 'avro') {
        const decoded = schema.type.decode(framed.payload, 0);
        if (decoded.offset !== framed.payload.length) {
          return { ok: false, reason: decoded.offset < 0 ? `truncated avro record for schema id ${framed.schemaId}` : `${framed.payload.length - decoded.offset} trailing byte(s) after the avro record` };
        }
        return { ok: true, text: toJsonText(decoded.value) };
      }
      const idx = readMessageIndexes(framed.payload);
      if (typeof idx === 'string') return { ok: false, reason: idx };
      const type = this.protoType(framed.schemaId, schema.root, idx.indexes);
      if (typeof type === 'string') return { ok: false, reason: type };
      const message = type.decode(idx.body);
      return { ok: true, text: JSON.stringify(type.toObject(message, { longs: String, enums: String, bytes: String, defaults: true })) };
    } catch (e) {
      return { ok: false, reason: `cannot decode ${this.format} record with schema id ${framed.schemaId}: ${(e as Error).message}` };
    }
  }

  private protoType(id: number, root: protobuf.Namespace, indexes: number[]): protobuf.Type | string {
    const key = `${id}:${indexes.join('.')}`;
    let t = this.protoTypes.get(key);
    if (t === undefined) {
      let ns: protobuf.Namespace = root;
      let found: protobuf.Type | undefined;
      for (const i of indexes) {
        const messages = ns.nestedArray.filter((n): n is protobuf.Type => n instanceof protobuf.Type);
        found = messages[i];
        if (!found) break;
        ns = found;
      }
      t = found ?? `schema id ${id} has no message at index path [${indexes.join(', ')}]`;
      this.protoTypes.set(key, t);
    }
    return t;
  }
}

/** JSON text of a decoded Avro value: bytes/fixed as base64, longs beyond 2^53 as strings. */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
    const raw = this[key];
    if (Buffer.isBuffer(raw)) return raw.toString('base64');
    if (typeof v === 'bigint') return v.toString();
    return v;
  });
}
