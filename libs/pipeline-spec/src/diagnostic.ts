/** One problem found in a pipeline definition, placed in the file the user wrote. */
export interface Diagnostic {
  file: string;
  /** 1-based */
  line: number;
  /** 1-based */
  col: number;
  /** the field path, e.g. `sources.clickstream.consumer_group` or `transformations[0].sql`; empty for the whole document */
  path: string;
  /** what is wrong */
  message: string;
  /** what would be right */
  hint?: string;
  severity: 'error' | 'warning';
}

export type PathSegment = string | number;

/** `sources.clickstream.topic`, `transformations[0].sql`; keys that are not identifiers are quoted: `sources["a b"]` */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** Orders diagnostics by place, then by path, so that output is stable. */
export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort((a, b) => a.line - b.line || a.col - b.col || a.path.localeCompare(b.path) || a.message.localeCompare(b.message));
}

/** `file:line:col error path: message (hint)` — the line the CLI prints. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.path === '' ? '' : `${d.path}: `;
  const hint = d.hint === undefined ? '' : ` (${d.hint})`;
  return `${d.file}:${d.line}:${d.col} ${d.severity} ${where}${d.message}${hint}`;
}
