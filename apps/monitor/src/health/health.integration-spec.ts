import { randomUUID } from 'node:crypto';
import { SqlGatewayClient } from '@matih/flink';
import { stackEndpoints } from '@matih/stack';
import { MonitorHarness, localCatalog, microbatchPlan } from '../testing/harness';

const STALLED_AFTER_MS = 3_000;
const POLL_MS = 300;
/** detection may take the stall window, one poll round, and the event's trip over Kafka */
const DETECT_WITHIN_MS = STALLED_AFTER_MS + 2 * POLL_MS + 1_500;

describe('health detection on the real stack', () => {
  const harness = new MonitorHarness(28145, { MONITOR_POLL_INTERVAL_MS: String(POLL_MS), MONITOR_STALLED_AFTER_MS: String(STALLED_AFTER_MS) });
  const topic = `monitor.health.${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    const admin = harness.kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 2 }] });
    await admin.disconnect();
    await harness.start();
  });

  afterAll(async () => {
    const admin = harness.kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
    await harness.stop();
  });

  it('reports a micro-batch deployment whose executor stops heartbeating as stalled within the configured time', async () => {
    const deploymentId = randomUUID();
    const ref = { deploymentId, pipeline: 'stall-detect', version: '1.0.0' };
    await harness.running(deploymentId, ref.pipeline, microbatchPlan(topic, `g-${deploymentId}`, 'at_least_once'));
    const beat = () => harness.send('executor.heartbeat', deploymentId, { ...ref, instanceId: 'fake-executor', partitions: [`${topic}:0`, `${topic}:1`], recordsSinceLast: 0 });
    await beat();
    const beating = setInterval(() => void beat(), 500);
    try {
      const healthy = await harness.health(deploymentId, 'healthy', 15_000);
      expect(healthy.envelope.payload).toMatchObject({ ...ref, engine: 'microbatch', previous: null, severity: 'info', reasons: [] });
      await new Promise((r) => setTimeout(r, STALLED_AFTER_MS + 1_000)); // still beating: stays healthy
      expect(harness.healthEvents.filter((e) => e.envelope.key === deploymentId).map((e) => e.envelope.payload.state)).toEqual(['healthy']);
    } finally {
      clearInterval(beating);
    }
    const lastBeat = Date.now();
    const stalled = await harness.health(deploymentId, 'stalled', 30_000);
    expect(stalled.at - lastBeat).toBeLessThan(DETECT_WITHIN_MS);
    expect(stalled.at - lastBeat).toBeGreaterThanOrEqual(STALLED_AFTER_MS - 600);
    expect(stalled.envelope.payload).toMatchObject({ previous: 'healthy', state: 'stalled', severity: 'critical' });
    expect(stalled.envelope.payload.reasons.join()).toMatch(/no executor heartbeat for/);
    expect((await harness.report(deploymentId)).state).toBe('stalled');

    // it beats again: recovered
    await harness.send('executor.heartbeat', deploymentId, { ...ref, instanceId: 'fake-executor', partitions: [], recordsSinceLast: 0 });
    const recovered = await waitForNth(deploymentId, 'healthy', 2);
    expect(recovered.envelope.payload.previous).toBe('stalled');
  });

  it('reports a deployment whose Flink job fails as failing within the configured time', async () => {
    const deploymentId = randomUUID();
    const jobName = `matih/flink-fails/${deploymentId}`;
    const gateway = new SqlGatewayClient(stackEndpoints().flink.gatewayUrl);
    const session = await gateway.openSession({ 'pipeline.name': jobName, 'restart-strategy.type': 'none', 'execution.checkpointing.interval': '1s' });
    try {
      await session.execute(`CREATE TEMPORARY TABLE src (a INT) WITH ('connector' = 'datagen', 'rows-per-second' = '1')`);
      await session.execute(`CREATE TEMPORARY TABLE snk (b INT) WITH ('connector' = 'blackhole')`);
      // a strict CAST of a non-number throws at run time: the job fails on its first record
      await harness.running(deploymentId, 'flink-fails', {
        engine: 'flink',
        jobName,
        sessionProperties: { 'execution.checkpointing.interval': '1s' },
        setup: [`CREATE TEMPORARY TABLE src (a INT) WITH ('connector' = 'datagen')`],
        job: 'INSERT INTO snk SELECT 1',
        sinks: [{ name: 'lake', table: { catalog: 'matih', namespace: ['monitor_test'], name: 'none' }, catalog: localCatalog('matih'), mode: 'append', columns: [{ name: 'b', type: 'int', required: false }], partitionBy: [] }],
        secrets: [],
      });
      const started = Date.now();
      const { jobId } = await session.execute(`INSERT INTO snk SELECT CAST(CONCAT('x', CAST(a AS STRING)) AS INT) FROM src`);
      expect(jobId).toBeTruthy();
      await harness.send('job.running', deploymentId, { deploymentId, pipeline: 'flink-fails', version: '1.0.0', jobId: jobId! });
      const failing = await harness.health(deploymentId, 'failing', 60_000);
      expect(failing.envelope.payload.reasons.join()).toMatch(/the Flink job is (FAILED|FAILING|RESTARTING)/);
      expect(failing.envelope.payload).toMatchObject({ engine: 'flink', severity: 'critical' });
      expect(failing.at - started).toBeLessThan(30_000);
      const report = await harness.report(deploymentId);
      expect(report.checkpoints).toMatchObject({ jobId, jobState: expect.stringMatching(/FAIL|RESTART/) });
    } finally {
      await session.close().catch(() => undefined);
    }
  });

  const waitForNth = async (deploymentId: string, state: string, n: number) => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const found = harness.healthEvents.filter((e) => e.envelope.key === deploymentId && e.envelope.payload.state === state);
      if (found.length >= n) return found[n - 1]!;
      if (Date.now() > deadline) throw new Error(`no ${n}th ${state} for ${deploymentId}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
});
