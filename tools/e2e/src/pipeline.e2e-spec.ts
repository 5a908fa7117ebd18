import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { createTestDatabase, produceClicks, readIcebergTable, stackEndpoints, startApp, waitFor, waitHealthy, type AppName, type RunningService, type TestDatabase } from '@matih/stack';

const root = path.resolve(__dirname, '..', '..', '..');
const endpoints = stackEndpoints();
const run = randomUUID().replace(/-/g, '').slice(0, 8);
const ADMIN = `admin-${randomUUID()}`;
/** ports of their own, so a running `npm start` does not answer instead */
const PORTS: Record<AppName, number> = { registry: 28300, compiler: 28301, 'flink-submitter': 28302, microbatch: 28303, monitor: 28304 };

interface Scenario {
  engine: 'flink' | 'microbatch';
  file: string;
  name: string;
  topic: string;
  table: string;
  /** what says the engine runs it, and what says it stopped */
  running: string[];
  stopped: string;
}

const scenarios: Scenario[] = [
  { engine: 'flink', file: 'clickstream.yaml', name: `e2e-clickstream-${run}`, topic: `e2e.clickstream.${run}`, table: `clickstream_events_${run}`, running: ['job.submitted', 'job.running'], stopped: 'job.stopped' },
  { engine: 'microbatch', file: 'clickstream-microbatch.yaml', name: `e2e-clickstream-mb-${run}`, topic: `e2e.clickstream-mb.${run}`, table: `clickstream_events_mb_${run}`, running: ['executor.started'], stopped: 'executor.stopped' },
];

/**
 * The seed example, run through the product: registered over the registry's HTTP API, compiled by the
 * compiler, run by the flink-submitter (Flink SQL job) or the micro-batch service, its events landing
 * in the Iceberg table the plan names, stopped, and its audit history read back.
 */
function definitionOf(s: Scenario): string {
  const text = readFileSync(path.join(root, 'examples', s.file), 'utf8');
  const out = text
    .replace(/^ {2}name: .*$/m, `  name: ${s.name}`)
    .replace(/topic: matih\.web\.clickstream$/m, `topic: ${s.topic}`)
    .replace(/consumer_group: .*$/m, `consumer_group: ${s.name}`)
    .replace(/table: analytics\.web\.\S+$/m, `table: analytics.web.${s.table}`)
    // a checkpoint commits the rows: every 5 s rather than 60 s; the shared cluster has few slots
    .replace('checkpoint_interval: 60s', 'checkpoint_interval: 5s')
    .replace('parallelism: 4', 'parallelism: 2');
  for (const part of [s.name, s.topic, s.table]) if (!out.includes(part)) throw new Error(`examples/${s.file} changed shape: could not rewrite it for ${part}`);
  return out;
}

