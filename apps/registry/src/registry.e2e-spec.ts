import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createEnvelope, decodeEnvelope, MESSAGES, TOPICS, type Envelope, type MessageType, type PayloadOf, type TopicName } from '@matih/contracts';
import { createTestDatabase, startApp, waitFor, waitHealthy, type RunningService } from '@matih/stack';
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';

/**
 * The registry over HTTP, as a real process on the real PostgreSQL and Kafka. The test plays the
 * compiler and the engines on the control topics, so that every step of a deployment is seen.
 */
const brokers = (process.env.MATIH_KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');
const seed = readFileSync(path.resolve(__dirname, '../../../examples/clickstream.yaml'), 'utf8');
const ADMIN = `admin-${randomUUID()}`;
const PORT = 28100;

/** The seed example under another name (and engine), so tests do not share pipelines. */
function definition(name: string, options: { engine?: 'flink' | 'airflow'; version?: string; owner?: string } = {}): string {
  return seed
    .replace('name: realtime-clickstream', `name: ${name}`)
    .replace('version: "1.0.0"', `version: "${options.version ?? '1.0.0'}"`)
    .replace('owner: analytics-team', `owner: ${options.owner ?? 'analytics-team'}`)
    .replace('engine: flink', `engine: ${options.engine ?? 'flink'}`);
}

const microbatchPlan: PayloadOf<'microbatch.assign'>['plan'] = {
  engine: 'microbatch',
  sources: [
    {
      name: 'clickstream',
      topic: 'matih.web.clickstream',
      consumerGroup: 'pipeline-clickstream-v1',
      format: 'json',
      connection: { bootstrapServers: brokers, securityProtocol: 'PLAINTEXT', sasl: null, ssl: null },
      schemaRegistry: null,
      startOffset: { mode: 'latest' },
      deadLetterTopic: 'matih.web.clickstream.dlq',
    },
  ],
  stages: [{ name: 'parse_events', input: 'clickstream', sql: 'SELECT 1' }],
  sinks: [{ name: 'analytics_lake', input: 'parse_events', table: { catalog: 'analytics', namespace: ['web'], name: 't' }, catalog: { name: 'analytics', type: 'jdbc', uri: 'jdbc:postgresql://127.0.0.1:15432/matih', warehouse: 'file:///var/lib/matih/warehouse', user: 'matih', password: { env: 'MATIH_ICEBERG_JDBC_PASSWORD' }, properties: {} }, mode: 'append', columns: [{ name: 'user_id', type: 'string', required: false }], partitionBy: [] }],
  delivery: 'exactly_once',
  maxRecords: 10000,
  pollTimeoutMs: 30000,
  idleTimeoutMs: 300000,
  errorBudget: 0,
  secrets: [],
};
const flinkPlan: PayloadOf<'flink.job.submit'>['plan'] = {
  engine: 'flink',
  jobName: 'matih-test',
  sessionProperties: {},
  setup: ['CREATE TEMPORARY VIEW v AS SELECT 1'],
  job: 'INSERT INTO t SELECT 1',
  sinks: microbatchPlan.sinks.map(({ input: _input, ...sink }) => sink),
  secrets: [],
};

describe('registry over HTTP', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let registry: RunningService;
  const kafka = new Kafka({ clientId: 'registry-e2e', brokers, logLevel: logLevel.NOTHING });
  let producer: Producer;
  let consumer: Consumer;
  const seen: Envelope[] = [];
  const tokens: Record<'viewer' | 'editor' | 'outsider' | 'admin', string> = { viewer: '', editor: '', outsider: '', admin: ADMIN };

  const start = async () => {
    registry = startApp('registry', {
      port: PORT,
      env: {
        REGISTRY_DATABASE_URL: db.url,
        REGISTRY_ADMIN_TOKEN: ADMIN,
        REGISTRY_OUTBOX_POLL_MS: '50',
        KAFKA_CONNECTION: brokers.join(','),
        SCHEMA_REGISTRY_URL: 'http://127.0.0.1:18085',
      },
    });
    await waitHealthy(registry);
  };

  async function api(method: string, url: string, options: { token?: string | null; json?: unknown; yaml?: string } = {}) {
    const headers: Record<string, string> = {};
    const token = options.token === undefined ? ADMIN : options.token;
    if (token) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (options.yaml !== undefined) {
      headers['content-type'] = 'application/yaml';
      body = options.yaml;
    } else if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    const response = await fetch(`http://127.0.0.1:${PORT}${url}`, { method, headers, body });
    const text = await response.text();
    return { status: response.status, type: response.headers.get('content-type') ?? '', body: text ? JSON.parse(text) : null };
  }

  /** Answer as another service would: a message on the control plane, caused by `cause`. */
  async function reply<T extends MessageType>(type: T, key: string, payload: PayloadOf<T>, cause: Envelope, repeat = 1): Promise<Envelope<T>> {
    const envelope = createEnvelope(type, key, payload, { causedBy: cause });
    for (let i = 0; i < repeat; i++) {
      await producer.send({ topic: MESSAGES[type].topic, messages: [{ key, value: JSON.stringify(envelope) }] });
    }
    return envelope;
  }

  const commandFor = <T extends MessageType>(type: T, deploymentId: string) =>
    waitFor(`${type} for ${deploymentId}`, async () => seen.find((e): e is Envelope<T> => e.type === type && e.key === deploymentId), 30_000);

  const stateOf = async (id: string, state: string) => {
    let last: { state?: string; lastError?: string } = {};
    try {
      return await waitFor(`deployment ${id} to be ${state}`, async () => {
        last = (await api('GET', `/v1/deployments/${id}`)).body;
        return last.state === state ? last : undefined;
      }, 30_000);
    } catch (error) {
      throw new Error(`${(error as Error).message}; it is ${last.state} (${last.lastError ?? 'no error'})`);
    }
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    producer = kafka.producer({ idempotent: true });
    await producer.connect();
    consumer = kafka.consumer({ groupId: `registry-e2e-${randomUUID()}` });
    await consumer.connect();
    const topics: TopicName[] = [TOPICS.compileCommands, TOPICS.flinkCommands, TOPICS.microbatchCommands, TOPICS.deploymentEvents];
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: 3 })) }).catch(() => undefined);
    await admin.disconnect();
    await consumer.subscribe({ topics, fromBeginning: false });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        const decoded = decodeEnvelope(topic, message.value);
        if (decoded.ok) seen.push(decoded.envelope);
      },
    });
    await waitFor('the test consumer to join', async () => ((await consumer.describeGroup()).state === 'Stable' ? true : undefined));
    await start();
    for (const [name, body] of [
      ['viewer', { principal: 'vera', role: 'viewer' }],
      ['editor', { principal: 'erin', role: 'editor', team: 'analytics-team' }],
      ['outsider', { principal: 'oscar', role: 'editor', team: 'payments' }],
    ] as const) {
      const created = await api('POST', '/v1/tokens', { json: body });
      expect(created.status).toBe(201);
      tokens[name] = created.body.token;
    }
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await producer?.disconnect();
    await registry?.stop();
    await db?.drop();
  });

  it('serves its OpenAPI document and health without a token', async () => {
    const doc = await api('GET', '/openapi.json', { token: null });
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/v1/pipelines', '/v1/deployments/{id}/{action}', '/v1/audit']));
    expect((await api('GET', '/health', { token: null })).status).toBe(200);
  });

  it('keeps versions immutable: new 201, identical 200, changed 409, invalid 422 with positions', async () => {
    const name = `immutable-${randomUUID().slice(0, 8)}`;
    const first = await api('POST', '/v1/pipelines', { yaml: definition(name), token: tokens.editor });
    expect([first.status, first.body.status]).toEqual([201, 'created']);
    const again = await api('POST', '/v1/pipelines', { yaml: definition(name), token: tokens.editor });
    expect([again.status, again.body.status, again.body.hash]).toEqual([200, 'unchanged', first.body.hash]);
    const changed = await api('POST', '/v1/pipelines', { yaml: definition(name).replace('parallelism: 4', 'parallelism: 2'), token: tokens.editor });
    expect(changed.status).toBe(409);
    expect(changed.type).toMatch(/application\/problem\+json/);
    expect(changed.body).toMatchObject({ code: 'PIPELINE_VERSION_CONFLICT', detail: expect.stringMatching(/versions are immutable/) });
    const invalid = await api('POST', '/v1/pipelines', { yaml: definition(name).replace('consumer_group:', 'consumer_grup:'), token: tokens.editor });
    expect(invalid.status).toBe(422);
    expect(invalid.body.diagnostics).toEqual(
      expect.arrayContaining([expect.objectContaining({ line: 11, col: 5, path: 'sources.clickstream.consumer_grup', message: 'unknown field `consumer_grup`', hint: 'did you mean `consumer_group`?' })]),
    );
    const preview = await api('GET', `/v1/pipelines/${name}/versions/1.0.0/plan`, { token: tokens.viewer });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ target: 'flink', plan: { engine: 'flink' } });
    expect(preview.body.script).toMatch(/'connector' = 'kafka'/);
    expect(preview.body.script).toMatch(/INSERT INTO/);
    const microbatch = await api('GET', `/v1/pipelines/${name}/versions/1.0.0/plan?target=microbatch`, { token: tokens.viewer });
    expect(microbatch.body).toMatchObject({ target: 'microbatch', plan: { engine: 'microbatch', stages: [expect.objectContaining({ name: 'parse_events' })] }, script: null });
    const stored = await api('GET', `/v1/pipelines/${name}/versions/1.0.0`, { token: tokens.viewer });
    expect(stored.body).toMatchObject({ version: '1.0.0', hash: first.body.hash, source: definition(name) });
  });

  it('enforces roles and team ownership, and audits every denied request', async () => {
    const name = `authz-${randomUUID().slice(0, 8)}`;
    const before = (await api('GET', '/v1/audit?type=access.denied&limit=1000')).body.items.length;
    const matrix: [string, string, { yaml?: string; json?: unknown } | undefined, Record<keyof typeof tokens | 'none', number>][] = [
      ['GET', '/v1/pipelines', undefined, { none: 401, viewer: 200, editor: 200, outsider: 200, admin: 200 }],
      ['POST', '/v1/pipelines/validate', { yaml: definition(name) }, { none: 401, viewer: 200, editor: 200, outsider: 200, admin: 200 }],
      ['POST', '/v1/pipelines', { yaml: definition(name) }, { none: 401, viewer: 403, editor: 201, outsider: 403, admin: 200 }],
      ['GET', `/v1/pipelines/${name}`, undefined, { none: 401, viewer: 200, editor: 200, outsider: 200, admin: 200 }],
      ['GET', `/v1/pipelines/${name}/audit`, undefined, { none: 401, viewer: 200, editor: 200, outsider: 200, admin: 200 }],
      ['GET', '/v1/deployments', undefined, { none: 401, viewer: 200, editor: 200, outsider: 200, admin: 200 }],
      ['GET', '/v1/audit', undefined, { none: 401, viewer: 200, editor: 200, outsider: 200, admin: 200 }],
      ['POST', '/v1/tokens', { json: { principal: 'x', role: 'viewer' } }, { none: 401, viewer: 403, editor: 403, outsider: 403, admin: 201 }],
      ['POST', '/v1/deployments/verify', undefined, { none: 401, viewer: 403, editor: 403, outsider: 403, admin: 200 }],
    ];
    let denied = 0;
    for (const [method, url, body, expected] of matrix) {
      for (const who of ['none', 'viewer', 'outsider', 'editor', 'admin'] as const) {
        const result = await api(method, url, { ...body, token: who === 'none' ? null : tokens[who] });
        expect(`${who} ${method} ${url} → ${result.status}`).toBe(`${who} ${method} ${url} → ${expected[who]}`);
        if (result.status === 401 || result.status === 403) denied++;
      }
    }
    // deploying: viewers and other teams may not; the owning team's editor may
    for (const who of ['viewer', 'outsider'] as const) {
      expect((await api('POST', '/v1/deployments', { json: { pipeline: name }, token: tokens[who] })).status).toBe(403);
      denied++;
    }
    const deployed = await api('POST', '/v1/deployments', { json: { pipeline: name }, token: tokens.editor });
    expect(deployed.status).toBe(202);
    expect((await api('POST', `/v1/deployments/${deployed.body.id}/stop`, { json: {}, token: tokens.outsider })).status).toBe(403);
    denied++;
    const after = await api('GET', '/v1/audit?type=access.denied&limit=1000');
    expect(after.body.items.length - before).toBe(denied);
    expect(after.body.items.at(-1)).toMatchObject({ type: 'access.denied', principal: 'oscar', payload: { method: 'POST', code: 'AUTH_FORBIDDEN' } });
  });

  it('register → deploy (micro-batch) → running → stop: the audit history shows exactly that, with principals', async () => {
    const name = `mb-${randomUUID().slice(0, 8)}`;
    expect((await api('POST', '/v1/pipelines', { yaml: definition(name, { engine: 'airflow' }), token: tokens.editor })).status).toBe(201);
    const deployed = await api('POST', '/v1/deployments', { json: { pipeline: name, reason: 'first rollout' }, token: tokens.editor });
    expect(deployed.status).toBe(202);
    const id: string = deployed.body.id;
    expect(deployed.body).toMatchObject({ state: 'compiling', engine: 'microbatch', version: '1.0.0' });

    const compile = await commandFor('compile.requested', id);
    expect(compile.payload).toMatchObject({ pipeline: name, version: '1.0.0', target: 'microbatch', definition: { metadata: { name } } });
    await reply('plan.compiled', id, { deploymentId: id, pipeline: name, version: '1.0.0', hash: compile.payload.hash, plan: microbatchPlan }, compile);
    const assign = await commandFor('microbatch.assign', id);
    expect(assign.payload.plan).toEqual(microbatchPlan);
    await reply('executor.started', id, { deploymentId: id, pipeline: name, version: '1.0.0', instanceId: 'mb-1' }, assign);
    await stateOf(id, 'running');

    expect((await api('POST', `/v1/deployments/${id}/stop`, { json: { reason: 'maintenance' }, token: tokens.editor })).status).toBe(202);
    const release = await commandFor('microbatch.release', id);
    await reply('executor.stopped', id, { deploymentId: id, pipeline: name, version: '1.0.0', instanceId: 'mb-1' }, release);
    await stateOf(id, 'stopped');

    const history = (await api('GET', `/v1/deployments/${id}/audit`, { token: tokens.viewer })).body.items;
    expect(history.map((e: { type: string; principal: string; pipelineVersion: string }) => [e.type, e.principal, e.pipelineVersion])).toEqual([
      ['deployment.requested', 'erin', '1.0.0'],
      ['plan.compiled', 'service:compiler', '1.0.0'],
      ['executor.started', 'service:microbatch', '1.0.0'],
      ['stop.requested', 'erin', '1.0.0'],
      ['executor.stopped', 'service:microbatch', '1.0.0'],
    ]);
    expect(history[0].reason).toBe('first rollout');
    expect(history[3].reason).toBe('maintenance');
    const changes = seen.filter((e): e is Envelope<'deployment.changed'> => e.type === 'deployment.changed' && e.key === id).map((e) => e.payload.state);
    expect(changes).toEqual(['compiling', 'submitting', 'running', 'stopping', 'stopped']);
    const pipelineAudit = (await api('GET', `/v1/audit?pipeline=${name}`)).body.items.map((e: { type: string }) => e.type);
    expect(pipelineAudit[0]).toBe('pipeline.registered');
  });

  it('lets one of two concurrent deploys of a pipeline win; the other gets 409', async () => {
    const name = `race-${randomUUID().slice(0, 8)}`;
    await api('POST', '/v1/pipelines', { yaml: definition(name) });
    const results = await Promise.all([0, 1, 2].map(() => api('POST', '/v1/deployments', { json: { pipeline: name } })));
    expect(results.map((r) => r.status).sort()).toEqual([202, 409, 409]);
    expect(results.find((r) => r.status === 409)?.body.code).toBe('DEPLOYMENT_CONFLICT');
  });

  it('a registry killed mid-deployment and restarted completes it: nothing lost or duplicated, projections rebuild equal', async () => {
    const name = `crash-${randomUUID().slice(0, 8)}`;
    await api('POST', '/v1/pipelines', { yaml: definition(name) });
    const deployed = await api('POST', '/v1/deployments', { json: { pipeline: name } });
    const id: string = deployed.body.id;
    await registry.stop('SIGKILL');
    await start();

    const compile = await commandFor('compile.requested', id);
    // a redelivered report (same message id) is applied once
    await reply('plan.compiled', id, { deploymentId: id, pipeline: name, version: '1.0.0', hash: compile.payload.hash, plan: flinkPlan }, compile, 2);
    const submit = await commandFor('flink.job.submit', id);
    await registry.stop('SIGKILL');
    await reply('job.submitted', id, { deploymentId: id, pipeline: name, version: '1.0.0', jobId: 'job-1', jobName: 'matih-test' }, submit);
    await reply('job.running', id, { deploymentId: id, pipeline: name, version: '1.0.0', jobId: 'job-1' }, submit);
    await start();
    await stateOf(id, 'running');

    const history = (await api('GET', `/v1/deployments/${id}/audit`)).body.items.map((e: { type: string }) => e.type);
    expect(history).toEqual(['deployment.requested', 'plan.compiled', 'job.submitted', 'job.running']);
    expect(new Set(seen.filter((e) => e.type === 'compile.requested' && e.key === id).map((e) => e.id)).size).toBe(1);
    expect(new Set(seen.filter((e) => e.type === 'flink.job.submit' && e.key === id).map((e) => e.id)).size).toBe(1);
    const verify = await api('POST', '/v1/deployments/verify');
    expect(verify.body.checked).toBeGreaterThan(0);
    expect(verify.body.mismatches).toEqual([]);
  });
});
