import type { DataType, Expr, SelectNode } from './ast';
import type { SqlPosition } from './diagnostics';

/** A Flink SQL type, as far as the compiler needs to know it. */
export type SqlType =
  | { kind: 'BOOLEAN' | 'TINYINT' | 'SMALLINT' | 'INT' | 'BIGINT' | 'FLOAT' | 'DOUBLE' | 'STRING' | 'BYTES' | 'DATE' | 'NULL' }
  | { kind: 'DECIMAL'; precision: number; scale: number }
  | { kind: 'TIME' | 'TIMESTAMP' | 'TIMESTAMP_LTZ'; precision: number }
  /** a type the compiler passes through but cannot write to Iceberg: MAP<…>, ARRAY<…>, INTERVAL, … (Flink spelling) */
  | { kind: 'OTHER'; text: string };

/** A column of a relation: a source table, a transform's input or output. */
export interface TypedColumn {
  name: string;
  type: SqlType;
}

export type InferredColumn =
  | { name: string; ok: true; type: SqlType }
  | { name: string; ok: false; reason: string; position: SqlPosition };

const t = <K extends 'BOOLEAN' | 'TINYINT' | 'SMALLINT' | 'INT' | 'BIGINT' | 'FLOAT' | 'DOUBLE' | 'STRING' | 'BYTES' | 'DATE' | 'NULL'>(kind: K): SqlType => ({ kind });
export const TYPES = {
  boolean: t('BOOLEAN'),
  int: t('INT'),
  bigint: t('BIGINT'),
  double: t('DOUBLE'),
  string: t('STRING'),
  bytes: t('BYTES'),
  date: t('DATE'),
  null: t('NULL'),
  timestampLtz: (precision: number): SqlType => ({ kind: 'TIMESTAMP_LTZ', precision }),
  timestamp: (precision: number): SqlType => ({ kind: 'TIMESTAMP', precision }),
  decimal: (precision: number, scale: number): SqlType => ({ kind: 'DECIMAL', precision, scale }),
  other: (text: string): SqlType => ({ kind: 'OTHER', text }),
};

/** The type's Flink SQL spelling: STRING, DECIMAL(10, 2), TIMESTAMP_LTZ(3), … */
export function formatFlinkType(type: SqlType): string {
  switch (type.kind) {
    case 'DECIMAL':
      return `DECIMAL(${type.precision}, ${type.scale})`;
    case 'TIME':
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return `${type.kind}(${type.precision})`;
    case 'OTHER':
      return type.text;
    default:
      return type.kind;
  }
}

/** The Flink type a written data type stands for (CHAR/VARCHAR are STRING, BINARY/VARBINARY are BYTES). */
export function typeOfDataType(dt: DataType): SqlType {
  switch (dt.name) {
    case 'BOOLEAN':
    case 'TINYINT':
    case 'SMALLINT':
    case 'BIGINT':
    case 'FLOAT':
    case 'DOUBLE':
    case 'DATE':
    case 'BYTES':
    case 'STRING':
      return { kind: dt.name };
    case 'INT':
    case 'INTEGER':
      return TYPES.int;
    case 'REAL':
      return { kind: 'FLOAT' };
    case 'CHAR':
    case 'VARCHAR':
      return TYPES.string;
    case 'BINARY':
    case 'VARBINARY':
      return TYPES.bytes;
    case 'DECIMAL':
    case 'DEC':
    case 'NUMERIC':
      return TYPES.decimal(dt.params[0] ?? 10, dt.params[1] ?? 0);
    case 'TIME':
      return { kind: 'TIME', precision: dt.params[0] ?? 0 };
    case 'TIMESTAMP':
      return { kind: dt.localTimeZone ? 'TIMESTAMP_LTZ' : 'TIMESTAMP', precision: dt.params[0] ?? 6 };
    case 'TIMESTAMP_LTZ':
      return TYPES.timestampLtz(dt.params[0] ?? 6);
    default:
      return TYPES.other(dt.name);
  }
}

const INTEGERS = ['TINYINT', 'SMALLINT', 'INT', 'BIGINT'];
const NUMERIC_ORDER = ['TINYINT', 'SMALLINT', 'INT', 'BIGINT', 'DECIMAL', 'FLOAT', 'DOUBLE'];

export const isInteger = (type: SqlType): boolean => INTEGERS.includes(type.kind);
export const isNumeric = (type: SqlType): boolean => NUMERIC_ORDER.includes(type.kind);
export const isTimestamp = (type: SqlType): boolean => type.kind === 'TIMESTAMP' || type.kind === 'TIMESTAMP_LTZ';

