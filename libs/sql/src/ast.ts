import type { SqlPosition } from './diagnostics';

/**
 * The syntax tree the parser builds. Queries keep only what the backends and the type inference
 * need: the shape of the top SELECT (items, FROM, WHERE, grouping, windows…) in detail, other query
 * parts as `constructs` — named features the micro-batch backend refuses.
 */

/** A name as written: back-quoted (case kept exactly) or a bare word. */
export interface Identifier {
  name: string;
  quoted: boolean;
  position: SqlPosition;
}

/** A Flink SQL data type as written in CAST, RETURNING, … */
export interface DataType {
  /** upper-case type name: INT, DECIMAL, TIMESTAMP, TIMESTAMP_LTZ, ARRAY, ROW, … (CHARACTER VARYING → VARCHAR, DOUBLE PRECISION → DOUBLE) */
  name: string;
  /** length, precision, scale */
  params: number[];
  /** element types of ARRAY/MAP/MULTISET (also `T ARRAY`) */
  elements: DataType[];
  /** fields of ROW */
  fields: { name: Identifier; type: DataType }[];
  /** `WITH LOCAL TIME ZONE` (TIMESTAMP(3) WITH LOCAL TIME ZONE is TIMESTAMP_LTZ(3)) */
  localTimeZone: boolean;
  notNull: boolean;
  position: SqlPosition;
}

export type ArgumentItem = { kind: 'expr'; expr: Expr } | { kind: 'word'; word: string } | { kind: 'type'; type: DataType };

/** One argument of a function call: expressions mixed with the keywords of special argument syntaxes. */
export interface Argument {
  /** `name => expr` */
  name: Identifier | null;
  items: ArgumentItem[];
}

export type Expr =
  | { kind: 'number'; text: string; position: SqlPosition }
  | { kind: 'string'; value: string; position: SqlPosition }
  | { kind: 'boolean'; value: boolean; position: SqlPosition }
  | { kind: 'null'; position: SqlPosition }
  | { kind: 'unknown-literal'; position: SqlPosition }
  | { kind: 'typed-literal'; type: 'DATE' | 'TIME' | 'TIMESTAMP' | 'TIMESTAMP_LTZ'; value: string; position: SqlPosition }
  | { kind: 'interval'; negative: boolean; value: string; from: string; to: string | null; position: SqlPosition }
  | { kind: 'column'; parts: Identifier[]; position: SqlPosition }
  /** a niladic built-in written without parentheses: CURRENT_TIMESTAMP, LOCALTIMESTAMP, … */
  | { kind: 'niladic'; name: string; position: SqlPosition }
  | { kind: 'call'; name: string; qualified: boolean; args: Argument[]; distinct: boolean; star: boolean; filter: boolean; over: boolean; withinGroup: boolean; position: SqlPosition }
  | { kind: 'cast'; try: boolean; expr: Expr; type: DataType; position: SqlPosition }
  | { kind: 'extract'; unit: string; expr: Expr; position: SqlPosition }
  | { kind: 'case'; operand: Expr | null; whens: { when: Expr[]; then: Expr }[]; else: Expr | null; position: SqlPosition }
  | { kind: 'binary'; op: string; left: Expr; right: Expr; position: SqlPosition }
  | { kind: 'unary'; op: 'NOT' | '-' | '+'; expr: Expr; position: SqlPosition }
  | { kind: 'is'; not: boolean; test: 'NULL' | 'TRUE' | 'FALSE' | 'UNKNOWN' | 'JSON'; expr: Expr; position: SqlPosition }
  | { kind: 'distinct-from'; not: boolean; left: Expr; right: Expr; position: SqlPosition }
  | { kind: 'between'; not: boolean; expr: Expr; low: Expr; high: Expr; symmetric: boolean; position: SqlPosition }
  | { kind: 'in'; not: boolean; expr: Expr; list: Expr[] | null; position: SqlPosition }
  | { kind: 'like'; not: boolean; similar: boolean; expr: Expr; pattern: Expr; escape: Expr | null; position: SqlPosition }
  | { kind: 'paren'; expr: Expr; position: SqlPosition }
  /** a construct only the Flink backend passes through: subqueries, EXISTS, ARRAY[…], MAP[…], element access, row constructors, TABLE arguments */
  | { kind: 'other'; construct: string; position: SqlPosition };

/** What a FROM clause reads. */
export type FromItem =
  | { kind: 'input'; placeholder: string; alias: Identifier | null; position: SqlPosition }
  /** a window table-valued function over the input: TABLE(TUMBLE(TABLE {{ input }}, DESCRIPTOR(ts), …)) */
  | { kind: 'window'; function: string; alias: Identifier | null; position: SqlPosition }
  | { kind: 'other'; construct: string; position: SqlPosition };

export interface SelectItem {
  /** null for `*` and `t.*` */
  expr: Expr | null;
  alias: Identifier | null;
  position: SqlPosition;
}

/** A construct of the query named for the micro-batch backend, which refuses it. */
export interface Construct {
  name: string;
  position: SqlPosition;
}

/** The top SELECT of a query (its first branch for set operations). */
export interface SelectNode {
  items: SelectItem[];
  from: FromItem | null;
  where: Expr | null;
  /** constructs beyond a row-by-row SELECT … FROM {{ input }} WHERE …: GROUP BY, DISTINCT, joins, windows, ORDER BY, … */
  constructs: Construct[];
}
