import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { createTestDatabase, startApp, waitFor, waitHealthy, type RunningService, type TestDatabase } from '@matih/stack';
import { Kafka, logLevel } from 'kafkajs';
import { brokers } from './testing/harness';

/**
 * One deployment followed across services by its trace: the registry (API call, outbox), the compiler,
 * the micro-batch executor and the monitor, each a real process exporting OTLP (JSON) to a collector
 * in this test.
 */
interface CollectedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
}

const SPAN_KIND = { SERVER: 2, PRODUCER: 4, CONSUMER: 5 } as const;
const ADMIN = `admin-${randomUUID()}`;
const PORTS = { registry: 28150, compiler: 28151, microbatch: 28153, monitor: 28154, collector: 28159 };

describe('a trace of one deployment across services', () => {
  const collected: CollectedSpan[] = [];
  let collector: Server;
  let database: TestDatabase | undefined;
  let services: RunningService[] = [];
  const name = `trace-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    collector = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += String(chunk)));
      request.on('end', () => {
        try {
          collect(JSON.parse(body));
        } catch {
          // not OTLP JSON: ignore
        }
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(PORTS.collector, '127.0.0.1', resolve));

    database = await createTestDatabase('monitor_trace');

    const otel = {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${PORTS.collector}`,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '200',
      LOG_LEVEL: 'warn',
    };
    services = [
      startApp('registry', {
        port: PORTS.registry,
        env: { ...otel, REGISTRY_DATABASE_URL: database.url, REGISTRY_ADMIN_TOKEN: ADMIN, REGISTRY_OUTBOX_POLL_MS: '50', KAFKA_CONNECTION: brokers.join(','), SCHEMA_REGISTRY_URL: 'http://127.0.0.1:18085' },
      }),
      startApp('compiler', { port: PORTS.compiler, env: otel }),
      startApp('monitor', { port: PORTS.monitor, env: { ...otel, MONITOR_POLL_INTERVAL_MS: '300', MONITOR_STALLED_AFTER_MS: '600000' } }),
      startApp('microbatch', { port: PORTS.microbatch, env: { ...otel, MATIH_HEARTBEAT_INTERVAL_MS: '500', MATIH_ICEBERG_JDBC_PASSWORD: 'matih' } }),
    ];
    await Promise.all(services.map((s) => waitHealthy(s)));

  });

  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    await new Promise((resolve) => collector?.close(resolve));
    await database?.drop();
  });

  function collect(body: { resourceSpans?: { resource?: { attributes?: { key: string; value: { stringValue?: string } }[] }; scopeSpans?: { spans?: CollectedSpan[] }[] }[] }) {
    for (const rs of body.resourceSpans ?? []) {
      const service = rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue ?? '?';
      for (const ss of rs.scopeSpans ?? []) {
        for (const s of ss.spans ?? []) collected.push({ service, traceId: s.traceId, spanId: s.spanId, parentSpanId: s.parentSpanId ?? '', name: s.name, kind: s.kind });
      }
    }
  }

  async function api(method: string, url: string, json?: unknown, yaml?: string) {
    const headers: Record<string, string> = { authorization: `Bearer ${ADMIN}` };
    if (yaml !== undefined) headers['content-type'] = 'application/yaml';
    else if (json !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`http://127.0.0.1:${PORTS.registry}${url}`, { method, headers, body: yaml ?? (json === undefined ? undefined : JSON.stringify(json)) });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  }

  it('follows the deploy request through the registry, compiler, executor and monitor, and records the health in the audit log', async () => {
    const seed = readFileSync(path.resolve(__dirname, '../../../examples/clickstream.yaml'), 'utf8');
    const definition = seed
      .replace('name: realtime-clickstream', `name: ${name}`)
      .replace('topic: matih.web.clickstream', `topic: ${name}`)
      .replace('consumer_group: pipeline-clickstream-v1', `consumer_group: ${name}`)
      .replace('table: analytics.web.clickstream_events', `table: analytics.web.${name.replace(/-/g, '_')}`)
      .replace('engine: flink', 'engine: airflow');
    const admin = new Kafka({ clientId: 'trace-test', brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: name, numPartitions: 2 }] });
    await admin.disconnect();
    const registered = await api('POST', '/v1/pipelines', undefined, definition);
    expect(registered.status).toBe(201);
    const deployed = await api('POST', '/v1/deployments', { pipeline: name, reason: 'trace test' });
    expect(deployed.status).toBe(202);
    const id: string = deployed.body.id;

    await waitFor(`deployment ${id} to run`, async () => ((await api('GET', `/v1/deployments/${id}`)).body.state === 'running' ? true : undefined), 60_000).catch(async (error: Error) => {
      const { body } = await api('GET', `/v1/deployments/${id}`);
      throw new Error(`${error.message}: it is ${body.state} (${body.lastError ?? 'no error'})\n${services.map((s) => s.output().slice(-1500)).join('\n')}`);
    });

    // the executor consumed the registry's command inside the deployment's trace
    const assign = await waitFor('the executor span', async () => collected.find((s) => s.service === 'microbatch' && s.name === 'process microbatch.assign' && s.kind === SPAN_KIND.CONSUMER), 20_000);
    const traceId = assign.traceId;
    const inTrace = (service: string, kind: number, name: RegExp) => collected.find((s) => s.traceId === traceId && s.service === service && s.kind === kind && name.test(s.name));
    const expected: [string, number, RegExp][] = [
      ['registry', SPAN_KIND.SERVER, /POST/],
      ['registry', SPAN_KIND.PRODUCER, /^send matih\.compile\.commands\.v1$/],
      ['compiler', SPAN_KIND.CONSUMER, /^process compile\.requested$/],
      ['compiler', SPAN_KIND.PRODUCER, /^send matih\.compile\.events\.v1$/],
      ['registry', SPAN_KIND.CONSUMER, /^process plan\.compiled$/],
      ['registry', SPAN_KIND.PRODUCER, /^send matih\.microbatch\.commands\.v1$/],
      ['monitor', SPAN_KIND.CONSUMER, /^process plan\.compiled$/],
    ];
    await waitFor('every service to export its spans of the trace', async () => (expected.every(([s, k, n]) => inTrace(s, k, n)) ? true : undefined), 20_000).catch(() => undefined);
    const missing = expected.filter(([s, k, n]) => !inTrace(s, k, n)).map(([s, k, n]) => `${s} ${k} ${n}`);
    expect(missing).toEqual([]);

    // parent links: the compiler's consumer span is a child of the registry's producer span (via the Kafka header)
    const compileSend = inTrace('registry', SPAN_KIND.PRODUCER, /^send matih\.compile\.commands\.v1$/)!;
    expect(inTrace('compiler', SPAN_KIND.CONSUMER, /^process compile\.requested$/)!.parentSpanId).toBe(compileSend.spanId);
    const assignSend = inTrace('registry', SPAN_KIND.PRODUCER, /^send matih\.microbatch\.commands\.v1$/)!;
    expect(assign.parentSpanId).toBe(assignSend.spanId);
    expect(new Set(collected.filter((s) => s.traceId === traceId).map((s) => s.service))).toEqual(new Set(['registry', 'compiler', 'monitor', 'microbatch']));

    // the monitor judged it and the registry recorded that in the deployment's history, leaving its state alone
    const audit = await waitFor('the health change in the audit log', async () => {
      const items: { type: string; principal: string; payload: { state: string } }[] = (await api('GET', `/v1/deployments/${id}/audit`)).body.items;
      return items.some((e) => e.type === 'deployment.health-changed') ? items : undefined;
    }, 30_000);
    expect(audit.find((e) => e.type === 'deployment.health-changed')).toMatchObject({ principal: 'service:monitor', payload: { state: 'healthy' } });
    expect((await api('GET', `/v1/deployments/${id}`)).body.state).toBe('running');
    const verify = await api('POST', '/v1/deployments/verify');
    expect(verify.body.mismatches ?? []).toEqual([]);
  });
});
