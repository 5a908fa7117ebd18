import type { Argument, DataType, Expr, SelectNode } from './ast';
import type { SqlDiagnostic, SqlPosition } from './diagnostics';
import { inferExpression, isInteger, typeOfDataType, type SqlType, type TypedColumn } from './types';

/** A transform construct the micro-batch engine cannot compute batch by batch, or does not translate. */
class Unsupported extends Error {
  constructor(
    message: string,
    readonly position: SqlPosition,
    readonly hint?: string,
  ) {
    super(message);
  }
}

const BATCH_HINT = 'micro-batch transforms are row by row: SELECT expressions FROM {{ input }} WHERE …; use orchestration.engine: flink for this query';

const AGGREGATES = new Set(['COUNT', 'SUM', 'MIN', 'MAX', 'AVG', 'LISTAGG', 'COLLECT', 'FIRST_VALUE', 'LAST_VALUE', 'STDDEV_POP', 'STDDEV_SAMP', 'VAR_POP', 'VAR_SAMP', 'JSON_ARRAYAGG', 'JSON_OBJECTAGG', 'ARRAY_AGG']);
const STREAM_FUNCTIONS = new Set(['TUMBLE', 'HOP', 'CUMULATE', 'SESSION', 'TUMBLE_START', 'TUMBLE_END', 'HOP_START', 'HOP_END', 'SESSION_START', 'SESSION_END', 'PROCTIME', 'CURRENT_WATERMARK', 'ROW_NUMBER', 'RANK', 'DENSE_RANK', 'LAG', 'LEAD']);

/** A DuckDB identifier in double quotes. */
export function quoteDuckDbIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

const str = (value: string): string => `'${value.replace(/'/g, "''")}'`;

/** The DuckDB spelling of a Flink type. */
export function duckDbType(type: SqlType): string {
  switch (type.kind) {
    case 'BOOLEAN':
    case 'TINYINT':
    case 'SMALLINT':
    case 'BIGINT':
    case 'FLOAT':
    case 'DOUBLE':
    case 'DATE':
      return type.kind;
    case 'INT':
      return 'INTEGER';
    case 'STRING':
      return 'VARCHAR';
    case 'BYTES':
      return 'BLOB';
    case 'DECIMAL':
      return `DECIMAL(${type.precision}, ${type.scale})`;
    case 'TIME':
      return 'TIME';
    case 'TIMESTAMP':
      return 'TIMESTAMP';
    case 'TIMESTAMP_LTZ':
      return 'TIMESTAMPTZ';
    case 'NULL':
      return 'VARCHAR';
    case 'OTHER':
      throw new Error(`no DuckDB type for ${type.text}`);
  }
}

/** Java DateTimeFormatter / SimpleDateFormat letters → DuckDB strftime/strptime specifiers. */
const DATE_PATTERN: [string, string][] = [
  ['yyyy', '%Y'], ['yy', '%y'], ['MM', '%m'], ['dd', '%d'], ['HH', '%H'], ['hh', '%I'], ['mm', '%M'], ['ss', '%S'], ['SSSSSS', '%f'], ['SSS', '%g'], ['a', '%p'], ['EEE', '%a'], ['MMM', '%b'], ['DDD', '%j'],
];

/** Converts a Java date pattern (as DATE_FORMAT and TO_TIMESTAMP take) to strftime; throws on letters it does not know. */
export function javaPatternToStrftime(pattern: string, position: SqlPosition): string {
  let out = '';
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i] as string;
    if (c === "'") {
      const end = pattern.indexOf("'", i + 1);
      if (end === -1) throw new Unsupported(`unterminated quote in the date pattern '${pattern}'`, position);
      out += end === i + 1 ? "'" : pattern.slice(i + 1, end).replace(/%/g, '%%');
      i = end + 1;
      continue;
    }
    const match = DATE_PATTERN.filter(([java]) => pattern.startsWith(java, i)).sort((a, b) => b[0].length - a[0].length)[0];
    if (match) {
      out += match[1];
      i += match[0].length;
    } else if (/[A-Za-z]/.test(c)) {
      throw new Unsupported(`the date pattern letter \`${c}\` in '${pattern}' is not supported by the micro-batch engine`, position, 'use yyyy, yy, MM, MMM, dd, DDD, HH, hh, mm, ss, SSS, SSSSSS, a, EEE');
    } else {
      out += c === '%' ? '%%' : c;
      i++;
    }
  }
  return out;
}