/** The type both values fit in (CASE branches, COALESCE arguments, arithmetic), or null when there is none. */
export function commonType(a: SqlType, b: SqlType): SqlType | null {
  if (a.kind === 'NULL') return b;
  if (b.kind === 'NULL') return a;
  if (isNumeric(a) && isNumeric(b)) {
    if (a.kind === 'DECIMAL' && b.kind === 'DECIMAL') {
      const scale = Math.max(a.scale, b.scale);
      return TYPES.decimal(Math.min(38, Math.max(a.precision - a.scale, b.precision - b.scale) + scale), scale);
    }
    if (a.kind === 'DECIMAL' && isInteger(b)) return a;
    if (b.kind === 'DECIMAL' && isInteger(a)) return b;
    return NUMERIC_ORDER.indexOf(a.kind) >= NUMERIC_ORDER.indexOf(b.kind) ? a : b;
  }
  if (a.kind === b.kind) {
    if ((a.kind === 'TIMESTAMP' || a.kind === 'TIMESTAMP_LTZ' || a.kind === 'TIME') && (b.kind === 'TIMESTAMP' || b.kind === 'TIMESTAMP_LTZ' || b.kind === 'TIME')) {
      return { kind: a.kind, precision: Math.max(a.precision, b.precision) };
    }
    if (a.kind === 'OTHER' && b.kind === 'OTHER') return a.text === b.text ? a : null;
    return a;
  }
  return null;
}

type Result = { ok: true; type: SqlType } | { ok: false; reason: string; position: SqlPosition };
const ok = (type: SqlType): Result => ({ ok: true, type });
const unknown = (reason: string, position: SqlPosition): Result => ({ ok: false, reason, position });

const STRING_FUNCTIONS = new Set([
  'UPPER', 'LOWER', 'TRIM', 'LTRIM', 'RTRIM', 'CONCAT', 'CONCAT_WS', 'SUBSTRING', 'SUBSTR', 'REPLACE', 'REGEXP_REPLACE', 'REGEXP_EXTRACT',
  'INITCAP', 'LPAD', 'RPAD', 'REPEAT', 'REVERSE', 'SPLIT_INDEX', 'LEFT', 'RIGHT', 'DATE_FORMAT', 'FROM_UNIXTIME', 'MD5', 'SHA1', 'SHA256',
  'TO_BASE64', 'FROM_BASE64', 'JSON_QUERY', 'JSON_STRING', 'JSON_OBJECT', 'JSON_ARRAY', 'UUID', 'OVERLAY', 'TRANSLATE', 'HEX', 'LISTAGG',
]);
const INT_FUNCTIONS = new Set(['CHAR_LENGTH', 'CHARACTER_LENGTH', 'POSITION', 'LOCATE', 'INSTR', 'ASCII']);
const BIGINT_FUNCTIONS = new Set(['COUNT', 'YEAR', 'QUARTER', 'MONTH', 'WEEK', 'DAYOFYEAR', 'DAYOFMONTH', 'DAYOFWEEK', 'HOUR', 'MINUTE', 'SECOND', 'UNIX_TIMESTAMP', 'ROW_NUMBER', 'RANK', 'DENSE_RANK', 'TIMESTAMPDIFF']);
const BOOLEAN_FUNCTIONS = new Set(['REGEXP', 'JSON_EXISTS', 'IS_ALPHA', 'IS_DECIMAL', 'IS_DIGIT', 'STARTSWITH', 'ENDSWITH']);
const SAME_AS_ARGUMENT = new Set(['MIN', 'MAX', 'ABS', 'FIRST_VALUE', 'LAST_VALUE', 'LAG', 'LEAD', 'SUM', 'CEIL', 'CEILING', 'FLOOR', 'ROUND', 'TRUNCATE', 'SIGN']);
const DOUBLE_FUNCTIONS = new Set(['SQRT', 'LN', 'LOG', 'LOG10', 'LOG2', 'EXP', 'POWER', 'POW', 'SIN', 'COS', 'TAN', 'RAND', 'PI', 'E', 'DEGREES', 'RADIANS']);
const JSON_VALUE_RETURNING = new Set(['STRING', 'BOOLEAN', 'INT', 'DOUBLE']);
const COMMON_OF_ARGUMENTS = new Set(['COALESCE', 'IFNULL', 'NULLIF', 'GREATEST', 'LEAST', 'IF']);

/** Looks a column up in a relation: exact name first (Flink is case-sensitive), with a hint otherwise. */
function lookup(columns: readonly TypedColumn[], name: string): TypedColumn | string {
  const exact = columns.find((c) => c.name === name);
  if (exact) return exact;
  const folded = columns.find((c) => c.name.toLowerCase() === name.toLowerCase());
  if (folded) return `column \`${name}\` is not in the input; names are case-sensitive: did you mean \`${folded.name}\`?`;
  return `column \`${name}\` is not in the input (${columns.map((c) => c.name).join(', ')})`;
}

/**
 * Types of the output columns of a transform's top SELECT, given its input's columns. Works over
 * the subset the compiler understands; anything else is reported as not inferable, with the reason.
 */
