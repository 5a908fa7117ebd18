import type { z } from 'zod';
import { formatPath, type PathSegment } from './diagnostic';
import { suggestion } from './suggest';

/** A diagnostic before it is placed in the file: the place is found from `path` (and `at`). */
export interface PathProblem {
  path: PathSegment[];
  /** place at the key (`key`, e.g. an unknown field) or at the value (`value`, default) */
  at?: 'key' | 'value';
  message: string;
  hint?: string;
  severity?: 'error' | 'warning';
}

type Issue = z.core.$ZodIssue;
type AnySchema = z.core.$ZodType;

/** Unwraps optional/default/pipe/… wrappers and returns the schemas a path leads to (several for unions). */
function schemasAt(schema: AnySchema, path: readonly PathSegment[]): AnySchema[] {
  const def = (schema as unknown as { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def;
  switch (def.type) {
    case 'optional':
    case 'default':
    case 'prefault':
    case 'nullable':
    case 'readonly':
    case 'nonoptional':
      return schemasAt(def['innerType'] as AnySchema, path);
    case 'pipe':
      return schemasAt(def['in'] as AnySchema, path);
    case 'union':
      return (def['options'] as AnySchema[]).flatMap((o) => schemasAt(o, path));
  }
  if (path.length === 0) return [schema];
  const [head, ...rest] = path;
  switch (def.type) {
    case 'object': {
      const shape = def['shape'] as Record<string, AnySchema>;
      const child = typeof head === 'string' ? shape[head] : undefined;
      return child === undefined ? [] : schemasAt(child, rest);
    }
    case 'record':
      return schemasAt(def['valueType'] as AnySchema, rest);
    case 'array':
      return typeof head === 'number' ? schemasAt(def['element'] as AnySchema, rest) : [];
    default:
      return [];
  }
}

/** The field names an object at `path` allows. */
export function knownKeys(root: AnySchema, path: readonly PathSegment[]): string[] {
  const keys = new Set<string>();
  for (const schema of schemasAt(root, path)) {
    const def = (schema as unknown as { _zod: { def: { type: string; shape?: Record<string, unknown> } } })._zod.def;
    if (def.type === 'object' && def.shape !== undefined) for (const k of Object.keys(def.shape)) keys.add(k);
  }
  return [...keys];
}

const ARTICLE: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping (`key: value` lines)',
  array: 'a list',
  record: 'a mapping (`name:` entries)',
  null: 'nothing',
  undefined: 'nothing',
};

export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      return Number.isInteger(value) ? 'a whole number' : 'a number';
    case 'boolean':
      return `\`${String(value)}\``;
    case 'object':
      return 'a mapping';
    default:
      return `a ${typeof value}`;
  }
}

function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let current = root;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

export interface IssueContext {
  root: AnySchema;
  input: unknown;
  /** true when the value at the path came from the environment: its content is never shown */
  isInterpolated: (path: readonly PathSegment[]) => boolean;
}

/** Turns zod issues into user-facing problems, with paths, messages and hints. */
export function issuesToProblems(issues: readonly Issue[], ctx: IssueContext, base: PathSegment[] = []): PathProblem[] {
  const out: PathProblem[] = [];
  for (const issue of issues) {
    const path = [...base, ...(issue.path as PathSegment[])];
    const value = valueAt(ctx.input, path);
    const field = path[path.length - 1];
    const hidden = ctx.isInterpolated(path);
    const fromEnv = hidden ? ' (the value comes from the environment)' : '';
    switch (issue.code) {
      case 'unrecognized_keys': {
        const allowed = knownKeys(ctx.root, path);
        for (const key of issue.keys) {
          out.push({ path: [...path, key], at: 'key', message: `unknown field \`${key}\``, hint: suggestion(key, allowed, 'known fields') });
        }
        break;
      }
      case 'invalid_type': {
        if (value === undefined) {
          const parent = path.slice(0, -1);
          const name = typeof field === 'number' ? `item ${field}` : `\`${String(field)}\``;
          out.push({ path: parent, at: parent.length === 0 ? 'value' : 'key', message: `missing required field ${name}`, hint: `add \`${String(field)}:\`` });
        } else {
          const expected = ARTICLE[issue.expected] ?? issue.expected;
          const hint = path[0] === 'metadata' && field === 'version' && typeof value === 'number' ? 'quote it: version: "1.0.0"' : undefined;
          out.push({ path, message: `expected ${expected}, found ${describeValue(value)}${fromEnv}`, hint });
        }
        break;
      }
      case 'invalid_value': {
        const allowed = issue.values.map(String);
        const shown = typeof value === 'string' && !hidden ? `\`${value.slice(0, 60)}\`` : describeValue(value);
        const hint = typeof value === 'string' && !hidden ? suggestion(value, allowed, allowed.length === 1 ? 'supported' : 'use one of') : `use one of: ${allowed.map((a) => `\`${a}\``).join(', ')}`;
        const noun = allowed.length === 1 ? `only \`${allowed[0]}\` is supported` : `expected one of ${allowed.map((a) => `\`${a}\``).join(', ')}`;
        out.push({ path, message: `${shown} is not supported here: ${noun}${fromEnv}`, hint: hint.startsWith('did you mean') ? hint : undefined });
        break;
      }
      case 'invalid_union': {
        // choose the branch whose top-level type matched the value, and report its problems
        const branches = issue.errors.filter((errors) => !errors.some((e) => e.code === 'invalid_type' && e.path.length === 0));
        if (branches.length >= 1) {
          const best = branches.reduce((a, b) => (b.length < a.length ? b : a));
          out.push(...issuesToProblems(best, ctx, path));
        } else {
          const expected = issue.errors.flatMap((errors) => errors.filter((e) => e.code === 'invalid_type' && e.path.length === 0).map((e) => ARTICLE[(e as { expected: string }).expected] ?? ''));
          out.push({ path, message: `expected ${[...new Set(expected)].join(' or ')}, found ${describeValue(value)}${fromEnv}` });
        }
        break;
      }
      case 'too_small':
      case 'too_big':
      case 'not_multiple_of':
      case 'invalid_format':
      case 'invalid_key':
      case 'invalid_element':
      case 'custom': {
        const params = (issue as { params?: { hint?: string } }).params;
        const hint = params?.hint;
        const subject = hidden ? 'the value from the environment' : typeof value === 'string' && value !== '' ? `\`${value.slice(0, 60)}\`` : typeof value === 'number' ? String(value) : 'the value';
        const scalar = value === null || typeof value !== 'object';
        const message = scalar && /^(is|must) /.test(issue.message) ? `${subject} ${issue.message}` : issue.message;
        out.push({ path, message, hint });
        break;
      }
    }
  }
  return out;
}

export { formatPath };
