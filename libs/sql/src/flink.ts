import type { Token } from './tokenizer';

/** Back-quotes a Flink SQL identifier (a back-quote inside is doubled). */
export function quoteFlinkIdentifier(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

/** A Flink SQL string literal. */
export function flinkString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * Prints parsed SQL back as Flink SQL: every identifier back-quoted (so reserved words such as
 * `value` are columns again), every `{{ name }}` bound through `bind`, comments dropped, line breaks
 * and indentation kept. Only tokens of a parsed statement are printed, so nothing the user wrote
 * can end the statement or start another one.
 */
export function printFlinkTokens(sql: string, tokens: readonly Token[], identifierTokens: ReadonlySet<number>, bind: (placeholder: string) => string): string {
  let out = '';
  let at = 0;
  tokens.forEach((token, index) => {
    if (token.kind === 'eof') return;
    if (index > 0) out += gap(sql.slice(at, token.start.offset));
    at = token.end.offset;
    if (token.kind === 'placeholder') out += bind(token.value);
    else if (identifierTokens.has(index)) out += quoteFlinkIdentifier(token.kind === 'quoted' ? token.value : token.text);
    else out += token.text;
  });
  return out;
}

/** The white space between two tokens, without comments: a line break keeps the next line's indentation. */
function gap(text: string): string {
  if (text === '') return '';
  const lastBreak = text.lastIndexOf('\n');
  if (lastBreak === -1) return ' ';
  const indent = text.slice(lastBreak + 1);
  return `\n${/^[ \t]*$/.test(indent) ? indent : ''}`;
}