export function inferSelectTypes(select: SelectNode, outputNames: readonly (string | null)[], input: readonly TypedColumn[]): InferredColumn[] {
  const scope = [...input];
  const aliases = new Set<string>();
  if (select.from?.kind === 'input' && select.from.alias) aliases.add(select.from.alias.name);
  if (select.from?.kind === 'window') {
    if (select.from.alias) aliases.add(select.from.alias.name);
    const timeType = input.find((c) => isTimestamp(c.type))?.type ?? TYPES.timestamp(3);
    scope.push({ name: 'window_start', type: TYPES.timestamp(3) }, { name: 'window_end', type: TYPES.timestamp(3) }, { name: 'window_time', type: timeType });
  }
  const fromKnown = select.from?.kind === 'input' || select.from?.kind === 'window';
  const result: InferredColumn[] = [];
  select.items.forEach((item, index) => {
    if (item.expr === null) {
      if (!fromKnown) {
        result.push({ name: '*', ok: false, reason: '`*` over this FROM clause has unknown columns', position: item.position });
      } else {
        for (const c of scope) result.push({ name: c.name, ok: true, type: c.type });
      }
      return;
    }
    const name = outputNames[index] ?? `EXPR$${index}`;
    const typed = fromKnown ? inferExpression(item.expr, scope, aliases) : unknown(`its FROM clause (${select.from?.kind === 'other' ? select.from.construct : 'none'}) is beyond what the compiler types`, item.position);
    result.push(typed.ok ? { name, ok: true, type: typed.type } : { name, ok: false, reason: typed.reason, position: typed.position });
  });
  return result;
}

/** The type of one expression over a relation's columns. */
export function inferExpression(expr: Expr, scope: readonly TypedColumn[], aliases: ReadonlySet<string> = new Set()): Result {
  const rec = (e: Expr): Result => inferExpression(e, scope, aliases);
  switch (expr.kind) {
    case 'number': {
      if (/[eE]/.test(expr.text)) return ok(TYPES.double);
      if (expr.text.includes('.')) {
        const [whole = '', frac = ''] = expr.text.split('.');
        const digits = whole.replace(/^0+/, '').length + frac.length;
        return ok(TYPES.decimal(Math.max(digits, 1), frac.length));
      }
      const n = BigInt(expr.text);
      return ok(n <= 2147483647n ? TYPES.int : n <= 9223372036854775807n ? TYPES.bigint : TYPES.decimal(expr.text.length, 0));
    }
    case 'string':
      return ok(TYPES.string);
    case 'boolean':
    case 'unknown-literal':
      return ok(TYPES.boolean);
    case 'null':
      return ok(TYPES.null);
    case 'typed-literal':
      if (expr.type === 'DATE') return ok(TYPES.date);
      if (expr.type === 'TIME') return ok({ kind: 'TIME', precision: 0 });
      return ok({ kind: expr.type, precision: Math.max(0, (expr.value.split('.')[1] ?? '').length) });
    case 'interval':
      return ok(TYPES.other('INTERVAL'));
    case 'niladic':
      if (expr.name === 'CURRENT_DATE') return ok(TYPES.date);
      if (expr.name === 'CURRENT_TIME' || expr.name === 'LOCALTIME') return ok({ kind: 'TIME', precision: 0 });
      if (expr.name === 'LOCALTIMESTAMP') return ok(TYPES.timestamp(3));
      if (expr.name === 'CURRENT_TIMESTAMP' || expr.name === 'CURRENT_ROW_TIMESTAMP') return ok(TYPES.timestampLtz(3));
      return ok(TYPES.string);
    case 'column': {
      const parts = expr.parts.map((p) => p.name);
      const name = parts.length === 2 && aliases.has(parts[0] as string) ? (parts[1] as string) : parts.length === 1 ? (parts[0] as string) : null;
      if (name === null) return unknown(`\`${parts.join('.')}\` is a nested field access`, expr.position);
      const found = lookup(scope, name);
      return typeof found === 'string' ? unknown(found, expr.position) : ok(found.type);
    }
    case 'cast':
      return ok(typeOfDataType(expr.type));
    case 'extract':
      return ok(TYPES.bigint);
    case 'paren':
      return rec(expr.expr);
    case 'unary':
      return expr.op === 'NOT' ? ok(TYPES.boolean) : rec(expr.expr);
    case 'is':
    case 'distinct-from':
    case 'between':
    case 'in':
    case 'like':
      return ok(TYPES.boolean);
    case 'case': {
      let type: SqlType = TYPES.null;
      for (const branch of [...expr.whens.map((w) => w.then), ...(expr.else ? [expr.else] : [])]) {
        const r = rec(branch);
        if (!r.ok) return r;
        const next = commonType(type, r.type);
        if (next === null) return unknown(`the CASE branches have no common type (${formatFlinkType(type)} and ${formatFlinkType(r.type)})`, branch.position);
        type = next;
      }
      return ok(type);
    }
    case 'binary': {
      if (['AND', 'OR', '=', '<>', '<', '>', '<=', '>='].includes(expr.op)) return ok(TYPES.boolean);
      if (expr.op === '||') return ok(TYPES.string);
      const left = rec(expr.left);
      if (!left.ok) return left;
      const right = rec(expr.right);
      if (!right.ok) return right;
      if ((expr.op === '+' || expr.op === '-') && isTimestamp(left.type) && right.type.kind === 'OTHER') return left;
      if (expr.op === '+' && isTimestamp(right.type) && left.type.kind === 'OTHER') return right;
      if (isNumeric(left.type) && isNumeric(right.type)) {
        if (left.type.kind === 'DECIMAL' || right.type.kind === 'DECIMAL') {
          if (left.type.kind === 'FLOAT' || left.type.kind === 'DOUBLE' || right.type.kind === 'FLOAT' || right.type.kind === 'DOUBLE') return ok(TYPES.double);
          return unknown(`decimal arithmetic (\`${expr.op}\`) changes precision and scale`, expr.position);
        }
        const common = commonType(left.type, right.type);
        if (common) return ok(common);
      }
      return unknown(`\`${expr.op}\` over ${formatFlinkType(left.type)} and ${formatFlinkType(right.type)} is beyond what the compiler types`, expr.position);
    }
    case 'call':
      return inferCall(expr, rec);
    case 'other':
      return unknown(`${expr.construct} has no type the compiler infers`, expr.position);
  }
}