export type DuckDbTranslation = { ok: true; sql: string } | { ok: false; diagnostics: SqlDiagnostic[] };

/**
 * Translates a transform's top SELECT to DuckDB SQL reading `input` (an already-quoted relation)
 * with the same columns as the Flink source table, so the same rows come out. Only row-by-row
 * queries translate; windows, joins, aggregations, DISTINCT, ORDER BY/LIMIT, set operations and
 * subqueries are refused with a diagnostic naming the construct.
 */
export function selectToDuckDb(select: SelectNode, input: string, columns: readonly TypedColumn[]): DuckDbTranslation {
  return translate(() => new Translator(select, columns).select(input));
}

/** Translates one scalar expression (a computed event-time column) over the source columns. */
export function expressionToDuckDb(expr: Expr, columns: readonly TypedColumn[]): DuckDbTranslation {
  return translate(() => new Translator({ items: [], from: null, where: null, constructs: [] }, columns).scalar(expr));
}

function translate(run: () => string): DuckDbTranslation {
  try {
    return { ok: true, sql: run() };
  } catch (error) {
    if (error instanceof Unsupported) {
      const d: SqlDiagnostic = { message: error.message, position: error.position };
      if (error.hint !== undefined) d.hint = error.hint;
      return { ok: false, diagnostics: [d] };
    }
    throw error;
  }
}


/** JSON paths DuckDB's json_value reads as Flink does and that cannot fail: `$.name`, `$[0]`, and chains of them. */
const PLAIN_JSON_PATH = /^\$(\.[A-Za-z_][A-Za-z0-9_]*|\[[0-9]+\])+$/;

class Translator {
  private readonly aliases = new Set<string>();
  /**
   * The plain paths JSON_VALUE reads from each document (by its SQL) in this query. They are read
   * with one json_value call per document, so each document is parsed once per row however many
   * fields the query takes from it: DuckDB computes the repeated call once per projection.
   * Filled by a first translation pass, used by the second.
   */
  private jsonPaths = new Map<string, string[]>();
  private collecting = false;

  constructor(
    private readonly node: SelectNode,
    private readonly columns: readonly TypedColumn[],
  ) {
    if (node.from?.kind === 'input' && node.from.alias) this.aliases.add(node.from.alias.name);
  }

  select(input: string): string {
    return this.twice(() => this.selectOnce(input));
  }

  scalar(expr: Expr): string {
    return this.twice(() => this.expr(expr));
  }

  /** Translates once to learn the JSON paths each document is read at, then again with them known. */
  private twice(run: () => string): string {
    this.jsonPaths = new Map();
    this.collecting = true;
    run();
    this.collecting = false;
    return run();
  }

