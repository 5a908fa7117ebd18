import { isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, Scalar, type Document, type Node } from 'yaml';
import { formatPath, type PathSegment } from './diagnostic';
import { interpolate, type Env } from './interpolate';

/** Limits that keep hostile input bounded in time and memory. */
export const LIMITS = {
  /** bytes of YAML text */
  maxBytes: 1024 * 1024,
  /** how many times aliases (`*x`) may be expanded */
  maxAliases: 100,
  /** nesting of mappings and sequences */
  maxDepth: 32,
  /** mapping entries, sequence items and scalars in total, after alias expansion */
  maxNodes: 50_000,
} as const;

/** A problem found while reading the YAML, before the schema looks at it. */
export interface SourceProblem {
  offset: number;
  path: PathSegment[];
  message: string;
  hint?: string;
}

/** Where a value sits in the file. */
export interface NodeInfo {
  /** offset of the value */
  offset: number;
  /** offset of the mapping key that holds the value, if any */
  keyOffset?: number;
  /** for scalars: the source range and style, used to place positions inside the text (SQL) */
  scalar?: { start: number; end: number; type: Scalar['type'] };
  /** for string scalars: the value as written (before interpolation) */
  text?: string;
  /** environment variables interpolated into this value */
  vars?: string[];
  /** the value is a secret reference (`${VAR}` kept as written) */
  secret?: boolean;
}

export interface SourceDocument {
  text: string;
  /** the plain value: mappings, sequences and scalars, interpolated */
  value: unknown;
  /** node information by formatted path */
  nodes: Map<string, NodeInfo>;
  lineCounter: LineCounter;
  problems: SourceProblem[];
}

/** Paths whose values are secrets: written as `${VAR}`, kept as a reference, never resolved into output. */
export function isSecretPath(path: readonly PathSegment[]): boolean {
  const p = path.map(String);
  if (p[0] !== 'sources' || p.length < 4) return false;
  const tail = p.slice(2).join('.');
  return tail === 'connection.sasl.password' || tail === 'connection.ssl.key_password' || tail === 'schema_registry.password';
}

