import { SqlSyntaxError, type SqlPosition } from './diagnostics';

/** Kinds of Flink SQL tokens this library distinguishes. */
export type TokenKind =
  | 'word' // unquoted identifier or keyword (`SELECT`, `value`, `user_id`)
  | 'quoted' // back-quoted identifier (`` `my col` ``)
  | 'string' // '…' character literal ('' escapes a quote)
  | 'number'
  | 'op' // operators and punctuation
  | 'placeholder' // `{{ name }}` template placeholder
  | 'eof';

export interface Token {
  kind: TokenKind;
  /** the source text of the token */
  text: string;
  /** for words: upper-cased text; for quoted identifiers and strings: the unescaped content; for placeholders: the name */
  value: string;
  start: SqlPosition;
  end: SqlPosition;
}

const OPERATORS = ['<>', '!=', '<=', '>=', '||', '=>', '=', '<', '>', '+', '-', '*', '/', '%', '(', ')', '[', ']', ',', '.', ';', '?', ':'];

const isWordStart = (c: string): boolean => /[A-Za-z_]/.test(c) || c.charCodeAt(0) > 0x7f;
const isWordPart = (c: string): boolean => /[A-Za-z0-9_$]/.test(c) || c.charCodeAt(0) > 0x7f;
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/** Longest SQL text (characters) this library will look at; longer input is refused, not parsed. */
export const MAX_SQL_LENGTH = 256 * 1024;

/**
 * Splits Flink SQL into tokens, skipping whitespace and comments. Throws `SqlSyntaxError` on text
 * that cannot be a token (an unterminated string, a stray character).
 */
export function tokenize(sql: string): Token[] {
  if (sql.length > MAX_SQL_LENGTH) {
    throw new SqlSyntaxError(`the SQL is ${sql.length} characters long; at most ${MAX_SQL_LENGTH} are accepted`, { offset: 0, line: 1, col: 1 });
  }
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const pos = (offset: number): SqlPosition => ({ offset, line, col: offset - lineStart + 1 });
  /** advance over sql[from, to), keeping the line count */
  const advance = (to: number): void => {
    for (let k = i; k < to; k++) {
      if (sql[k] === '\n') {
        line++;
        lineStart = k + 1;
      }
    }
    i = to;
  };
  const push = (kind: TokenKind, to: number, value: string): void => {
    const start = pos(i);
    const text = sql.slice(i, to);
    advance(to);
    tokens.push({ kind, text, value, start, end: pos(i) });
  };

  while (i < sql.length) {
    const c = sql[i] as string;
    const next = sql[i + 1];
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '\f') {
      advance(i + 1);
    } else if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      advance(end === -1 ? sql.length : end);
    } else if (c === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      if (end === -1) throw new SqlSyntaxError('unterminated comment: `/*` has no closing `*/`', pos(i));
      advance(end + 2);
    } else if (c === "'") {
      let k = i + 1;
      let value = '';
      for (;;) {
        const q = sql.indexOf("'", k);
        if (q === -1) throw new SqlSyntaxError("unterminated string literal: `'` has no closing quote", pos(i), "close the string with `'`; write `''` for a quote inside it");
        value += sql.slice(k, q);
        if (sql[q + 1] === "'") {
          value += "'";
          k = q + 2;
        } else {
          k = q + 1;
          break;
        }
      }
      push('string', k, value);
    } else if (c === '`') {
      let k = i + 1;
      let value = '';
      for (;;) {
        const q = sql.indexOf('`', k);
        if (q === -1) throw new SqlSyntaxError('unterminated quoted identifier: `` ` `` has no closing back-quote', pos(i));
        value += sql.slice(k, q);
        if (sql[q + 1] === '`') {
          value += '`';
          k = q + 2;
        } else {
          k = q + 1;
          break;
        }
      }
      if (value === '') throw new SqlSyntaxError('empty quoted identifier', pos(i));
      push('quoted', k, value);
    } else if (c === '"') {
      throw new SqlSyntaxError(
        'double quotes are not used in Flink SQL',
        pos(i),
        "write a string as 'text' and quote an identifier with back-quotes: `name`",
      );
    } else if (c === '{' && next === '{') {
      const end = sql.indexOf('}}', i + 2);
      const inner = end === -1 ? null : sql.slice(i + 2, end);
      const name = inner?.trim() ?? '';
      if (end === -1 || inner === null || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        throw new SqlSyntaxError('malformed placeholder', pos(i), 'a placeholder is written `{{ input }}`');
      }
      push('placeholder', end + 2, name);
    } else if (isDigit(c) || (c === '.' && isDigit(next))) {
      let k = i;
      while (isDigit(sql[k])) k++;
      if (sql[k] === '.') {
        k++;
        while (isDigit(sql[k])) k++;
      }
      if ((sql[k] === 'e' || sql[k] === 'E') && (isDigit(sql[k + 1]) || ((sql[k + 1] === '+' || sql[k + 1] === '-') && isDigit(sql[k + 2])))) {
        k += 2;
        while (isDigit(sql[k])) k++;
      }
      if (sql[k] !== undefined && isWordPart(sql[k] as string)) {
        throw new SqlSyntaxError(`malformed number \`${sql.slice(i, k + 1)}\``, pos(i));
      }
      push('number', k, sql.slice(i, k));
    } else if (isWordStart(c)) {
      let k = i + 1;
      while (k < sql.length && isWordPart(sql[k] as string)) k++;
      push('word', k, sql.slice(i, k).toUpperCase());
    } else {
      const op = OPERATORS.find((o) => sql.startsWith(o, i));
      if (op === undefined) {
        const shown = c.charCodeAt(0) < 0x20 ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : c;
        throw new SqlSyntaxError(`unexpected character \`${shown}\``, pos(i));
      }
      push('op', i + op.length, op);
    }
  }
  tokens.push({ kind: 'eof', text: '', value: '', start: pos(i), end: pos(i) });
  return tokens;
}