  private selectOnce(input: string): string {
    const node = this.node;
    const construct = node.constructs[0];
    if (construct) throw new Unsupported(`${construct.name} cannot be computed batch by batch by the micro-batch engine`, construct.position, BATCH_HINT);
    if (node.from?.kind === 'window') throw new Unsupported(`the window table-valued function ${node.from.function} cannot be computed batch by batch by the micro-batch engine`, node.from.position, BATCH_HINT);
    if (node.from?.kind === 'other') throw new Unsupported(`${node.from.construct} in FROM cannot be computed batch by batch by the micro-batch engine`, node.from.position, BATCH_HINT);
    const items = node.items.map((item) => {
      if (item.expr === null) return '*';
      const sql = this.expr(item.expr);
      return item.alias ? `${sql} AS ${quoteDuckDbIdentifier(item.alias.name)}` : item.expr.kind === 'column' ? sql : `${sql} AS ${quoteDuckDbIdentifier(`EXPR$${node.items.indexOf(item)}`)}`;
    });
    if (node.from === null) throw new Unsupported('a transform without FROM {{ input }} cannot run in the micro-batch engine', node.items[0]?.position ?? { offset: 0, line: 1, col: 1 });
    const alias = node.from.alias ? ` AS ${quoteDuckDbIdentifier(node.from.alias.name)}` : '';
    const where = node.where ? `\nWHERE ${this.expr(node.where)}` : '';
    return `SELECT\n  ${items.join(',\n  ')}\nFROM ${input}${alias}${where}`;
  }

  private type(expr: Expr): SqlType | null {
    const r = inferExpression(expr, this.columns, this.aliases);
    return r.ok ? r.type : null;
  }

  /** a timestamp expression as a plain TIMESTAMP in UTC (Flink's session zone), whatever DuckDB's TimeZone is */
  private utc(expr: Expr): string {
    const sql = this.expr(expr);
    return this.type(expr)?.kind === 'TIMESTAMP_LTZ' ? `timezone('UTC', ${sql})` : sql;
  }

  private expr(expr: Expr): string {
    switch (expr.kind) {
      case 'number':
        return expr.text.includes('.') && !/[eE]/.test(expr.text) ? `${expr.text}` : expr.text;
      case 'string':
        return str(expr.value);
      case 'boolean':
        return expr.value ? 'TRUE' : 'FALSE';
      case 'null':
        return 'NULL';
      case 'unknown-literal':
        return 'CAST(NULL AS BOOLEAN)';
      case 'typed-literal':
        if (expr.type === 'TIMESTAMP_LTZ') return `timezone('UTC', TIMESTAMP ${str(expr.value)})`;
        return `${expr.type} ${str(expr.value)}`;
      case 'interval': {
        if (expr.to !== null) throw new Unsupported(`INTERVAL … ${expr.from} TO ${expr.to} is not supported by the micro-batch engine`, expr.position);
        const unit = expr.from.replace(/S$/, '');
        return `(${expr.negative ? '-' : ''}INTERVAL ${str(expr.value)} ${unit})`;
      }
      case 'niladic':
        if (expr.name === 'CURRENT_TIMESTAMP' || expr.name === 'CURRENT_ROW_TIMESTAMP') return 'current_timestamp';
        if (expr.name === 'CURRENT_DATE') return `CAST(timezone('UTC', current_timestamp) AS DATE)`;
        if (expr.name === 'LOCALTIMESTAMP') return `CAST(timezone('UTC', current_timestamp) AS TIMESTAMP(3))`;
        throw new Unsupported(`${expr.name} is not supported by the micro-batch engine`, expr.position);
      case 'column': {
        const parts = expr.parts.map((p) => p.name);
        if (parts.length > 2 || (parts.length === 2 && !this.aliases.has(parts[0] as string))) {
          throw new Unsupported(`nested field access \`${parts.join('.')}\` is not supported by the micro-batch engine`, expr.position);
        }
        return parts.map(quoteDuckDbIdentifier).join('.');
      }
      case 'paren':
        return `(${this.expr(expr.expr)})`;
      case 'unary':
        return expr.op === 'NOT' ? `(NOT ${this.expr(expr.expr)})` : `(${expr.op}${this.expr(expr.expr)})`;
      case 'binary':
        return this.binary(expr);
      case 'is':
        if (expr.test === 'JSON') throw new Unsupported('IS JSON is not supported by the micro-batch engine', expr.position);
        return `(${this.expr(expr.expr)} IS ${expr.not ? 'NOT ' : ''}${expr.test === 'UNKNOWN' ? 'NULL' : expr.test})`;
      case 'distinct-from':
        return `(${this.expr(expr.left)} IS ${expr.not ? 'NOT ' : ''}DISTINCT FROM ${this.expr(expr.right)})`;
      case 'between':
        if (expr.symmetric) throw new Unsupported('BETWEEN SYMMETRIC is not supported by the micro-batch engine', expr.position);
        return `(${this.expr(expr.expr)} ${expr.not ? 'NOT ' : ''}BETWEEN ${this.expr(expr.low)} AND ${this.expr(expr.high)})`;
      case 'in':
        return `(${this.expr(expr.expr)} ${expr.not ? 'NOT ' : ''}IN (${(expr.list ?? []).map((e) => this.expr(e)).join(', ')}))`;
      case 'like':
        if (expr.similar) throw new Unsupported('SIMILAR TO is not supported by the micro-batch engine', expr.position, 'use LIKE or REGEXP');
        return `(${this.expr(expr.expr)} ${expr.not ? 'NOT ' : ''}LIKE ${this.expr(expr.pattern)}${expr.escape ? ` ESCAPE ${this.expr(expr.escape)}` : ''})`;
      case 'case': {
        const whens = expr.whens.map((w) => {
          if (w.when.length !== 1) throw new Unsupported('CASE WHEN with a list of values is not supported by the micro-batch engine', expr.position);
          return ` WHEN ${this.expr(w.when[0] as Expr)} THEN ${this.expr(w.then)}`;
        });
        return `(CASE${expr.operand ? ` ${this.expr(expr.operand)}` : ''}${whens.join('')}${expr.else ? ` ELSE ${this.expr(expr.else)}` : ''} END)`;
      }
      case 'cast':
        return this.cast(expr.expr, expr.type, expr.try);
      case 'extract':
        return `CAST(extract(${expr.unit.replace(/S$/, '').toLowerCase()} FROM ${this.utc(expr.expr)}) AS BIGINT)`;
      case 'call':
        return this.call(expr);
      case 'other':
        throw new Unsupported(`${expr.construct} is not supported by the micro-batch engine`, expr.position, BATCH_HINT);
    }
  }

