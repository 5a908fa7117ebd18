import { flinkString, quoteFlinkIdentifier } from '@matih/sql';
import { PlanError, type PlanDiagnostic } from './diagnostics';
import { KAFKA_SOURCE_COLUMNS } from './relations';

/** A record value schema as the source's schema registry holds it (the subject's latest version). */
export interface RegisteredValueSchema {
  /** `<topic>-value` (TopicNameStrategy) */
  subject: string;
  id: number;
  version: number;
  schemaType: 'AVRO' | 'PROTOBUF' | 'JSON';
  /** the schema text: Avro JSON, .proto source or JSON Schema */
  schema: string;
}

/** The registered value schema of each source that needs one, by source name. */
export type SourceSchemas = Readonly<Record<string, RegisteredValueSchema>>;

/** One top-level field of an Avro record value, as a typed column of the Flink source table. */
export interface AvroColumn {
  name: string;
  /** the Flink type; every column is nullable (Flink's reader schema makes each field a union with null) */
  flinkType: string;
}

/**
 * Avro primitive → Flink type. Only types whose JSON rendering is the same on both engines: the
 * micro-batch engine renders the decoded record with JSON.stringify, Flink with JSON_OBJECT over
 * these columns. bytes/fixed (base64 vs Flink's rendering), enums (Flink's reader schema is a
 * string, which Avro cannot resolve an enum into), logical types (dates and timestamps render as
 * numbers in one and as text in the other), arrays, maps and nested records are refused for now.
 */
const PRIMITIVES: Record<string, string> = { boolean: 'BOOLEAN', int: 'INT', long: 'BIGINT', float: 'FLOAT', double: 'DOUBLE', string: 'STRING' };

/** `'null'`, a primitive name, or a schema object; undefined when it is something else. */
function describeType(type: unknown): string {
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) return `union [${type.map(describeType).join(', ')}]`;
  if (type && typeof type === 'object') {
    const t = type as { type?: unknown; logicalType?: unknown };
    return typeof t.logicalType === 'string' ? `${String(t.type)} (logicalType ${t.logicalType})` : String(t.type);
  }
  return JSON.stringify(type);
}

/** The Flink type of an Avro field type, or why the Flink target cannot read it. */
function flinkTypeOf(type: unknown): string | { unsupported: string } {
  if (Array.isArray(type)) {
    const branches = type.filter((b) => b !== 'null');
    if (branches.length === 1 && branches.length === type.length - 1) return flinkTypeOf(branches[0]);
    return { unsupported: describeType(type) };
  }
  if (typeof type === 'string') return PRIMITIVES[type] ?? { unsupported: type };
  if (type && typeof type === 'object') {
    const t = type as { type?: unknown; logicalType?: unknown };
    if (t.logicalType === undefined && typeof t.type === 'string' && PRIMITIVES[t.type]) return PRIMITIVES[t.type] as string;
    if (t.logicalType === 'uuid' && t.type === 'string') return 'STRING';
  }
  return { unsupported: describeType(type) };
}

const RESERVED = new Set(KAFKA_SOURCE_COLUMNS.map((c) => c.name));

/**
 * The typed columns of an Avro record value schema, for the Flink source table. Throws a PlanError
 * naming each field the Flink target cannot read (at `path`, the source's `format`).
 */
export function avroValueColumns(registered: RegisteredValueSchema, path: string): AvroColumn[] {
  const where = `the schema registry's subject ${registered.subject} (version ${registered.version}, id ${registered.id})`;
  if (registered.schemaType !== 'AVRO') {
    throw new PlanError([{ path, message: `${where} holds a ${registered.schemaType} schema, not an Avro one`, hint: 'set format to the format the producers write' }]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(registered.schema);
  } catch (error) {
    throw new PlanError([{ path, message: `${where} is not valid Avro schema JSON: ${(error as Error).message}` }]);
  }
  const record = parsed as { type?: unknown; fields?: unknown };
  if (!record || typeof record !== 'object' || record.type !== 'record' || !Array.isArray(record.fields)) {
    throw new PlanError([{ path, message: `${where} is a ${describeType(parsed)}, but the Flink target reads Avro values that are records`, hint: 'use orchestration.engine: airflow (the micro-batch engine exposes any Avro value as JSON text)' }]);
  }
  const diagnostics: PlanDiagnostic[] = [];
  const columns: AvroColumn[] = [];
  for (const field of record.fields as { name?: unknown; type?: unknown }[]) {
    const name = String(field.name);
    if (RESERVED.has(name)) {
      diagnostics.push({ path, message: `field \`${name}\` of ${where} has the name of a Kafka source column`, hint: 'rename the field in the schema, or use the micro-batch engine (it exposes the value only as JSON text)' });
      continue;
    }
    const type = flinkTypeOf(field.type);
    if (typeof type !== 'string') {
      diagnostics.push({
        path,
        message: `field \`${name}\` of ${where} is ${type.unsupported}, which the Flink target does not map to a column yet (booleans, ints, longs, floats, doubles and strings, optionally in a union with null)`,
        hint: 'use orchestration.engine: airflow: the micro-batch engine decodes any Avro value into JSON text',
      });
      continue;
    }
    columns.push({ name, flinkType: type });
  }
  if (diagnostics.length > 0) throw new PlanError(diagnostics);
  if (columns.length === 0) throw new PlanError([{ path, message: `${where} is a record without fields` }]);
  return columns;
}

/**
 * The `value` column over the typed columns: the record as JSON text, as the micro-batch engine
 * exposes a decoded Avro value, so that `JSON_VALUE(value, '$.field')` gives the same on both engines.
 * A NULL field is written as JSON null, as JSON.stringify writes it.
 */
export function avroValueJson(columns: readonly AvroColumn[]): string {
  return `JSON_OBJECT(${columns.map((c) => `KEY ${flinkString(c.name)} VALUE ${quoteFlinkIdentifier(c.name)}`).join(', ')} NULL ON NULL)`;
}
