import { parseExpression, parseTransform, type SqlDiagnostic } from '@matih/sql';
import { SOURCE_COLUMNS, type PartitionField } from './definition';
import type { PathSegment } from './diagnostic';
import type { PathProblem } from './issues';
import { parsePartition, partitionField } from './partition';
import { NAME_PATTERN } from './schema';
import { closest, suggestion } from './suggest';

/** A problem placed at a path, or at an exact file offset (inside SQL text). */
export type SemanticProblem = PathProblem & { offset?: number };

/** What the semantic pass worked out, for normalization. */
export interface Resolved {
  /** output columns of every source and transformation; null when unknown (`*`) */
  columns: Map<string, string[] | null>;
  sinkInputs: Map<string, string>;
  partitions: Map<string, PartitionField[]>;
  /** transformation indexes in dependency order */
  order: number[];
}

/** Maps an offset inside the SQL value at `path` to an offset in the file. */
export type SqlLocator = (path: PathSegment[], sqlOffset: number) => number | undefined;

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * Cross-field checks that a schema cannot express. Works on the raw (possibly invalid) value so that
 * its findings are reported together with the schema's, skipping whatever is malformed.
 */
export function analyze(raw: unknown, locateSql: SqlLocator): { problems: SemanticProblem[]; resolved: Resolved } {
  const problems: SemanticProblem[] = [];
  const resolved: Resolved = { columns: new Map(), sinkInputs: new Map(), partitions: new Map(), order: [] };
  if (!isRecord(raw)) return { problems, resolved };

  const sqlProblem = (path: PathSegment[], d: SqlDiagnostic, prefix: string): SemanticProblem => {
    const offset = locateSql(path, d.position.offset);
    const where = ` (line ${d.position.line}, col ${d.position.col} of the SQL)`;
    const problem: SemanticProblem = { path, message: `${prefix}${d.message}${offset === undefined ? where : ''}`, hint: d.hint };
    if (offset !== undefined) problem.offset = offset;
    return problem;
  };

  // ---- sources -------------------------------------------------------------------------------
  const sources = isRecord(raw['sources']) ? raw['sources'] : {};
  const eventTimeColumn = new Map<string, string>();
  for (const [name, source] of Object.entries(sources)) {
    const path: PathSegment[] = ['sources', name];
    if (!NAME_PATTERN.test(name)) {
      problems.push({ path, at: 'key', message: `\`${name.slice(0, 60)}\` is not a valid source name`, hint: 'letters, digits and `_`, starting with a letter or `_` (it is used as a SQL name)' });
    }
    if (!isRecord(source)) continue;
    const format = str(source['format']);
    if ((format === 'avro' || format === 'protobuf') && source['schema_registry'] === undefined) {
      problems.push({ path, at: 'key', message: `format \`${format}\` needs a \`schema_registry\``, hint: 'add schema_registry: https://registry:8081' });
    }
    const registry = source['schema_registry'];
    const registryUrl = isRecord(registry) ? str(registry['url']) : str(registry);
    if (registryUrl !== undefined) {
      const urlPath: PathSegment[] = isRecord(registry) ? [...path, 'schema_registry', 'url'] : [...path, 'schema_registry'];
      let url: URL | undefined;
      try {
        url = new URL(registryUrl);
      } catch {
        url = undefined;
      }
      if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
        problems.push({ path: urlPath, message: 'the schema registry is not an http(s) URL', hint: 'e.g. https://schema-registry:8081' });
      } else if (url.password !== '' || url.username !== '') {
        problems.push({ path: urlPath, message: 'the schema registry URL must not hold credentials', hint: 'write schema_registry: { url: …, username: …, password: ${VAR} }' });
      }
    }
    const connection = source['connection'];
    if (isRecord(connection)) {
      const protocol = str(connection['security_protocol']);
      const hasSasl = connection['sasl'] !== undefined;
      if (protocol !== undefined && hasSasl && !protocol.startsWith('SASL_')) {
        problems.push({ path: [...path, 'connection', 'security_protocol'], message: `\`sasl\` is set but security_protocol is \`${protocol}\``, hint: 'use SASL_SSL or SASL_PLAINTEXT' });
      }
      if (protocol !== undefined && !hasSasl && protocol.startsWith('SASL_')) {
        problems.push({ path: [...path, 'connection'], at: 'key', message: `security_protocol \`${protocol}\` needs \`sasl\``, hint: 'add sasl: { mechanism, username, password: ${VAR} }' });
      }
      if (protocol === 'PLAINTEXT' || protocol === 'SASL_PLAINTEXT') {
        if (connection['ssl'] !== undefined) problems.push({ path: [...path, 'connection', 'ssl'], at: 'key', message: `\`ssl\` is set but security_protocol \`${protocol}\` does not use TLS`, hint: 'use SSL or SASL_SSL' });
      }
    }
    const eventTime = isRecord(source['event_time']) ? source['event_time'] : {};
    const column = str(eventTime['column']) ?? 'event_timestamp';
    eventTimeColumn.set(name, column);
    const expression = str(eventTime['expression']);
    const builtIn = (SOURCE_COLUMNS as readonly string[]).includes(column);
    if (!builtIn && expression === undefined) {
      problems.push({
        path: [...path, 'event_time', 'column'],
        message: `\`${column}\` is not a source column, so it needs an \`expression\``,
        hint: `source columns: ${SOURCE_COLUMNS.join(', ')}; e.g. expression: TO_TIMESTAMP(JSON_VALUE(\`value\`, '$.ts'))`,
      });
    }
    if (builtIn && expression !== undefined) {
      problems.push({ path: [...path, 'event_time', 'column'], message: `\`${column}\` is a source column and cannot be computed`, hint: 'give the computed column another name' });
    }
    if (expression !== undefined) {
      const parsed = parseExpression(expression);
      if (!parsed.ok) for (const d of parsed.diagnostics) problems.push(sqlProblem([...path, 'event_time', 'expression'], d, 'SQL: '));
    }
    resolved.columns.set(name, builtIn ? [...SOURCE_COLUMNS] : [...SOURCE_COLUMNS, column]);
  }

  // ---- transformations -----------------------------------------------------------------------
  const transformations = Array.isArray(raw['transformations']) ? raw['transformations'] : [];
  const transformIndex = new Map<string, number>();
  transformations.forEach((t, index) => {
    if (!isRecord(t)) return;
    const name = str(t['name']);
    if (name === undefined) return;
    const path: PathSegment[] = ['transformations', index, 'name'];
    if (name in sources) {
      problems.push({ path, message: `the name \`${name}\` is already used by a source`, hint: 'sources and transformations share one namespace' });
    } else if (transformIndex.has(name)) {
      problems.push({ path, message: `the name \`${name}\` is already used by transformations[${transformIndex.get(name)}]`, hint: 'give every transformation its own name' });
    } else {
      transformIndex.set(name, index);
    }
  });
  const known = [...Object.keys(sources), ...transformIndex.keys()];

  const inputs = new Map<number, string>();
  transformations.forEach((t, index) => {
    if (!isRecord(t)) return;
    const input = str(t['input']);
    const name = str(t['name']);
    if (input === undefined || input === '') return;
    const path: PathSegment[] = ['transformations', index, 'input'];
    if (input === name) {
      problems.push({ path, message: `transformation \`${name}\` reads itself`, hint: 'name a source or another transformation' });
    } else if (!(input in sources) && !transformIndex.has(input)) {
      problems.push({ path, message: `unknown input \`${input}\``, hint: suggestion(input, known, 'sources and transformations') });
    } else {
      inputs.set(index, input);
    }
  });

  // cycles: follow each transformation's input chain
  const reported = new Set<number>();
  for (const start of inputs.keys()) {
    const seen: number[] = [];
    let current: number | undefined = start;
    while (current !== undefined && !seen.includes(current)) {
      seen.push(current);
      const input = inputs.get(current);
      current = input === undefined ? undefined : transformIndex.get(input);
    }
    if (current === undefined) continue;
    const cycle = seen.slice(seen.indexOf(current));
    if (cycle.some((i) => reported.has(i))) continue;
    cycle.forEach((i) => reported.add(i));
    const first = Math.min(...cycle);
    // `cycle` follows inputs (each reads the next); show it in the direction data flows
    const flow = [...cycle].reverse();
    const names = [...flow.slice(flow.indexOf(first)), ...flow.slice(0, flow.indexOf(first)), first].map((i) => str((transformations[i] as Record<string, unknown>)['name']));
    problems.push({ path: ['transformations', first, 'input'], message: `the inputs form a cycle: ${names.join(' → ')}`, hint: 'transformations must form a DAG from the sources' });
  }

  // dependency order (Kahn, ties by name)
  const done = new Set<string>(Object.keys(sources));
  const pending = [...transformIndex.entries()].filter(([, i]) => !reported.has(i));
  let progressed = true;
  while (progressed) {
    progressed = false;
    const ready = pending.filter(([, i]) => done.has(inputs.get(i) ?? '\u0000')).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const next = ready[0];
    if (next !== undefined) {
      resolved.order.push(next[1]);
      done.add(next[0]);
      pending.splice(pending.indexOf(next), 1);
      progressed = true;
    }
  }

  // SQL of each transformation
  const rootSource = (name: string): string | undefined => {
    let current: string | undefined = name;
    for (let hops = 0; current !== undefined && hops <= transformations.length; hops++) {
      if (current in sources) return current;
      const index = transformIndex.get(current);
      current = index === undefined ? undefined : inputs.get(index);
    }
    return undefined;
  };
  transformations.forEach((t, index) => {
    if (!isRecord(t)) return;
    const sql = str(t['sql']);
    const name = str(t['name']);
    if (sql === undefined || sql.trim() === '') return;
    const path: PathSegment[] = ['transformations', index, 'sql'];
    const parsed = parseTransform(sql);
    if (!parsed.ok) {
      for (const d of parsed.diagnostics) problems.push(sqlProblem(path, d, 'SQL: '));
      return;
    }
    const columns = parsed.columns;
    const names = columns.some((c) => c.name === null) ? null : columns.map((c) => c.name as string);
    if (names !== null) {
      const seen = new Map<string, number>();
      columns.forEach((c, k) => {
        const key = (c.name as string).toLowerCase();
        if (seen.has(key)) {
          problems.push(sqlProblem(path, { message: `the output column \`${c.name}\` appears twice`, hint: 'give one of them another alias with AS', position: c.position }, 'SQL: '));
        } else {
          seen.set(key, k);
        }
      });
    }
    if (name !== undefined && transformIndex.get(name) === index) resolved.columns.set(name, names);
  });

  // ---- sinks ---------------------------------------------------------------------------------
  const sinks = isRecord(raw['sinks']) ? raw['sinks'] : {};
  const consumed = new Set(inputs.values());
  const terminals = [...transformIndex.keys()].filter((n) => !consumed.has(n));
  const written = new Set<string>();
  for (const [sinkName, sink] of Object.entries(sinks)) {
    const path: PathSegment[] = ['sinks', sinkName];
    if (!NAME_PATTERN.test(sinkName)) {
      problems.push({ path, at: 'key', message: `\`${sinkName.slice(0, 60)}\` is not a valid sink name`, hint: 'letters, digits and `_`, starting with a letter or `_`' });
    }
    if (!isRecord(sink)) continue;
    let input = str(sink['input']);
    if (input !== undefined) {
      if (!(input in sources) && !transformIndex.has(input)) {
        problems.push({ path: [...path, 'input'], message: `unknown input \`${input}\``, hint: suggestion(input, known, 'sources and transformations') });
        input = undefined;
      }
    } else if (transformIndex.size > 0) {
      if (terminals.length === 1) input = terminals[0];
      else if (terminals.length > 1) {
        problems.push({ path, at: 'key', message: `sink \`${sinkName}\` must name its \`input\`: several transformations are final (${terminals.map((t) => `\`${t}\``).join(', ')})`, hint: `add input: ${terminals[0]}` });
      }
    } else {
      const names = Object.keys(sources);
      if (names.length === 1) input = names[0];
      else if (names.length > 1) problems.push({ path, at: 'key', message: `sink \`${sinkName}\` must name its \`input\`: there are several sources and no transformation`, hint: `add input: ${names[0]}` });
    }
    if (input === undefined) continue;
    written.add(input);
    resolved.sinkInputs.set(sinkName, input);

    const partitionBy = Array.isArray(sink['partition_by']) ? sink['partition_by'] : [];
    const columns = resolved.columns.has(input) ? (resolved.columns.get(input) ?? null) : null;
    const sqlKnown = resolved.columns.has(input);
    const fields: PartitionField[] = [];
    let skipNext = false;
    partitionBy.forEach((entry, k) => {
      if (typeof entry !== 'string' || skipNext) {
        skipNext = false;
        return;
      }
      const ppath: PathSegment[] = [...path, 'partition_by', k];
      const following = partitionBy[k + 1];
      if (/^(bucket|truncate)\(\s*\d+\s*$/.test(entry) && typeof following === 'string' && /\)\s*$/.test(following)) {
        // `[bucket(16, col)]` in a YAML flow list is two items: `bucket(16` and `col)`
        skipNext = true;
        problems.push({ path: ppath, message: `\`${entry}, ${following.trim()}\` was split in two by the YAML list's comma`, hint: `quote it: "${entry}, ${following.trim()}", or write partition_by as a block list` });
        return;
      }
      const parsed = parsePartition(entry);
      if (parsed.kind === 'error') {
        problems.push({ path: ppath, message: parsed.message, hint: parsed.hint });
        return;
      }
      let field = parsed.field;
      if (parsed.bare && field.source_column === 'date' && (columns === null || !columns.includes('date'))) {
        if (columns === null) {
          if (sqlKnown) {
            problems.push({ path: ppath, message: `the columns of \`${input}\` are not known (it selects \`*\`), so \`date\` is ambiguous`, hint: 'write `day(<timestamp column>)`, or `identity(date)` for a column named date' });
          }
          return;
        }
        const source = rootSource(input);
        const timeColumn = source === undefined ? 'event_timestamp' : (eventTimeColumn.get(source) ?? 'event_timestamp');
        if (!columns.includes(timeColumn)) {
          problems.push({
            path: ppath,
            message: `\`date\` means day(${timeColumn}) here (\`${input}\` has no \`date\` column), but \`${input}\` does not output \`${timeColumn}\``,
            hint: `select ${timeColumn} in the transformation, or write \`day(<timestamp column>)\``,
          });
          return;
        }
        field = { ...partitionField('day', timeColumn), name: 'date' };
      }
      if (columns !== null && !columns.includes(field.source_column)) {
        const near = closest(field.source_column, columns);
        problems.push({
          path: ppath,
          message: `partition column \`${field.source_column}\` is not an output column of \`${input}\``,
          hint: near !== undefined ? `did you mean \`${near}\`?` : `columns: ${columns.map((c) => `\`${c}\``).join(', ')}`,
        });
        return;
      }
      if (columns === null && sqlKnown) {
        problems.push({ path: ppath, severity: 'warning', message: `cannot check that \`${field.source_column}\` exists: \`${input}\` selects \`*\`` });
      }
      const clash = fields.find((f) => f.name === field.name || (f.source_column === field.source_column && isTime(f) && isTime(field)));
      if (clash !== undefined) {
        problems.push({ path: ppath, message: `\`${entry}\` repeats or overlaps the partition field \`${clash.name}\``, hint: 'use one time transform (year, month, day or hour) per column' });
        return;
      }
      fields.push(field);
    });
    resolved.partitions.set(sinkName, fields);
  }

  // nothing should be computed for nothing
  for (const [name, index] of transformIndex) {
    if (!consumed.has(name) && !written.has(name) && !reported.has(index) && Object.keys(sinks).length > 0) {
      problems.push({ path: ['transformations', index, 'name'], severity: 'warning', message: `the output of \`${name}\` is not written by any sink nor read by another transformation` });
    }
  }
  return { problems, resolved };
}

function isTime(field: PartitionField): boolean {
  return field.transform === 'year' || field.transform === 'month' || field.transform === 'day' || field.transform === 'hour';
}