  private binary(expr: Extract<Expr, { kind: 'binary' }>): string {
    const left = this.expr(expr.left);
    const right = this.expr(expr.right);
    if (expr.op === '/') {
      const l = this.type(expr.left);
      const r = this.type(expr.right);
      // Flink divides integers as integers (truncating); DuckDB's `/` would give a DOUBLE
      if (l && r && isInteger(l) && isInteger(r)) return `CAST(trunc(${left} / ${right}) AS ${duckDbType(l.kind === 'BIGINT' || r.kind === 'BIGINT' ? { kind: 'BIGINT' } : l)})`;
    }
    return `(${left} ${expr.op} ${right})`;
  }

  private cast(inner: Expr, dt: DataType, isTry: boolean): string {
    const target = typeOfDataType(dt);
    if (target.kind === 'OTHER') throw new Unsupported(`CAST to ${target.text} is not supported by the micro-batch engine`, dt.position);
    const from = this.type(inner);
    let sql = this.expr(inner);
    const fn = isTry ? 'TRY_CAST' : 'CAST';
    // Flink truncates fractional numbers cast to integers; DuckDB would round them
    if (isInteger(target) && from && (from.kind === 'DOUBLE' || from.kind === 'FLOAT' || from.kind === 'DECIMAL')) sql = `trunc(${sql})`;
    // a timestamp with local time zone as text is its wall-clock time in the session zone (UTC), without an offset
    if (target.kind === 'STRING' && from?.kind === 'TIMESTAMP_LTZ') return `strftime(timezone('UTC', ${sql}), '%Y-%m-%d %H:%M:%S.%g')`;
    if (target.kind === 'STRING' && from?.kind === 'TIMESTAMP') return `strftime(${sql}, '%Y-%m-%d %H:%M:%S${from.precision > 0 ? '.%g' : ''}')`;
    if ((target.kind === 'DATE' || target.kind === 'TIMESTAMP') && from?.kind === 'TIMESTAMP_LTZ') sql = `timezone('UTC', ${sql})`;
    if (target.kind === 'TIMESTAMP_LTZ' && from?.kind === 'TIMESTAMP') return `timezone('UTC', ${sql})`;
    if (target.kind === 'BOOLEAN' && from?.kind === 'STRING') {
      // Flink accepts only true/false (any case) as BOOLEAN text; DuckDB also takes t, 1, yes …
      const value = `lower(trim(${sql}))`;
      return isTry ? `(CASE ${value} WHEN 'true' THEN TRUE WHEN 'false' THEN FALSE END)` : `CAST(${sql} AS BOOLEAN)`;
    }
    return `${fn}(${sql} AS ${duckDbType(target)})`;
  }

