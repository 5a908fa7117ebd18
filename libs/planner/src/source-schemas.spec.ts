import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadDefinition, type PipelineDefinition } from '@matih/pipeline-spec';
import { formatPlanDiagnostic } from './diagnostics';
import { resolveSourceSchemas } from './source-schemas';

// GET /subjects/{subject}/versions/latest of the Confluent API, answered in-process (loopback only)
const SCHEMA = JSON.stringify({ type: 'record', name: 'R', fields: [{ name: 'a', type: 'string' }] });
let server: Server;
let url: string;
/** a loopback port nothing listens on */
let closedPort: number;
const seen: { path: string; authorization: string | undefined }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ path: req.url ?? '', authorization: req.headers.authorization });
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/vnd.schemaregistry.v1+json' });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/subjects/clicks-value/versions/latest') return reply(200, { subject: 'clicks-value', version: 3, id: 11, schema: SCHEMA });
    if (req.url?.startsWith('/subjects/locked')) return reply(401, { error_code: 401, message: 'Unauthorized' });
    reply(404, { error_code: 40401, message: 'Subject not found.' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function definition(sources: string): PipelineDefinition {
  const loaded = loadDefinition(
    `
metadata: { name: p, version: "1.0.0", owner: o }
sources:
${sources}
transformations:
  - { name: t1, type: sql_transform, input: a, sql: "SELECT value FROM {{ input }}" }
sinks:
  out: { type: iceberg, table: analytics.ns.tbl, input: t1 }
orchestration: { engine: flink }
`,
    { file: 't.yaml', env: { SR_PW: 'pw', SR_URL: url } },
  );
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.diagnostics));
  return loaded.definition;
}

describe("resolveSourceSchemas: the latest value schema of each avro source's topic", () => {
  it('looks up <topic>-value with basic auth; json sources are not looked up', async () => {
    seen.length = 0;
    const def = definition(`
  a: { type: kafka, connection: "127.0.0.1:19092", topic: clicks, consumer_group: g, format: avro, schema_registry: { url: "\${SR_URL}/", username: u, password: "\${SR_PW}" } }
  b: { type: kafka, connection: "127.0.0.1:19092", topic: other, consumer_group: g, format: json, schema_registry: "\${SR_URL}" }`);
    const result = await resolveSourceSchemas(def, { env: { SR_PW: 'pw' } });
    expect(result).toEqual({ ok: true, schemas: { a: { subject: 'clicks-value', id: 11, version: 3, schemaType: 'AVRO', schema: SCHEMA } } });
    expect(seen).toEqual([{ path: '/subjects/clicks-value/versions/latest', authorization: `Basic ${Buffer.from('u:pw').toString('base64')}` }]);
  });

  it('names the source, the subject and what to change when the lookup fails', async () => {
    const def = definition(`
  a: { type: kafka, connection: "127.0.0.1:19092", topic: missing, consumer_group: g, format: avro, schema_registry: "\${SR_URL}" }
  b: { type: kafka, connection: "127.0.0.1:19092", topic: locked, consumer_group: g, format: avro, schema_registry: "\${SR_URL}" }
  c: { type: kafka, connection: "127.0.0.1:19092", topic: x, consumer_group: g, format: avro, schema_registry: "http://127.0.0.1:${closedPort}" }
  d: { type: kafka, connection: "127.0.0.1:19092", topic: clicks, consumer_group: g, format: avro, schema_registry: { url: "\${SR_URL}", username: u, password: "\${SR_PW}" } }`);
    const result = await resolveSourceSchemas(def, { env: {} });
    if (result.ok) throw new Error('expected diagnostics');
    expect(result.diagnostics.map(formatPlanDiagnostic)).toEqual([
      `sources.a.schema_registry: the schema registry ${url} has no subject missing-value (register the topic's value schema under missing-value (what producers with the default TopicNameStrategy do))`,
      `sources.b.schema_registry: the schema registry ${url} refused the compiler (HTTP 401) (check schema_registry.username and password)`,
      expect.stringMatching(/^sources\.c\.schema_registry: the schema registry http:\/\/127\.0\.0\.1:\d+ is unreachable \(ECONNREFUSED\) \(check schema_registry\.url, or that the registry is running\)$/),
      'sources.d.schema_registry.password: the environment variable SR_PW (the schema registry password) is not set for the compiler',
    ]);
  });
});
