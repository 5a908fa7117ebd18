import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { JdbcCatalog, loadTable } from '@matih/iceberg';
import { produceClicks, stackEndpoints } from '@matih/stack';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { RegistryApiError, RegistryClient } from '../api/registry-client';
import { formatTable } from '../table';

export type DemoEngine = 'flink' | 'microbatch';

/** The reference page's pipeline, once per engine. */
const EXAMPLES: Record<DemoEngine, { file: string; pipeline: string; group: string; table: string }> = {
  flink: { file: 'examples/clickstream.yaml', pipeline: 'realtime-clickstream', group: 'pipeline-clickstream-v1', table: 'clickstream_events' },
  microbatch: { file: 'examples/clickstream-microbatch.yaml', pipeline: 'realtime-clickstream-mb', group: 'pipeline-clickstream-mb-v1', table: 'clickstream_events_mb' },
};
export const DEMO_TOPIC = 'matih.web.clickstream';

interface Deployment {
  id: string;
  pipeline: string;
  engine: string;
  state: string;
  lastError: string | null;
}

export interface DemoRow {
  readonly engine: DemoEngine;
  readonly deployment: string;
  readonly state: string;
  readonly rows: number | null;
  readonly lag: number | null;
  readonly lastSnapshotAgeS: number | null;
}

export interface DemoOptions {
  readonly root: string;
  readonly engines: readonly DemoEngine[];
  /** synthetic events per second */
  readonly rate: number;
  readonly registry: RegistryClient;
  readonly say: (line: string) => void;
}

/**
 * The product end to end: register and deploy the reference page's pipeline on each engine, produce a
 * stream of synthetic clickstream events, and report records in, rows committed, lag and the newest
 * snapshot until stopped; then stop the deployments (Flink with a savepoint).
 */