  private args(expr: Extract<Expr, { kind: 'call' }>, min: number, max = min): Expr[] {
    const plain = expr.args.map((a) => plainArgument(a));
    if (plain.some((a) => a === null) || plain.length < min || plain.length > max) {
      throw new Unsupported(`${expr.name}(…) with these arguments is not supported by the micro-batch engine`, expr.position, `write ${expr.name} with ${min === max ? min : `${min} to ${max}`} plain argument${max === 1 ? '' : 's'}`);
    }
    return plain as Expr[];
  }

  private call(expr: Extract<Expr, { kind: 'call' }>): string {
    const name = expr.name;
    if (expr.over) throw new Unsupported(`the OVER window of ${name}() cannot be computed batch by batch by the micro-batch engine`, expr.position, BATCH_HINT);
    if (AGGREGATES.has(name)) throw new Unsupported(`the aggregation ${name}() cannot be computed batch by batch by the micro-batch engine`, expr.position, BATCH_HINT);
    if (STREAM_FUNCTIONS.has(name)) throw new Unsupported(`${name}() cannot be computed batch by batch by the micro-batch engine`, expr.position, BATCH_HINT);
    if (expr.qualified || expr.distinct || expr.star || expr.filter || expr.withinGroup) throw new Unsupported(`this call of ${name}() is not supported by the micro-batch engine`, expr.position);
    const x = (e: Expr): string => this.expr(e);
    switch (name) {
      case 'JSON_VALUE':
        return this.jsonValue(expr);
      case 'UPPER':
      case 'LOWER':
      case 'LTRIM':
      case 'RTRIM':
      case 'REVERSE':
        return `${name.toLowerCase()}(${x(this.args(expr, 1)[0] as Expr)})`;
      case 'CHAR_LENGTH':
      case 'CHARACTER_LENGTH':
        return `CAST(length(${x(this.args(expr, 1)[0] as Expr)}) AS INTEGER)`;
      case 'TRIM':
        return this.trim(expr);
      case 'CONCAT':
        // Flink's CONCAT is NULL when any argument is NULL, as DuckDB's `||` (DuckDB's concat skips NULLs)
        return `(${this.args(expr, 1, 255).map(x).join(' || ')})`;
      case 'CONCAT_WS': {
        const [sep, ...rest] = this.args(expr, 2, 255);
        return `concat_ws(${[sep as Expr, ...rest].map(x).join(', ')})`;
      }
      case 'SUBSTRING':
      case 'SUBSTR':
        return this.substring(expr);
      case 'REPLACE': {
        const [s, a, b] = this.args(expr, 3).map(x);
        return `replace(${s}, ${a}, ${b})`;
      }
      case 'REGEXP_REPLACE': {
        const [s, re, rep] = this.args(expr, 3).map(x);
        return `regexp_replace(${s}, ${re}, ${rep}, 'g')`;
      }
      case 'REGEXP_EXTRACT': {
        const args = this.args(expr, 2, 3).map(x);
        const [s, re] = args;
        const group = args[2] ?? '0';
        return `(CASE WHEN regexp_matches(${s}, ${re}) THEN regexp_extract(${s}, ${re}, ${group}) END)`;
      }
      case 'REGEXP': {
        const [s, re] = this.args(expr, 2).map(x);
        return `regexp_matches(${s}, ${re})`;
      }
      case 'SPLIT_INDEX': {
        const [s, sep, index] = this.args(expr, 3).map(x);
        return `list_extract(string_split(${s}, ${sep}), ${index} + 1)`;
      }
      case 'LPAD':
      case 'RPAD': {
        const [s, n, pad] = this.args(expr, 3).map(x);
        return `${name.toLowerCase()}(${s}, ${n}, ${pad})`;
      }
      case 'REPEAT':
      case 'LEFT':
      case 'RIGHT': {
        const [s, n] = this.args(expr, 2).map(x);
        return `${name.toLowerCase()}(${s}, ${n})`;
      }
      case 'POSITION':
        return this.position(expr);
      case 'COALESCE':
        return `coalesce(${this.args(expr, 1, 255).map(x).join(', ')})`;
      case 'IFNULL': {
        const [a, b] = this.args(expr, 2).map(x);
        return `coalesce(${a}, ${b})`;
      }
      case 'NULLIF': {
        const [a, b] = this.args(expr, 2).map(x);
        return `nullif(${a}, ${b})`;
      }
      case 'ABS':
        return `abs(${x(this.args(expr, 1)[0] as Expr)})`;
      case 'MOD': {
        const [a, b] = this.args(expr, 2).map(x);
        return `(${a} % ${b})`;
      }
      case 'MD5':
      case 'SHA256':
        return `${name.toLowerCase()}(${x(this.args(expr, 1)[0] as Expr)})`;
      case 'DATE_FORMAT':
        return this.dateFormat(expr);
      case 'TO_TIMESTAMP':
        return this.toTimestamp(expr);
      case 'TO_TIMESTAMP_LTZ':
        return this.toTimestampLtz(expr);
      case 'TO_DATE': {
        const args = this.args(expr, 1, 2);
        const fmt = args[1] ? this.pattern(args[1]) : '%Y-%m-%d';
        return `CAST(try_strptime(${x(args[0] as Expr)}, ${str(fmt)}) AS DATE)`;
      }
      case 'YEAR':
      case 'QUARTER':
      case 'MONTH':
      case 'WEEK':
      case 'DAYOFYEAR':
      case 'DAYOFMONTH':
      case 'HOUR':
      case 'MINUTE':
      case 'SECOND': {
        const arg = this.args(expr, 1)[0] as Expr;
        const unit = name === 'DAYOFMONTH' ? 'day' : name === 'DAYOFYEAR' ? 'doy' : name.toLowerCase();
        return `CAST(extract(${unit} FROM ${this.utc(arg)}) AS BIGINT)`;
      }
      case 'UNIX_TIMESTAMP': {
        const args = this.args(expr, 0, 2);
        if (args.length === 0) return `CAST(epoch(current_timestamp) AS BIGINT)`;
        const fmt = args[1] ? this.pattern(args[1]) : '%Y-%m-%d %H:%M:%S';
        return `CAST(epoch(timezone('UTC', try_strptime(${x(args[0] as Expr)}, ${str(fmt)}))) AS BIGINT)`;
      }
      default:
        throw new Unsupported(`the function ${name}() is not supported by the micro-batch engine`, expr.position, 'see the list of functions in libs/sql/README.md, or use orchestration.engine: flink');
    }
  }