describe('the seed pipeline end to end, on both engines', () => {
  const kafka = new Kafka({ clientId: `e2e-pipeline-${run}`, brokers: endpoints.kafka.brokers, logLevel: logLevel.NOTHING });
  const services: RunningService[] = [];
  let db: TestDatabase;
  let producer: Producer;
  let editor = '';
  const timings: Record<string, number> = {};

  async function api(method: string, url: string, options: { json?: unknown; yaml?: string; token?: string } = {}) {
    const headers: Record<string, string> = { authorization: `Bearer ${options.token ?? ADMIN}` };
    let body: string | undefined;
    if (options.yaml !== undefined) [headers['content-type'], body] = ['application/yaml', options.yaml];
    else if (options.json !== undefined) [headers['content-type'], body] = ['application/json', JSON.stringify(options.json)];
    const response = await fetch(`http://127.0.0.1:${PORTS.registry}${url}`, { method, headers, body });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  }

  const logs = () => services.map((s) => `--- ${s.name} ---\n${s.output().slice(-2500)}`).join('\n');

  async function stateOf(id: string, state: string, timeoutMs: number): Promise<void> {
    let last: { state?: string; lastError?: string } = {};
    try {
      await waitFor(`deployment ${id} to be ${state}`, async () => {
        last = (await api('GET', `/v1/deployments/${id}`)).body;
        if (last.state === 'failed') throw Object.assign(new Error(`deployment ${id} failed: ${last.lastError}`), { fatal: true });
        return last.state === state ? true : undefined;
      }, timeoutMs, 500);
    } catch (error) {
      throw new Error(`${(error as Error).message}; it is ${last.state} (${last.lastError ?? 'no error'})\n${logs()}`);
    }
  }

  beforeAll(async () => {
    const t0 = Date.now();
    db = await createTestDatabase('registry_e2e');
    const env = {
      REGISTRY_DATABASE_URL: db.url,
      REGISTRY_ADMIN_TOKEN: ADMIN,
      REGISTRY_OUTBOX_POLL_MS: '50',
      KAFKA_CONNECTION: endpoints.kafka.brokers.join(','),
      SCHEMA_REGISTRY_URL: 'http://127.0.0.1:18085',
      MATIH_ICEBERG_JDBC_PASSWORD: endpoints.postgres.password,
      MATIH_STACK_DIR: endpoints.stateDir,
      MATIH_FLINK_RECONCILE_INTERVAL_MS: '2000',
      MATIH_HEARTBEAT_INTERVAL_MS: '2000',
    };
    for (const name of ['registry', 'compiler', 'flink-submitter', 'microbatch'] as const) {
      services.push(startApp(name, { port: PORTS[name], env, logFile: path.join(endpoints.stateDir, 'logs', `e2e-pipeline-${run}`, `${name}.log`) }));
    }
    await Promise.all(services.map((s) => waitHealthy(s)));
    const token = await api('POST', '/v1/tokens', { json: { principal: 'erin', role: 'editor', team: 'analytics-team' } });
    expect(token.status).toBe(201);
    editor = token.body.token;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: scenarios.map((s) => ({ topic: s.topic, numPartitions: 2 })) });
    await admin.disconnect();
    producer = kafka.producer({ idempotent: true });
    await producer.connect();
    timings.startup = Date.now() - t0;
  }, 180_000);

  afterAll(async () => {
    // stop what is still deployed (a failed test), then the services
    for (const s of scenarios) {
      const list = await api('GET', `/v1/deployments?pipeline=${s.name}`).catch(() => null);
      for (const d of (list?.body?.items ?? []) as { id: string; state: string }[]) {
        if (!['stopped', 'failed'].includes(d.state)) await api('POST', `/v1/deployments/${d.id}/stop`, { json: { reason: 'e2e cleanup', mode: 'cancel' } }).catch(() => undefined);
      }
    }
    // the Flink cluster is shared: cancel any job of this run still there
    const flink = endpoints.flink.restUrl;
    const jobs = ((await (await fetch(`${flink}/jobs/overview`)).json().catch(() => ({ jobs: [] }))) as { jobs: { jid: string; name: string; state: string }[] }).jobs;
    for (const job of jobs.filter((j) => j.name.includes(run) && !['FINISHED', 'CANCELED', 'FAILED'].includes(j.state))) {
      await fetch(`${flink}/jobs/${job.jid}?mode=cancel`, { method: 'PATCH' }).catch(() => undefined);
    }
    await producer?.disconnect();
    await Promise.all(services.map((s) => s.stop()));
    await db?.drop();
    process.stdout.write(`pipeline e2e timings (ms): ${JSON.stringify(timings)}\n`);
  }, 180_000);

  it.each(scenarios)('$engine: register → deploy → running → events become rows → stop; the audit shows it all', async (s) => {
    const t0 = Date.now();
    const registered = await api('POST', '/v1/pipelines', { yaml: definitionOf(s), token: editor });
    expect([registered.status, registered.body?.detail ?? '']).toEqual([201, '']);
    const deployed = await api('POST', '/v1/deployments', { json: { pipeline: s.name, reason: 'e2e rollout' }, token: editor });
    expect(deployed.status).toBe(202);
    const id: string = deployed.body.id;
    expect(deployed.body).toMatchObject({ engine: s.engine, version: '1.0.0' });
    await stateOf(id, 'running', 240_000);
    timings[`${s.engine}.running`] = Date.now() - t0;

    // start_offset: latest — produce in rounds until rows show up, so none depends on when the source began reading
    const produced = new Set<string>();
    let next = 0;
    const rows = await waitFor(
      `rows in analytics.web.${s.table}`,
      async () => {
        const from = next;
        next += 200;
        await produceClicks(producer, s.topic, run, from, next);
        for (let i = from; i < next; i++) produced.add(`${run}-${String(i).padStart(8, '0')}`);
        const found = (await readIcebergTable(`web.${s.table}`, undefined, { catalog: 'analytics' }).catch(() => [])) as { user_id: string; event_type: string; page_url: string; event_timestamp: string }[];
        return found.length > 0 ? found : undefined;
      },
      240_000,
      3_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${logs()}`);
    });
    timings[`${s.engine}.firstRows`] = Date.now() - t0;
    // every row is one of this run's events, once, with the columns the seed's transform selects
    expect(rows.filter((r) => !produced.has(r.user_id))).toEqual([]);
    expect(new Set(rows.map((r) => r.user_id)).size).toBe(rows.length);
    expect(rows[0]).toMatchObject({ event_type: expect.any(String), page_url: expect.stringMatching(/^https:\/\/shop\.example\.com\//) });
    expect(rows.every((r) => r.event_timestamp !== null)).toBe(true);

    const stop = await api('POST', `/v1/deployments/${id}/stop`, { json: { reason: 'e2e done' }, token: editor });
    expect(stop.status).toBe(202);
    await stateOf(id, 'stopped', 240_000);
    timings[`${s.engine}.stopped`] = Date.now() - t0;

    const history = (await api('GET', `/v1/deployments/${id}/audit`)).body.items as { type: string; principal: string; pipelineVersion: string }[];
    const engine = s.engine === 'flink' ? 'service:flink-submitter' : 'service:microbatch';
    expect(history.map((e) => [e.type, e.principal])).toEqual([
      ['deployment.requested', 'erin'],
      ['plan.compiled', 'service:compiler'],
      ...s.running.map((type) => [type, engine]),
      ['stop.requested', 'erin'],
      [s.stopped, engine],
    ]);
    expect(history.every((e) => e.pipelineVersion === '1.0.0')).toBe(true);
  }, 600_000);
});
