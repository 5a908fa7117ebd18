/*
 * Service mode end to end: real microbatch processes on the local stack share an assigned
 * pipeline's partitions, drain on SIGTERM, pick up assignments made before they started, and all
 * stop on release.
 */
import { decodeEnvelope, TOPICS, type Envelope, type PayloadOf } from '@matih/contracts';
import { ControlPlane } from '@matih/control-plane';
import { clickstreamPlan, createTopic, kafka, produceClickstream, uniq } from '@matih/executor/testing';
import { readIcebergTable, stackEndpoints, startApp, waitFor, waitHealthy, type RunningService } from '@matih/stack';
import type { Consumer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import pino from 'pino';

type Event = Envelope<'executor.started' | 'executor.stopped' | 'executor.failed' | 'executor.heartbeat' | 'batch.committed'>;

const PARTITIONS = 4;
const N = 2_000;
const M = 1_000;
const env = { MATIH_HEARTBEAT_INTERVAL_MS: '1000', LOG_LEVEL: 'info', MATIH_SHUTDOWN_GRACE_MS: '60000' };

/** The micro-batch events of one deployment, as they arrive. */
class Events {
  readonly seen: Event[] = [];
  private constructor(private readonly consumer: Consumer) {}

  static async follow(deploymentId: string): Promise<Events> {
    const topic = TOPICS.microbatchEvents;
    const groupId = uniq('mb_e2e_events');
    const admin = kafka().admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(topic);
    await admin.setOffsets({ groupId, topic, partitions: ends.map((e) => ({ partition: e.partition, offset: e.high })) });
    await admin.disconnect();
    const consumer = kafka().consumer({ groupId });
    const events = new Events(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: [topic] });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const decoded = decodeEnvelope(topic, message.value);
        if (decoded.ok && decoded.envelope.key === deploymentId) events.seen.push(decoded.envelope as Event);
      },
    });
    return events;
  }

  of<T extends Event['type']>(type: T, instanceId?: string): Envelope<T>[] {
    return this.seen.filter((e): e is Envelope<T> => e.type === type && (instanceId === undefined || e.payload.instanceId === instanceId));
  }

  /** The latest heartbeat of each instance sent after `since` (index into `seen`). */
  heartbeats(since: number): Map<string, PayloadOf<'executor.heartbeat'>> {
    const latest = new Map<string, PayloadOf<'executor.heartbeat'>>();
    for (const e of this.seen.slice(since)) if (e.type === 'executor.heartbeat') latest.set(e.payload.instanceId, e.payload);
    return latest;
  }

  async close(): Promise<void> {
    await this.consumer.disconnect();
  }
}

async function instanceIdOf(service: RunningService): Promise<string> {
  const health = (await (await fetch(`${service.baseUrl}/health`)).json()) as { info: { service: { instanceId: string } } };
  return health.info.service.instanceId;
}

/** Wait until exactly `instances` report heartbeats that split all partitions between them, each holding some. */
async function partitionsSplit(events: Events, instances: readonly string[], what: string): Promise<Map<string, string[]>> {
  const since = events.seen.length;
  return waitFor(
    what,
    async () => {
      const latest = events.heartbeats(since);
      const shares = new Map(instances.map((id) => [id, latest.get(id)?.partitions ?? []]));
      const all = [...shares.values()].flat();
      const split = [...shares.values()].every((p) => p.length > 0) && all.length === PARTITIONS && new Set(all).size === PARTITIONS;
      return split ? shares : undefined;
    },
    90_000,
  );
}

async function tableSeqs(table: string): Promise<number[]> {
  const rows = await readIcebergTable(`executor_it.${table}`);
  return rows.map((r) => Number(r['seq'])).sort((a, b) => a - b);
}