  /** JSON_VALUE in Flink's default (lax) mode: NULL for invalid JSON, missing paths, JSON null, objects and arrays. */
  private jsonValue(expr: Extract<Expr, { kind: 'call' }>): string {
    const [docArg, pathArg, ...rest] = expr.args;
    const doc = docArg && plainArgument(docArg);
    if (!doc || !pathArg) throw new Unsupported('JSON_VALUE needs a JSON text and a path', expr.position);
    const items = pathArg.items;
    const pathItem = items[0];
    if (pathItem?.kind !== 'expr') throw new Unsupported('JSON_VALUE needs a path', expr.position);
    let returning: SqlType | null = null;
    const tail = [...items.slice(1), ...rest.flatMap((a) => a.items)];
    for (let k = 0; k < tail.length; k++) {
      const item = tail[k] as (typeof tail)[number];
      const following = tail[k + 1];
      if (item.kind === 'word' && item.word === 'RETURNING' && following?.kind === 'type') {
        returning = typeOfDataType(following.type);
        k++;
      } else if (item.kind === 'word' && item.word === 'NULL' && tail[k + 1]?.kind === 'word' && tail[k + 2]?.kind === 'word') {
        k += 2; // NULL ON EMPTY / NULL ON ERROR: the defaults
      } else {
        throw new Unsupported('JSON_VALUE with ON EMPTY / ON ERROR behaviour other than NULL is not supported by the micro-batch engine', expr.position, 'wrap it in COALESCE(…, default)');
      }
    }
    const v = this.expr(doc);
    const p = this.expr(pathItem.expr);
    // json_value: the scalar at the path as JSON text, NULL for JSON null, objects, arrays and missing
    // paths; json_extract_string unquotes that small text.
    let text = `(CASE WHEN json_valid(${v}) THEN json_extract_string(json_value(${v}, ${p}), '$') END)`;
    const path = pathItem.expr.kind === 'string' ? pathItem.expr.value : null;
    if (path !== null && PLAIN_JSON_PATH.test(path)) {
      // one json_value call reads all of the document's plain paths; try() gives NULL for a document
      // that is not JSON (a plain path cannot make it fail otherwise)
      if (this.collecting) this.jsonPaths.set(v, [...new Set([...(this.jsonPaths.get(v) ?? []), path])]);
      // (a document that is itself read by JSON_VALUE renders differently once its paths are known: it reads its path alone)
      const known = this.jsonPaths.get(v);
      const paths = known?.includes(path) ? known : [path];
      text = `json_extract_string(try(json_value(${v}, [${paths.map(str).join(', ')}]))[${paths.indexOf(path) + 1}], '$')`;
    }
    if (returning === null || returning.kind === 'STRING') return text;
    if (returning.kind === 'OTHER') throw new Unsupported(`JSON_VALUE … RETURNING ${returning.text} is not supported by the micro-batch engine`, expr.position);
    if (returning.kind === 'BOOLEAN') return `(CASE lower(${text}) WHEN 'true' THEN TRUE WHEN 'false' THEN FALSE END)`;
    // RETURNING a number: a value that does not convert is NULL (NULL ON ERROR); fractions do not become integers
    if (isInteger(returning)) return `(CASE WHEN regexp_matches(${text}, '^-?[0-9]+$') THEN TRY_CAST(${text} AS ${duckDbType(returning)}) END)`;
    return `TRY_CAST(${text} AS ${duckDbType(returning)})`;
  }