export class Demo {
  private readonly kafka = new Kafka({ clientId: 'matih-demo', brokers: stackEndpoints().kafka.brokers, logLevel: logLevel.NOTHING });
  private producer: Producer | undefined;
  private admin: Admin | undefined;
  private catalog: JdbcCatalog | undefined;
  readonly deployments = new Map<DemoEngine, Deployment>();
  private produced = 0;
  private producing: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: DemoOptions) {}

  get eventsProduced(): number {
    return this.produced;
  }

  async start(): Promise<void> {
    this.admin = this.kafka.admin();
    await this.admin.connect();
    const topics = await this.admin.listTopics();
    if (!topics.includes(DEMO_TOPIC)) await this.admin.createTopics({ topics: [{ topic: DEMO_TOPIC, numPartitions: 4 }], waitForLeaders: true });
    for (const engine of this.options.engines) this.deployments.set(engine, await this.deploy(engine));
    await this.waitUntilRunning();
    this.producer = this.kafka.producer({ idempotent: true });
    await this.producer.connect();
    this.producing = this.produce();
  }

  private async deploy(engine: DemoEngine): Promise<Deployment> {
    const example = EXAMPLES[engine];
    const api = this.options.registry;
    await api.request('POST', `/v1/pipelines?file=${encodeURIComponent(example.file)}`, { yaml: readFileSync(path.join(this.options.root, example.file), 'utf8') });
    const live = (await api.request<{ items: Deployment[] }>('GET', `/v1/deployments?pipeline=${example.pipeline}&limit=200`)).body.items.find(
      (d) => !['stopped', 'failed'].includes(d.state),
    );
    if (live) {
      this.options.say(`${example.pipeline}: using its live deployment ${live.id} (${live.state})`);
      return live;
    }
    try {
      const { body } = await api.request<Deployment>('POST', '/v1/deployments', { json: { pipeline: example.pipeline, reason: 'matih start' } });
      this.options.say(`${example.pipeline}: deployed on ${engine} as ${body.id}`);
      return body;
    } catch (error) {
      if (error instanceof RegistryApiError) throw new Error(`deploying ${example.pipeline} failed: ${error.message}`);
      throw error;
    }
  }

  private async waitUntilRunning(timeoutMs = 180_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const seen = new Map<DemoEngine, string>();
    for (;;) {
      for (const [engine, d] of this.deployments) {
        const fresh = (await this.options.registry.request<Deployment>('GET', `/v1/deployments/${d.id}`)).body;
        this.deployments.set(engine, fresh);
        if (seen.get(engine) !== fresh.state) this.options.say(`${EXAMPLES[engine].pipeline}: ${fresh.state}${fresh.lastError ? ` — ${fresh.lastError}` : ''}`);
        seen.set(engine, fresh.state);
      }
      const states = [...this.deployments.values()].map((d) => d.state);
      if (states.every((s) => s === 'running' || s === 'failed')) {
        if (states.every((s) => s === 'failed')) throw new Error('no deployment is running: see the reasons above, and the service logs in .stack/logs/apps');
        return;
      }
      if (Date.now() > deadline) throw new Error(`deployments not running after ${timeoutMs / 1000}s: ${states.join(', ')}`);
      await sleep(1000);
    }
  }

  /** Produce `rate` events per second, in ticks of 100 ms, until stopped. */
  private async produce(): Promise<void> {
    const run = randomUUID().slice(0, 8);
    const perTick = Math.max(1, Math.round(this.options.rate / 10));
    while (!this.stopped && this.producer) {
      const started = Date.now();
      await produceClicks(this.producer, DEMO_TOPIC, run, this.produced, this.produced + perTick);
      this.produced += perTick;
      await sleep(Math.max(0, 100 - (Date.now() - started)));
    }
  }

  /** Where each deployment stands now. */
  async snapshot(): Promise<DemoRow[]> {
    const rows: DemoRow[] = [];
    for (const [engine, d] of this.deployments) {
      const example = EXAMPLES[engine];
      const fresh = (await this.options.registry.request<Deployment>('GET', `/v1/deployments/${d.id}`)).body;
      const table = await this.table(example.table);
      rows.push({ engine, deployment: fresh.id, state: fresh.state, rows: table.rows, lag: await this.lag(example.group), lastSnapshotAgeS: table.ageS });
    }
    return rows;
  }

  render(rows: readonly DemoRow[]): string {
    return [
      `events produced to ${DEMO_TOPIC}: ${this.produced.toLocaleString('en-US')} (${this.options.rate}/s)`,
      formatTable(
        ['ENGINE', 'DEPLOYMENT', 'STATE', 'ROWS COMMITTED', 'LAG', 'LAST SNAPSHOT'],
        rows.map((r) => [
          r.engine,
          r.deployment,
          r.state,
          r.rows === null ? '—' : r.rows.toLocaleString('en-US'),
          r.lag === null ? '—' : r.lag.toLocaleString('en-US'),
          r.lastSnapshotAgeS === null ? 'none yet' : `${r.lastSnapshotAgeS.toFixed(0)}s ago`,
        ]),
      ),
    ].join('\n');
  }

  private async table(name: string): Promise<{ rows: number | null; ageS: number | null }> {
    const endpoints = stackEndpoints();
    this.catalog ??= new JdbcCatalog({ name: 'analytics', warehouse: endpoints.iceberg.warehouse, pool: { connectionString: endpoints.postgres.url, max: 1 } });
    const ident = { namespace: ['web'], name };
    if (!(await this.catalog.tableExists(ident))) return { rows: null, ageS: null };
    const snapshot = (await loadTable(this.catalog, ident)).currentSnapshot();
    if (!snapshot) return { rows: 0, ageS: null };
    return { rows: Number(snapshot.summary['total-records'] ?? 0), ageS: (Date.now() - Number(snapshot['timestamp-ms'])) / 1000 };
  }

  private async lag(group: string): Promise<number | null> {
    if (!this.admin) return null;
    const [committed] = await this.admin.fetchOffsets({ groupId: group, topics: [DEMO_TOPIC] });
    const ends = await this.admin.fetchTopicOffsets(DEMO_TOPIC);
    if (!committed || committed.partitions.every((p) => p.offset === '-1')) return null;
    return ends.reduce((sum, end) => {
      const at = committed.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
      return sum + Math.max(0, Number(end.high) - (at === '-1' ? Number(end.low) : Number(at)));
    }, 0);
  }

  /** Stop producing, then stop every deployment (Flink with a savepoint) and wait until they are. */
  async stop(timeoutMs = 90_000): Promise<void> {
    this.stopped = true;
    await this.producing;
    await this.producer?.disconnect();
    for (const [engine, d] of this.deployments) {
      try {
        await this.options.registry.request('POST', `/v1/deployments/${d.id}/stop`, { json: { reason: 'matih start stopped' } });
        this.options.say(`${EXAMPLES[engine].pipeline}: stopping`);
      } catch (error) {
        this.options.say(`${EXAMPLES[engine].pipeline}: not stopped (${(error as Error).message})`);
      }
    }
    const deadline = Date.now() + timeoutMs;
    for (const [engine, d] of this.deployments) {
      for (;;) {
        const state = (await this.options.registry.request<Deployment>('GET', `/v1/deployments/${d.id}`)).body.state;
        if (['stopped', 'failed'].includes(state) || Date.now() > deadline) {
          this.options.say(`${EXAMPLES[engine].pipeline}: ${state}`);
          break;
        }
        await sleep(500);
      }
    }
    await this.admin?.disconnect();
    await this.catalog?.close();
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