function describeChar(code: number): string {
  return `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Finds binary content: NUL and other control characters YAML does not allow, or broken UTF-8 (U+FFFD). */
function findBinary(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f || c === 0xfffd || c === 0xfffe || c === 0xffff) return i;
  }
  return -1;
}

/**
 * Rough pre-check of flow nesting (`[[[[…`, `{{{{…`) before the YAML parser sees the text, so that
 * a deeply nested document is refused before it can exhaust the parser's stack.
 */
function flowDepthExceeded(text: string, max: number): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '[' || c === '{') {
      if (++depth > max) return i;
    } else if (c === ']' || c === '}') {
      depth = Math.max(0, depth - 1);
    } else if (c === '\n') {
      // block scalars and comments may hold brackets freely; flow collections rarely span many lines
      if (depth > 0 && text[i + 1] !== ' ' && text[i + 1] !== '\t' && text[i + 1] !== ']' && text[i + 1] !== '}') depth = 0;
    }
  }
  return -1;
}

function firstLine(message: string): string {
  const line = message.split('\n')[0] ?? message;
  return line.replace(/ at line \d+, column \d+:?$/, '').replace(/:$/, '');
}

/**
 * Parses YAML text into a plain value, keeping where every value came from. Never throws: problems
 * (syntax errors, limits, missing environment variables) are returned with their offsets.
 */
export function readSource(text: string, env: Env): SourceDocument {
  const lineCounter = new LineCounter();
  const problems: SourceProblem[] = [];
  const nodes = new Map<string, NodeInfo>();
  const result: SourceDocument = { text, value: undefined, nodes, lineCounter, problems };

  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > LIMITS.maxBytes) {
    problems.push({ offset: 0, path: [], message: `the file is ${bytes} bytes; a pipeline definition may be at most ${LIMITS.maxBytes} bytes` });
    return result;
  }
  const binaryAt = findBinary(text);
  if (binaryAt !== -1) {
    lineCounter.addNewLine(0);
    for (let i = 0; i < binaryAt; i++) if (text[i] === '\n') lineCounter.addNewLine(i + 1);
    problems.push({
      offset: binaryAt,
      path: [],
      message: `the file is not YAML text: it contains the control character ${describeChar(text.charCodeAt(binaryAt))}`,
      hint: 'a pipeline definition is a UTF-8 YAML file',
    });
    return result;
  }
  const deepAt = flowDepthExceeded(text, LIMITS.maxDepth);
  if (deepAt !== -1) {
    lineCounter.addNewLine(0);
    for (let i = 0; i < deepAt; i++) if (text[i] === '\n') lineCounter.addNewLine(i + 1);
    problems.push({ offset: deepAt, path: [], message: `the document nests deeper than ${LIMITS.maxDepth} levels` });
    return result;
  }

  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: false, schema: 'core', merge: false }) as Document.Parsed[];
  } catch (error) {
    problems.push({ offset: 0, path: [], message: `the YAML could not be read: ${(error as Error).message}` });
    return result;
  }
  if (!Array.isArray(docs)) {
    problems.push({ offset: 0, path: [], message: 'the YAML could not be read' });
    return result;
  }
  if (docs.length === 0) {
    problems.push({ offset: 0, path: [], message: 'the file is empty', hint: 'a pipeline definition has metadata, sources, transformations, sinks and orchestration' });
    return result;
  }
  if (docs.length > 1) {
    const second = docs[1] as Document.Parsed;
    problems.push({ offset: second.range[0], path: [], message: 'the file holds several YAML documents', hint: 'write one pipeline per file, without `---` separators' });
  }
  const doc = docs[0] as Document.Parsed;
  for (const error of doc.errors) {
    problems.push({ offset: error.pos[0], path: [], message: firstLine(error.message) });
  }
  const syntaxErrors = doc.errors.length > 0;

  let nodeCount = 0;
  let aliasCount = 0;
  let stopped = false;
  const stop = (offset: number, path: PathSegment[], message: string): undefined => {
    if (!stopped) problems.push({ offset, path, message });
    stopped = true;
    return undefined;
  };

  const walk = (node: Node | null | undefined, path: PathSegment[], depth: number, keyOffset: number | undefined): unknown => {
    if (stopped) return undefined;
    if (++nodeCount > LIMITS.maxNodes) return stop(node?.range?.[0] ?? 0, path, `the document has more than ${LIMITS.maxNodes} values`);
    if (depth > LIMITS.maxDepth) return stop(node?.range?.[0] ?? 0, path, `the document nests deeper than ${LIMITS.maxDepth} levels`);
    if (node === null || node === undefined) {
      nodes.set(formatPath(path), { offset: keyOffset ?? 0, keyOffset });
      return null;
    }
    if (isAlias(node)) {
      if (++aliasCount > LIMITS.maxAliases) return stop(node.range?.[0] ?? 0, path, `the document expands more than ${LIMITS.maxAliases} aliases`);
      const target = node.resolve(doc);
      if (target === undefined) return stop(node.range?.[0] ?? 0, path, `unknown alias \`*${node.source}\``);
      const value = walk(target, path, depth + 1, keyOffset);
      const info = nodes.get(formatPath(path));
      if (info !== undefined) info.offset = node.range?.[0] ?? info.offset;
      return value;
    }
    const offset = node.range?.[0] ?? 0;
    if (isScalar(node)) {
      const info: NodeInfo = { offset, keyOffset, scalar: { start: offset, end: node.range?.[1] ?? offset, type: node.type } };
      nodes.set(formatPath(path), info);
      const value = node.value;
      if (typeof value !== 'string') return value;
      info.text = value;
      const secret = isSecretPath(path);
      const out = interpolate(value, env, { secret });
      if (out.vars.length > 0) info.vars = out.vars;
      if (secret) info.secret = true;
      for (const problem of out.problems) {
        const inSource = text.slice(info.scalar?.start ?? offset, info.scalar?.end ?? offset).indexOf(problem.token);
        problems.push({ offset: inSource === -1 ? offset : offset + inSource, path, message: problem.message, hint: problem.hint });
      }
      return out.value;
    }
    if (isMap(node)) {
      nodes.set(formatPath(path), { offset, keyOffset });
      const out: Record<string, unknown> = {};
      // duplicate keys are found here, in linear time (the YAML library's own check is quadratic)
      const seen = new Set<string>();
      for (const pair of node.items) {
        const keyNode = pair.key as Node | null;
        const keyValue = isScalar(keyNode) ? keyNode.value : undefined;
        const keyAt = keyNode?.range?.[0] ?? offset;
        if (typeof keyValue !== 'string' && typeof keyValue !== 'number') {
          problems.push({ offset: keyAt, path, message: 'a mapping key must be a plain name', hint: 'write `name: value`' });
          continue;
        }
        const key = String(keyValue);
        if (seen.has(key)) {
          problems.push({ offset: keyAt, path: [...path, key], message: `duplicate field \`${key}\``, hint: 'each field may appear once' });
          continue;
        }
        seen.add(key);
        if (key === '__proto__') {
          problems.push({ offset: keyAt, path, message: 'the key `__proto__` is not allowed' });
          continue;
        }
        out[key] = walk(pair.value as Node | null, [...path, key], depth + 1, keyAt);
      }
      return out;
    }
    if (isSeq(node)) {
      nodes.set(formatPath(path), { offset, keyOffset });
      return node.items.map((item, index) => walk(item as Node | null, [...path, index], depth + 1, undefined));
    }
    return stop(offset, path, 'unsupported YAML node');
  };

  try {
    const value = walk(doc.contents as Node | null, [], 0, undefined);
    // after a syntax error the tree is partial: its own problems (duplicates, variables) are still worth reporting
    if (!syntaxErrors) result.value = value;
  } catch (error) {
    problems.push({ offset: 0, path: [], message: `the YAML could not be read: ${(error as Error).message}` });
  }
  return result;
}