/** The service's exit code, or `timedOut` when it is still running after `ms`. */
async function exitWithin(service: RunningService, ms: number, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | NodeJS.Signals | 'timedOut'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timedOut'>((resolve) => (timer = setTimeout(() => resolve('timedOut'), ms)));
  try {
    return await Promise.race([service.stop(signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const committedRows = (events: Events) => events.of('batch.committed').reduce((sum, e) => sum + e.payload.rows, 0);

describe('microbatch service mode', () => {
  const services: RunningService[] = [];
  let control: ControlPlane | undefined;
  let events: Events | undefined;

  afterAll(async () => {
    await Promise.all(services.map((s) => exitWithin(s, 30_000)));
    for (const s of services) if (s.process.exitCode === null && s.process.signalCode === null) s.process.kill('SIGKILL');
    await events?.close();
    await control?.stop();
  });

  it('runs an assigned pipeline on every instance, splits its partitions, drains on SIGTERM, resumes from history, releases', async () => {
    const topic = uniq('mb_e2e_clicks');
    const table = uniq('mb_e2e');
    await createTopic(topic, PARTITIONS);
    const plan = clickstreamPlan({ topic, table, maxRecords: 500, pollTimeoutMs: 2_000 });
    const deployment = { deploymentId: randomUUID(), pipeline: 'mb-e2e-clickstream', version: '1.0.0' };

    control = new ControlPlane({ service: 'microbatch-e2e', brokers: [...stackEndpoints().kafka.brokers], logger: pino({ level: 'warn' }) });
    await control.start();
    events = await Events.follow(deployment.deploymentId);
    const seen = events;

    // two instances, then the assignment: both run it
    const a = startApp('microbatch', { port: 18113, env });
    const b = startApp('microbatch', { port: 18114, env });
    services.push(a, b);
    await Promise.all([waitHealthy(a), waitHealthy(b)]);
    const [idA, idB] = await Promise.all([instanceIdOf(a), instanceIdOf(b)]);
    await control.publish('microbatch.assign', deployment.deploymentId, { ...deployment, plan });
    await waitFor('executor.started from both instances', async () => (seen.of('executor.started', idA).length && seen.of('executor.started', idB).length ? true : undefined), 90_000);
    await partitionsSplit(seen, [idA, idB], 'heartbeats of both instances splitting the partitions');

    // N events: both commit batches, the table holds exactly them
    await produceClickstream(topic, N);
    await waitFor(`batches committing ${N} rows`, async () => (committedRows(seen) >= N ? true : undefined), 90_000);
    expect(seen.of('batch.committed', idA).length).toBeGreaterThan(0);
    expect(seen.of('batch.committed', idB).length).toBeGreaterThan(0);
    expect(await tableSeqs(table)).toEqual(range(0, N));

    // SIGTERM A: it drains, reports executor.stopped and exits 0; B takes every partition
    const sinceStop = seen.seen.length;
    expect(await exitWithin(a, 60_000)).toBe(0);
    expect(seen.of('executor.failed')).toEqual([]);
    await waitFor('executor.stopped from the instance that got SIGTERM', async () => (seen.of('executor.stopped', idA).length ? true : undefined), 10_000);
    await waitFor(
      'B owning all partitions',
      async () => ((seen.heartbeats(sinceStop).get(idB)?.partitions.length ?? 0) === PARTITIONS ? true : undefined),
      90_000,
    );
    await produceClickstream(topic, M, { from: N });
    await waitFor(`batches committing ${N + M} rows`, async () => (committedRows(seen) >= N + M ? true : undefined), 90_000);
    expect(await tableSeqs(table)).toEqual(range(0, N + M));

    // a third instance started after the assignment picks it up from the commands' history
    const c = startApp('microbatch', { port: 18115, env });
    services.push(c);
    await waitHealthy(c);
    const idC = await instanceIdOf(c);
    await waitFor('executor.started from the late instance', async () => (seen.of('executor.started', idC).length ? true : undefined), 90_000);
    await partitionsSplit(seen, [idB, idC], 'heartbeats of B and the late instance splitting the partitions');

    // release: every instance stops it
    await control.publish('microbatch.release', deployment.deploymentId, { ...deployment, reason: 'e2e: stop requested' });
    await waitFor(
      'executor.stopped from B and the late instance',
      async () => (seen.of('executor.stopped', idB).length && seen.of('executor.stopped', idC).length ? true : undefined),
      90_000,
    );
    expect(seen.of('executor.failed')).toEqual([]);
    expect(await tableSeqs(table)).toEqual(range(0, N + M));
    const [codeB, codeC] = await Promise.all([exitWithin(b, 60_000), exitWithin(c, 60_000)]);
    expect([codeB, codeC]).toEqual([0, 0]);
  }, 600_000);
});
