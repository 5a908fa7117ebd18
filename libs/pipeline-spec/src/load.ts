import type { PipelineDefinition } from './definition';
import { formatPath, sortDiagnostics, type Diagnostic, type PathSegment } from './diagnostic';
import { contentHash } from './hash';
import type { Env } from './interpolate';
import { issuesToProblems, type PathProblem } from './issues';
import { normalize } from './normalize';
import { PipelineInputSchema } from './schema';
import { analyze } from './semantic';
import { readSource, type NodeInfo, type SourceDocument } from './yaml-source';

export interface LoadOptions {
  /** the name diagnostics give the file; default `<input>` */
  file?: string;
  /** where `${VAR}` references are resolved; default: no variables (pass `process.env` explicitly) */
  env?: Env;
}

export type LoadResult =
  | { ok: true; definition: PipelineDefinition; hash: string; /** warnings only */ diagnostics: Diagnostic[] }
  | { ok: false; diagnostics: Diagnostic[] };

/**
 * Parses, validates and normalizes a pipeline definition. Never throws for bad input: every problem
 * (YAML, schema, environment, SQL, cross-field) is reported, all at once, as a diagnostic placed at
 * `file:line:col`.
 */
export function loadDefinition(text: string, options: LoadOptions = {}): LoadResult {
  const file = options.file ?? '<input>';
  const env = options.env ?? {};
  let source: SourceDocument;
  try {
    source = readSource(typeof text === 'string' ? text : String(text), env);
  } catch (error) {
    return { ok: false, diagnostics: [{ file, line: 1, col: 1, path: '', message: `the file could not be read: ${(error as Error).message}`, severity: 'error' }] };
  }
  const place = placer(source, file);
  const diagnostics: Diagnostic[] = source.problems.map((p) => place({ path: p.path, message: p.message, hint: p.hint, offset: p.offset }));
  const fatal = source.value === undefined && diagnostics.length > 0;
  if (fatal) return { ok: false, diagnostics: sortDiagnostics(diagnostics) };

  const raw = source.value;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    diagnostics.push(place({ path: [], message: 'the document must be a mapping', hint: 'a pipeline definition has metadata, sources, transformations, sinks and orchestration' }));
    return { ok: false, diagnostics: sortDiagnostics(diagnostics) };
  }

  const isInterpolated = (path: readonly PathSegment[]): boolean => (source.nodes.get(formatPath(path))?.vars?.length ?? 0) > 0;
  const parsed = PipelineInputSchema.safeParse(raw);
  if (!parsed.success) {
    for (const problem of issuesToProblems(parsed.error.issues, { root: PipelineInputSchema, input: raw, isInterpolated })) diagnostics.push(place(problem));
  }
  const { problems, resolved } = analyze(raw, (path, sqlOffset) => locateInScalar(source, source.nodes.get(formatPath(path)), sqlOffset));
  for (const problem of problems) diagnostics.push(place(problem));

  // a value the environment could not supply is reported once, as that
  const unresolved = new Set(source.problems.map((p) => formatPath(p.path)).filter((p) => p !== ''));
  const kept = diagnostics.filter((d, k) => k < source.problems.length || !unresolved.has(d.path));
  const redacted = redact(sortDiagnostics(dedupe(kept)), source, env);
  if (!parsed.success || redacted.some((d) => d.severity === 'error')) return { ok: false, diagnostics: redacted };
  const definition = normalize(parsed.data, resolved);
  return { ok: true, definition, hash: contentHash(definition), diagnostics: redacted };
}

function dedupe(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.line}:${d.col}:${d.path}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Safety net: a value that came from the environment is never echoed back, whatever produced the message. */
function redact(diagnostics: Diagnostic[], source: SourceDocument, env: Env): Diagnostic[] {
  const values = new Map<string, string>();
  for (const info of source.nodes.values()) {
    for (const name of info.vars ?? []) {
      const value = env[name];
      if (value !== undefined && value.length >= 3) values.set(value, `\${${name}}`);
    }
  }
  if (values.size === 0) return diagnostics;
  const scrub = (s: string): string => {
    let out = s;
    for (const [value, ref] of values) out = out.split(value).join(ref);
    return out;
  };
  return diagnostics.map((d) => ({ ...d, message: scrub(d.message), ...(d.hint === undefined ? {} : { hint: scrub(d.hint) }) }));
}

function placer(source: SourceDocument, file: string) {
  const { nodes, lineCounter } = source;
  return (problem: PathProblem & { offset?: number }): Diagnostic => {
    let offset = problem.offset;
    if (offset === undefined) {
      // the node at the path, or its nearest ancestor that exists
      for (let n = problem.path.length; n >= 0 && offset === undefined; n--) {
        const info = nodes.get(formatPath(problem.path.slice(0, n)));
        if (info === undefined) continue;
        offset = (problem.at === 'key' || n < problem.path.length) && info.keyOffset !== undefined ? info.keyOffset : info.offset;
      }
    }
    const pos = lineCounter.linePos(offset ?? 0);
    const diagnostic: Diagnostic = {
      file,
      line: Math.max(1, pos.line),
      col: Math.max(1, pos.col),
      path: formatPath(problem.path),
      message: problem.message,
      severity: problem.severity ?? 'error',
    };
    if (problem.hint !== undefined) diagnostic.hint = problem.hint;
    return diagnostic;
  };
}

/**
 * Maps an offset inside a scalar's value to an offset in the file. Block scalars (`|`, `>`) and
 * quoted strings drop indentation, quotes and escapes, so the value's characters are matched to the
 * source's in order. A value that came from the environment maps to the scalar's start.
 */
function locateInScalar(source: SourceDocument, info: NodeInfo | undefined, valueOffset: number): number | undefined {
  const scalar = info?.scalar;
  if (info === undefined || scalar === undefined) return undefined;
  if ((info.vars?.length ?? 0) > 0) return scalar.start;
  const text = source.text;
  let j = scalar.start;
  if (scalar.type === 'BLOCK_LITERAL' || scalar.type === 'BLOCK_FOLDED') {
    const header = text.indexOf('\n', scalar.start);
    j = header === -1 ? scalar.end : header + 1;
  } else if (scalar.type === 'QUOTE_DOUBLE' || scalar.type === 'QUOTE_SINGLE') {
    j = scalar.start + 1;
  }
  const value = info.text;
  if (value === undefined) return scalar.start;
  const find = (c: string, from: number): number => {
    const limit = Math.min(scalar.end, from + 256);
    for (let m = from; m < limit; m++) {
      const s = text[m];
      if (s === c || (c === ' ' && s === '\n')) return m;
    }
    return -1;
  };
  for (let k = 0; k < valueOffset && k < value.length; k++) {
    const found = find(value[k] as string, j);
    if (found !== -1) j = found + 1;
  }
  // the target character itself (skip the indentation before it)
  const target = value[valueOffset];
  if (target !== undefined && target !== ' ' && target !== '\n') {
    const found = find(target, j);
    if (found !== -1) return found;
  }
  return Math.min(j, scalar.end);
}