  private trim(expr: Extract<Expr, { kind: 'call' }>): string {
    const items = expr.args[0]?.items ?? [];
    if (expr.args.length !== 1) throw new Unsupported('TRIM with these arguments is not supported by the micro-batch engine', expr.position);
    let mode = 'BOTH';
    let chars: Expr | null = null;
    let source: Expr | null = null;
    const exprs = items.filter((i): i is { kind: 'expr'; expr: Expr } => i.kind === 'expr').map((i) => i.expr);
    const words = items.filter((i) => i.kind === 'word').map((i) => (i as { word: string }).word);
    const modeWord = words.find((w) => ['BOTH', 'LEADING', 'TRAILING'].includes(w));
    if (modeWord) mode = modeWord;
    if (words.includes('FROM')) {
      source = exprs[exprs.length - 1] ?? null;
      chars = exprs.length === 2 ? (exprs[0] as Expr) : null;
    } else {
      source = exprs[0] ?? null;
    }
    if (source === null || exprs.length > 2) throw new Unsupported('TRIM with these arguments is not supported by the micro-batch engine', expr.position);
    const fn = mode === 'LEADING' ? 'ltrim' : mode === 'TRAILING' ? 'rtrim' : 'trim';
    return `${fn}(${this.expr(source)}${chars ? `, ${this.expr(chars)}` : ''})`;
  }

