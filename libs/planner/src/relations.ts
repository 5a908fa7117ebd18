import type { KafkaSource, PipelineDefinition, SqlTransformation } from '@matih/pipeline-spec';
import { TYPES, formatFlinkType, inferExpressionType, inferTransformTypes, parseExpression, parseTransform, type ParsedExpression, type SelectStatement, type SqlType, type TypedColumn } from '@matih/sql';
import { PlanError, type PlanDiagnostic } from './diagnostics';

/** The columns every Kafka source table has, in Flink's types (see libs/pipeline-spec README). */
export const KAFKA_SOURCE_COLUMNS: readonly TypedColumn[] = [
  { name: 'key', type: TYPES.string },
  { name: 'value', type: TYPES.string },
  { name: 'event_timestamp', type: TYPES.timestampLtz(3) },
  { name: 'topic', type: TYPES.string },
  { name: 'partition', type: TYPES.int },
  { name: 'offset', type: TYPES.bigint },
  { name: 'headers', type: TYPES.other('MAP<STRING, BYTES>') },
];

/** A column whose type could not be inferred: the reason travels with it until a sink needs it. */
export interface UntypedColumn {
  name: string;
  reason: string;
  /** where: `transformations[2].sql` and the line/column inside the SQL */
  path: string;
}

/** What a source or transformation outputs, as the planner sees it. */
export interface Relation {
  name: string;
  kind: 'source' | 'transformation';
  /** the source this relation descends from */
  source: string;
  columns: TypedColumn[];
  untyped: Map<string, UntypedColumn>;
}

export interface AnalyzedSource {
  name: string;
  source: KafkaSource;
  /** the computed event-time column, when `event_time.column` is not a source column */
  computed: { column: string; sql: string; expression: ParsedExpression; type: SqlType } | null;
}

export interface AnalyzedTransformation {
  index: number;
  transformation: SqlTransformation;
  statement: SelectStatement;
  input: Relation;
}

export interface Analysis {
  sources: AnalyzedSource[];
  transformations: AnalyzedTransformation[];
  relations: Map<string, Relation>;
}

const UNKNOWN: SqlType = TYPES.other('UNKNOWN');

/**
 * Types every relation of a definition: source columns, computed event-time columns, and each
 * transformation's output (in dependency order). Collects every problem before failing.
 */
export function analyze(definition: PipelineDefinition): Analysis {
  const diagnostics: PlanDiagnostic[] = [];
  const relations = new Map<string, Relation>();
  const sources: AnalyzedSource[] = [];
  for (const [name, source] of Object.entries(definition.sources).sort(([a], [b]) => a.localeCompare(b))) {
    const columns = [...KAFKA_SOURCE_COLUMNS];
    let computed: AnalyzedSource['computed'] = null;
    const { column, expression } = source.event_time;
    if (!columns.some((c) => c.name === column)) {
      const path = `sources.${name}.event_time.expression`;
      if (expression === null) {
        diagnostics.push({ path: `sources.${name}.event_time.column`, message: `the event-time column \`${column}\` is not a source column and has no expression` });
      } else {
        const parsed = parseExpression(expression);
        if (!parsed.ok) {
          diagnostics.push(...parsed.diagnostics.map((d) => ({ path, message: d.message })));
        } else {
          const typed = inferExpressionType(parsed.expression, columns);
          if (!typed.ok) {
            diagnostics.push({ path, message: `cannot infer the type of the event-time expression: ${typed.reason}`, hint: 'CAST it to TIMESTAMP_LTZ(3) or TIMESTAMP(3)' });
          } else if (!((typed.type.kind === 'TIMESTAMP' || typed.type.kind === 'TIMESTAMP_LTZ') && typed.type.precision === 3)) {
            diagnostics.push({
              path,
              message: `the event-time expression is ${formatFlinkType(typed.type)}; a watermark needs TIMESTAMP(3) or TIMESTAMP_LTZ(3)`,
              hint: 'e.g. TO_TIMESTAMP_LTZ(CAST(JSON_VALUE(`value`, \'$.ts\') AS BIGINT), 3)',
            });
          } else {
            computed = { column, sql: expression, expression: parsed.expression, type: typed.type };
            columns.push({ name: column, type: typed.type });
          }
        }
      }
    }
    sources.push({ name, source, computed });
    relations.set(name, { name, kind: 'source', source: name, columns, untyped: new Map() });
  }

  const transformations: AnalyzedTransformation[] = [];
  definition.transformations.forEach((transformation, index) => {
    const path = `transformations[${index}].sql`;
    const input = relations.get(transformation.input);
    if (!input) {
      diagnostics.push({ path: `transformations[${index}].input`, message: `\`${transformation.input}\` is not a source or an earlier transformation` });
      return;
    }
    const parsed = parseTransform(transformation.sql);
    if (!parsed.ok) {
      diagnostics.push(...parsed.diagnostics.map((d) => ({ path, message: `line ${d.position.line}, col ${d.position.col}: ${d.message}`, ...(d.hint ? { hint: d.hint } : {}) })));
      return;
    }
    const inferred = inferTransformTypes(parsed.statement, input.columns);
    const columns: TypedColumn[] = [];
    const untyped = new Map<string, UntypedColumn>();
    for (const column of inferred) {
      const carried = input.untyped.get(column.name);
      if (column.ok && column.type === UNKNOWN && carried) {
        untyped.set(column.name, carried);
        columns.push({ name: column.name, type: UNKNOWN });
      } else if (column.ok) {
        columns.push({ name: column.name, type: column.type });
      } else {
        const at = `line ${column.position.line}, col ${column.position.col}`;
        untyped.set(column.name, { name: column.name, reason: `${at}: ${column.reason}`, path });
        columns.push({ name: column.name, type: UNKNOWN });
      }
    }
    transformations.push({ index, transformation, statement: parsed.statement, input });
    relations.set(transformation.name, { name: transformation.name, kind: 'transformation', source: input.source, columns, untyped });
  });
  if (diagnostics.length > 0) throw new PlanError(diagnostics);
  return { sources, transformations, relations };
}

export const isUnknown = (type: SqlType): boolean => type === UNKNOWN;
