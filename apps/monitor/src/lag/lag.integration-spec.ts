import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from '@matih/stack';
import type { Admin, Producer } from 'kafkajs';
import { MonitorHarness, microbatchPlan, type DeploymentReport } from '../testing/harness';

/**
 * Lag as the monitor reports it, against the truth read straight from the broker (end offsets minus
 * the group's committed offsets), while a producer writes at a steady rate.
 */
describe('consumer lag under a steady produce load', () => {
  const harness = new MonitorHarness(28144, { MONITOR_POLL_INTERVAL_MS: '300', MONITOR_LAG_RECORDS: '1000000', MONITOR_STALLED_AFTER_MS: '600000', MONITOR_LAG_SECONDS: '100000' });
  const topic = `monitor.lag.${randomUUID().slice(0, 8)}`;
  const group = `monitor-lag-${randomUUID().slice(0, 8)}`;
  const deploymentId = randomUUID();
  let admin: Admin;
  let producer: Producer;
  let load: NodeJS.Timeout | undefined;
  let produced = 0;

  beforeAll(async () => {
    admin = harness.kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 3 }] });
    producer = harness.kafka.producer({ idempotent: true });
    await producer.connect();
    await harness.start();
    // ~150 records/s, spread over the partitions by key
    load = setInterval(() => {
      const messages = Array.from({ length: 15 }, () => ({ key: String(produced++), value: JSON.stringify({ n: produced }) }));
      void producer.send({ topic, messages }).catch(() => undefined);
    }, 100);
  });

  afterAll(async () => {
    clearInterval(load);
    await producer?.disconnect();
    await admin?.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin?.disconnect();
    await harness.stop();
  });

  const truthEnds = async () => new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, BigInt(o.high)]));
  const truthCommitted = async () => new Map((await admin.fetchOffsets({ groupId: group, topics: [topic] }))[0]!.partitions.map((p) => [p.partition, BigInt(p.offset)]));

  /** A report measured after `after` (so that broker reads before and after bracket it). */
  const reportAfter = (after: number) =>
    waitFor('a measurement', async () => {
      const report = await harness.report(deploymentId);
      return report.measuredAt && Date.parse(report.measuredAt) > after && report.lag.length > 0 ? report : undefined;
    }, 15_000, 50);

  it('reports per-partition and total lag equal to end − committed read from the broker', async () => {
    await new Promise((r) => setTimeout(r, 1_000));
    // the group has consumed part of each partition: commit roughly half of what exists
    const ends = await truthEnds();
    await admin.setOffsets({ groupId: group, topic, partitions: [...ends].map(([partition, end]) => ({ partition, offset: String(end / 2n) })) });
    await harness.running(deploymentId, 'lag-truth', microbatchPlan(topic, group, 'at_least_once'));

    for (let round = 0; round < 3; round++) {
      const before = await truthEnds();
      const committed = await truthCommitted();
      const beforeAt = Date.now();
      const report: DeploymentReport = await reportAfter(beforeAt);
      const after = await truthEnds();
      const [source] = report.lag;
      expect(source).toMatchObject({ topic, group });
      expect(source!.partitions.map((p) => p.partition)).toEqual([0, 1, 2]);
      let low = 0n;
      let high = 0n;
      for (const p of source!.partitions) {
        const c = committed.get(p.partition)!;
        expect(p.groupOffset).toBe(String(c));
        // the monitor read the end between our two reads: its lag is the truth at that moment
        expect(BigInt(p.end)).toBeGreaterThanOrEqual(before.get(p.partition)!);
        expect(BigInt(p.end)).toBeLessThanOrEqual(after.get(p.partition)!);
        expect(BigInt(p.records!)).toBe(BigInt(p.end) - c);
        low += before.get(p.partition)! - c;
        high += after.get(p.partition)! - c;
      }
      expect(BigInt(source!.records)).toBeGreaterThanOrEqual(low);
      expect(BigInt(source!.records)).toBeLessThanOrEqual(high);
      expect(report.metrics.lagRecords).toBe(source!.records);
      // the group advances a little between rounds, as a slow consumer would
      await admin.setOffsets({ groupId: group, topic, partitions: [...committed].map(([partition, c]) => ({ partition, offset: String(c + 10n) })) });
    }
  });

  it('reports seconds behind as the age of the oldest unconsumed record', async () => {
    // the group catches up to the end now: from here on, what it has not read was written after `caughtUpAt`
    const ends = await truthEnds();
    const caughtUpAt = Date.now();
    await admin.setOffsets({ groupId: group, topic, partitions: [...ends].map(([partition, end]) => ({ partition, offset: String(end) })) });
    await new Promise((r) => setTimeout(r, 4_000));
    const report = await reportAfter(Date.now());
    const expected = (Date.parse(report.measuredAt!) - caughtUpAt) / 1_000;
    expect(report.metrics.lagSeconds!).toBeGreaterThan(expected - 1.5);
    expect(report.metrics.lagSeconds!).toBeLessThan(expected + 1.5);
    expect(report.state).toBe('healthy');
  });

  it('exposes the lag as Prometheus series', async () => {
    const text = await (await fetch(`${harness.monitor.baseUrl}/metrics`)).text();
    expect(text).toMatch(new RegExp(`matih_consumer_lag_records\\{[^}]*deployment="${deploymentId}"[^}]*partition="0"[^}]*source="group"[^}]*\\} \\d+`));
    expect(text).toMatch(new RegExp(`matih_consumer_lag_seconds\\{[^}]*deployment="${deploymentId}"`));
    expect(text).toMatch(new RegExp(`matih_deployment_health\\{[^}]*deployment="${deploymentId}"[^}]*state="healthy"[^}]*\\} 1`));
    expect(text).toMatch(/http_server_request_duration_seconds_bucket\{[^}]*route="\/deployments\/:id"/);
  });

  it('is what `matih lag` prints, per partition and in total', async () => {
    const root = path.resolve(__dirname, '../../../..');
    const cli = (args: string[]) =>
      promisify(execFile)(process.execPath, ['apps/cli/bin/matih.js', 'lag', deploymentId, '--monitor', harness.monitor.baseUrl, ...args], { cwd: root });
    const [{ stdout: json }, report] = await Promise.all([cli(['--json']), harness.report(deploymentId)]);
    const [source] = JSON.parse(json) as DeploymentReport['lag'];
    expect(source).toMatchObject({ topic, group });
    expect(source!.partitions.map((p) => p.partition).sort()).toEqual([0, 1, 2]);
    expect(report.lag[0]!.topic).toBe(topic);
    const { stdout: table } = await cli([]);
    expect(table).toMatch(new RegExp(`^lag-truth \\(microbatch\\)`));
    expect(table).toMatch(/PARTITION\s+END\s+POSITION\s+RECORDS BEHIND\s+SECONDS BEHIND/);
    expect(table).toMatch(/^total\s+\d+\s+\d+\.\d$/m);
  });
});
