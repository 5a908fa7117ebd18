import { SqlSyntaxError, type SqlDiagnostic } from './diagnostics';
import { selectToDuckDb, expressionToDuckDb, type DuckDbTranslation } from './duckdb';
import { printFlinkTokens } from './flink';
import { parseQuery, parseScalarExpression, type OutputColumn, type ParsedExpression, type SelectStatement } from './parser';
import { tokenize } from './tokenizer';
import { inferExpression, inferSelectTypes, type InferredColumn, type SqlType, type TypedColumn } from './types';

/** The placeholder through which a transform reads its input. */
export const INPUT_PLACEHOLDER = 'input';

export type TransformParseResult =
  | { ok: true; statement: SelectStatement; columns: OutputColumn[] }
  | { ok: false; diagnostics: SqlDiagnostic[] };

export type ExpressionParseResult = { ok: true; expression: ParsedExpression } | { ok: false; diagnostics: SqlDiagnostic[] };

function toDiagnostics(error: unknown): SqlDiagnostic[] {
  if (error instanceof SqlSyntaxError) return [error.toDiagnostic()];
  if (error instanceof RangeError) {
    return [{ message: 'the SQL is too deeply nested to check', position: { offset: 0, line: 1, col: 1 } }];
  }
  throw error;
}

/**
 * Parses the SQL of a `sql_transform`: exactly one SELECT statement (a trailing `;` is allowed)
 * that reads its input through `{{ input }}` and no other table. Positions in diagnostics are
 * inside `sql`. Never throws for bad SQL.
 */
export function parseTransform(sql: string): TransformParseResult {
  let statement: SelectStatement;
  try {
    statement = parseQuery(sql);
  } catch (error) {
    return { ok: false, diagnostics: toDiagnostics(error) };
  }
  const diagnostics: SqlDiagnostic[] = [];
  const ctes = new Set(statement.cteNames.map((n) => n.toLowerCase()));
  for (const ref of statement.tables) {
    if (ref.kind === 'placeholder' && ref.name !== INPUT_PLACEHOLDER) {
      diagnostics.push({ message: `unknown placeholder \`{{ ${ref.name} }}\``, hint: 'did you mean `{{ input }}`?', position: ref.position });
    } else if (ref.kind === 'table' && !ctes.has(ref.name.toLowerCase())) {
      diagnostics.push({
        message: `table \`${ref.name}\` is not defined here`,
        hint: 'a transform reads only its input, `{{ input }}`, and names it defines with WITH',
        position: ref.position,
      });
    }
  }
  if (!statement.tables.some((ref) => ref.kind === 'placeholder' && ref.name === INPUT_PLACEHOLDER) && diagnostics.length === 0) {
    diagnostics.push({ message: 'the query never reads `{{ input }}`', hint: 'write FROM {{ input }}', position: { offset: 0, line: 1, col: 1 } });
  }
  if (diagnostics.length > 0) return { ok: false, diagnostics };
  return { ok: true, statement, columns: statement.columns };
}

/** Parses one scalar Flink SQL expression (for computed columns such as an event-time expression). */
export function parseExpression(sql: string): ExpressionParseResult {
  try {
    return { ok: true, expression: parseScalarExpression(sql) };
  } catch (error) {
    return { ok: false, diagnostics: toDiagnostics(error) };
  }
}

/**
 * Replaces every `{{ input }}` placeholder with `tableSql` (an already-quoted table reference),
 * leaving everything else — strings and comments included — as written. Throws `SqlSyntaxError`
 * when the SQL cannot be tokenized; call it on SQL that `parseTransform` accepted.
 */
export function substituteInput(sql: string, tableSql: string): string {
  let out = '';
  let at = 0;
  for (const token of tokenize(sql)) {
    if (token.kind === 'placeholder' && token.value === INPUT_PLACEHOLDER) {
      out += sql.slice(at, token.start.offset) + tableSql;
      at = token.end.offset;
    }
  }
  return out + sql.slice(at);
}

/**
 * The transform as Flink SQL: the parsed SELECT re-printed with every identifier back-quoted and
 * `{{ input }}` replaced by `inputTable` (already quoted), without a trailing `;` or comments.
 */
export function transformToFlink(sql: string, statement: SelectStatement, inputTable: string): string {
  return printFlinkTokens(sql, statement.tokens, statement.identifierTokens, () => inputTable);
}

/** A parsed scalar expression as Flink SQL, identifiers back-quoted. */
export function expressionToFlink(sql: string, expression: ParsedExpression): string {
  return printFlinkTokens(sql, expression.tokens, expression.identifierTokens, (name) => `{{ ${name} }}`);
}

/** The types of a transform's output columns over its input's columns (see types.ts for the rules). */
export function inferTransformTypes(statement: SelectStatement, input: readonly TypedColumn[]): InferredColumn[] {
  return inferSelectTypes(statement.select, statement.columns.map((c) => c.name), input);
}

/** The type of a scalar expression (a computed column) over the given columns. */
export function inferExpressionType(expression: ParsedExpression, columns: readonly TypedColumn[]): { ok: true; type: SqlType } | { ok: false; reason: string } {
  return inferExpression(expression.expr, columns);
}

/** The transform as a DuckDB SELECT reading `inputRelation` (already quoted), or why it cannot run batch by batch. */
export function transformToDuckDb(statement: SelectStatement, inputRelation: string, input: readonly TypedColumn[]): DuckDbTranslation {
  return selectToDuckDb(statement.select, inputRelation, input);
}

/** A scalar expression (a computed column) as DuckDB SQL over the given columns. */
export function scalarToDuckDb(expression: ParsedExpression, columns: readonly TypedColumn[]): DuckDbTranslation {
  return expressionToDuckDb(expression.expr, columns);
}