function inferCall(expr: Extract<Expr, { kind: 'call' }>, rec: (e: Expr) => Result): Result {
  const name = expr.name;
  const firstArg = (): Result => {
    const item = expr.args[0]?.items[0];
    return item?.kind === 'expr' ? rec(item.expr) : unknown(`${name}() needs an argument`, expr.position);
  };
  if (name === 'JSON_VALUE') {
    for (const arg of expr.args) {
      const at = arg.items.findIndex((i) => i.kind === 'word' && i.word === 'RETURNING');
      const type = arg.items[at + 1];
      if (at >= 0 && type?.kind === 'type') {
        const returning = typeOfDataType(type.type);
        if (!JSON_VALUE_RETURNING.has(returning.kind)) {
          return unknown(`Flink's JSON_VALUE cannot return ${formatFlinkType(returning)} (only STRING, BOOLEAN, INT, DOUBLE); write CAST(JSON_VALUE(…) AS ${formatFlinkType(returning)})`, expr.position);
        }
        return ok(returning);
      }
    }
    return ok(TYPES.string);
  }
  if (STRING_FUNCTIONS.has(name)) return ok(TYPES.string);
  if (INT_FUNCTIONS.has(name)) return ok(TYPES.int);
  if (BIGINT_FUNCTIONS.has(name)) return ok(TYPES.bigint);
  if (BOOLEAN_FUNCTIONS.has(name)) return ok(TYPES.boolean);
  if (DOUBLE_FUNCTIONS.has(name)) return ok(TYPES.double);
  if (name === 'AVG' || name === 'MOD') return firstArg();
  if (SAME_AS_ARGUMENT.has(name)) {
    const first = firstArg();
    // FLOOR(ts TO DAY) keeps the timestamp type; FLOOR(x) of a number keeps the number's
    return first;
  }
  if (COMMON_OF_ARGUMENTS.has(name)) {
    let type: SqlType = TYPES.null;
    const args = name === 'IF' ? expr.args.slice(1) : name === 'NULLIF' ? expr.args.slice(0, 1) : expr.args;
    for (const arg of args) {
      const item = arg.items[0];
      if (item?.kind !== 'expr') return unknown(`${name}() has an argument the compiler does not type`, expr.position);
      const r = rec(item.expr);
      if (!r.ok) return r;
      const next = commonType(type, r.type);
      if (next === null) return unknown(`the arguments of ${name}() have no common type`, expr.position);
      type = next;
    }
    return ok(type);
  }
  if (name === 'TO_TIMESTAMP') return ok(TYPES.timestamp(3));
  if (name === 'TO_TIMESTAMP_LTZ' || name === 'NOW' || name === 'PROCTIME' || name === 'CURRENT_WATERMARK') return ok(TYPES.timestampLtz(3));
  if (name === 'TO_DATE') return ok(TYPES.date);
  if (name === 'DATE') return ok(TYPES.date);
  if (name === 'TUMBLE_START' || name === 'TUMBLE_END' || name === 'HOP_START' || name === 'HOP_END') return ok(TYPES.timestamp(3));
  return unknown(`the result type of ${name}() is not known to the compiler`, expr.position);
}
