import type { PipelineDefinition } from '@matih/pipeline-spec';
import type { RegisteredValueSchema, SourceSchemas } from './avro-columns';
import type { PlanDiagnostic } from './diagnostics';

export type ResolveSchemasResult = { ok: true; schemas: SourceSchemas } | { ok: false; diagnostics: PlanDiagnostic[] };

export interface ResolveSchemasOptions {
  /** where the registry passwords (`schema_registry.password`) are read from */
  env: Readonly<Record<string, string | undefined>>;
  /** per request (default 10 s) */
  timeoutMs?: number;
}

/**
 * Looks up, in each avro source's schema registry, the latest value schema of its topic (the
 * subject `<topic>-value`, the serializers' default TopicNameStrategy), over the Confluent Schema
 * Registry API. The Flink target types the source table's columns from it; the micro-batch target
 * needs nothing (it decodes each record with the schema its id names). Pass the result to
 * `compilePlan` as `sourceSchemas`.
 */
export async function resolveSourceSchemas(definition: PipelineDefinition, options: ResolveSchemasOptions): Promise<ResolveSchemasResult> {
  const schemas: Record<string, RegisteredValueSchema> = {};
  const diagnostics: PlanDiagnostic[] = [];
  for (const [name, source] of Object.entries(definition.sources)) {
    if (source.format !== 'avro' || !source.schema_registry) continue;
    const path = `sources.${name}.schema_registry`;
    const registry = source.schema_registry;
    const subject = `${source.topic}-value`;
    const headers: Record<string, string> = { accept: 'application/vnd.schemaregistry.v1+json, application/json' };
    if (registry.username !== null) {
      const password = registry.password ? options.env[registry.password.env] : '';
      if (password === undefined) {
        diagnostics.push({ path: `${path}.password`, message: `the environment variable ${registry.password?.env} (the schema registry password) is not set for the compiler` });
        continue;
      }
      headers['authorization'] = `Basic ${Buffer.from(`${registry.username}:${password}`).toString('base64')}`;
    }
    const url = `${registry.url.replace(/\/+$/, '')}/subjects/${encodeURIComponent(subject)}/versions/latest`;
    let response: Response;
    try {
      response = await fetch(url, { headers, signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) });
    } catch (error) {
      // fetch's own message is "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, a timeout) is its cause
      const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
      const reason = cause?.code ?? cause?.message ?? (error as Error).message;
      diagnostics.push({ path, message: `the schema registry ${registry.url} is unreachable (${reason})`, hint: 'check schema_registry.url, or that the registry is running' });
      continue;
    }
    if (response.status === 404) {
      diagnostics.push({ path, message: `the schema registry ${registry.url} has no subject ${subject}`, hint: `register the topic's value schema under ${subject} (what producers with the default TopicNameStrategy do)` });
      continue;
    }
    if (response.status === 401 || response.status === 403) {
      diagnostics.push({ path, message: `the schema registry ${registry.url} refused the compiler (HTTP ${response.status})`, hint: 'check schema_registry.username and password' });
      continue;
    }
    if (!response.ok) {
      diagnostics.push({ path, message: `the schema registry ${registry.url} answered HTTP ${response.status} for ${subject}: ${(await response.text()).slice(0, 200)}` });
      continue;
    }
    const body = (await response.json()) as { id?: unknown; version?: unknown; schema?: unknown; schemaType?: unknown };
    const schemaType = body.schemaType ?? 'AVRO';
    if (typeof body.id !== 'number' || typeof body.schema !== 'string' || (schemaType !== 'AVRO' && schemaType !== 'PROTOBUF' && schemaType !== 'JSON')) {
      diagnostics.push({ path, message: `the schema registry ${registry.url} gave an answer for ${subject} that is not a Confluent schema version` });
      continue;
    }
    schemas[name] = { subject, id: body.id, version: typeof body.version === 'number' ? body.version : 0, schemaType, schema: body.schema };
  }
  return diagnostics.length > 0 ? { ok: false, diagnostics } : { ok: true, schemas };
}