  private substring(expr: Extract<Expr, { kind: 'call' }>): string {
    const items = expr.args.flatMap((a) => a.items);
    const exprs = items.filter((i): i is { kind: 'expr'; expr: Expr } => i.kind === 'expr').map((i) => this.expr(i.expr));
    if (exprs.length < 2 || exprs.length > 3) throw new Unsupported(`${expr.name} with these arguments is not supported by the micro-batch engine`, expr.position);
    return `substring(${exprs.join(', ')})`;
  }

  private position(expr: Extract<Expr, { kind: 'call' }>): string {
    const items = expr.args.flatMap((a) => a.items);
    const exprs = items.filter((i): i is { kind: 'expr'; expr: Expr } => i.kind === 'expr').map((i) => this.expr(i.expr));
    if (exprs.length !== 2 || !items.some((i) => i.kind === 'word' && i.word === 'IN')) throw new Unsupported('POSITION(a IN b) is the supported form', expr.position);
    return `CAST(position(${exprs[0]} IN ${exprs[1]}) AS INTEGER)`;
  }

  private pattern(arg: Expr): string {
    if (arg.kind !== 'string') throw new Unsupported('the date pattern must be a string literal for the micro-batch engine', arg.position);
    return javaPatternToStrftime(arg.value, arg.position);
  }

  private dateFormat(expr: Extract<Expr, { kind: 'call' }>): string {
    const [value, fmt] = this.args(expr, 2);
    const t = this.type(value as Expr);
    const pattern = this.pattern(fmt as Expr);
    if (t?.kind === 'STRING') return `strftime(try_strptime(${this.expr(value as Expr)}, '%Y-%m-%d %H:%M:%S'), ${str(pattern)})`;
    return `strftime(${this.utc(value as Expr)}, ${str(pattern)})`;
  }

  private toTimestamp(expr: Extract<Expr, { kind: 'call' }>): string {
    const args = this.args(expr, 1, 2);
    const fmt = args[1] ? this.pattern(args[1]) : '%Y-%m-%d %H:%M:%S';
    return `CAST(try_strptime(${this.expr(args[0] as Expr)}, ${str(fmt)}) AS TIMESTAMP)`;
  }

  private toTimestampLtz(expr: Extract<Expr, { kind: 'call' }>): string {
    const args = this.args(expr, 1, 2);
    const precision = args[1];
    const p = precision === undefined ? '3' : precision.kind === 'number' ? precision.text : null;
    if (p !== '0' && p !== '3') throw new Unsupported('TO_TIMESTAMP_LTZ(epoch, precision) supports precision 0 (seconds) and 3 (milliseconds) in the micro-batch engine', expr.position);
    const value = this.expr(args[0] as Expr);
    const millis = p === '0' ? `CAST(${value} AS BIGINT) * 1000` : `CAST(${value} AS BIGINT)`;
    return `timezone('UTC', epoch_ms(${millis}))`;
  }
}

/** An argument that is one expression (no special keywords, no name). */
function plainArgument(arg: Argument): Expr | null {
  const only = arg.items[0];
  return arg.name === null && arg.items.length === 1 && only?.kind === 'expr' ? only.expr : null;
}
