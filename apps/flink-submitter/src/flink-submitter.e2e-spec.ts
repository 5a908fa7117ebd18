import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import { createEnvelope, decodeEnvelope, TOPICS, type Envelope, type FlinkPlan, type MessageType, type PayloadOf } from '@matih/contracts';
import { isTerminal, JobManagerClient } from '@matih/flink';
import { produceClicks, readIcebergTable, restartTaskManager, stackEndpoints, startApp, waitFor, waitHealthy, type RunningService } from '@matih/stack';
import { clickstreamPlan } from './testing/clickstream';

const endpoints = stackEndpoints();
const SECRET_ENV = 'MATIH_E2E_KAFKA_PASSWORD';

/**
 * The flink-submitter as a real process on the real stack, driven by control commands on Kafka: the
 * seed's clickstream pipeline runs on Flink and every event lands in the Iceberg table exactly once,
 * through a savepoint, a restarted submitter, a killed TaskManager, and a restart from a checkpoint.
 */
describe('flink-submitter: the clickstream pipeline on Flink, exactly once', () => {
  const run = randomUUID().slice(0, 8);
  const topic = `matih.e2e.clickstream.${run}`;
  const table = `clickstream_events_${run}`;
  const deploymentId = randomUUID();
  const plan = clickstreamPlan({ deploymentId, topic, table, passwordSecret: SECRET_ENV });
  const ref = { deploymentId, pipeline: 'realtime-clickstream', version: '1.0.0' };
  const kafka = new Kafka({ clientId: `e2e-flink-${run}`, brokers: endpoints.kafka.brokers, logLevel: logLevel.NOTHING });
  const jobManager = new JobManagerClient(endpoints.flink.restUrl);
  const seen: Envelope[] = [];
  const startedJobs = new Set<string>();
  let producer: Producer;
  let events: Consumer;
  let submitter: RunningService;
  let port = 28112;

  const startSubmitter = async (): Promise<RunningService> => {
    const service = startApp('flink-submitter', {
      port: port++,
      // the sink catalog's password: the submitter creates the sink table before the job runs
      env: { [SECRET_ENV]: endpoints.kafka.scram.password, MATIH_ICEBERG_JDBC_PASSWORD: endpoints.postgres.password, MATIH_FLINK_RECONCILE_INTERVAL_MS: '1000', LOG_LEVEL: 'debug' },
      logFile: path.join(endpoints.stateDir, 'logs', `e2e-flink-submitter-${run}.log`),
    });
    await waitHealthy(service);
    return service;
  };

  const send = async <T extends 'flink.job.submit' | 'flink.job.stop'>(type: T, payload: PayloadOf<T>): Promise<Envelope<T>> => {
    const command = createEnvelope(type, deploymentId, payload);
    await producer.send({ topic: TOPICS.flinkCommands, messages: [{ key: deploymentId, value: JSON.stringify(command) }] });
    return command;
  };

  /** The event of `type` answering `command`; fails at once on command.failed or an unexpected job.failed. */
  const answer = async <T extends MessageType>(type: T, command: Envelope, timeoutMs = 180_000): Promise<Envelope<T>> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = seen.find((e): e is Envelope<T> => e.type === type && e.causationId === command.id);
      if (found) return found;
      const failed = seen.find((e) => (e.type === 'command.failed' || e.type === 'job.failed') && e.causationId === command.id);
      if (failed) throw new Error(`${command.type} was answered with ${failed.type}: ${JSON.stringify(failed.payload)}\n--- submitter ---\n${submitter.output().slice(-3000)}`);
      if (Date.now() > deadline) throw new Error(`no ${type} answered ${command.type} within ${timeoutMs} ms\n--- submitter ---\n${submitter.output().slice(-3000)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };

  const rows = async () => (await readIcebergTable(`web.${table}`).catch(() => [])) as { user_id: string; event_type: string; date: string }[];
  const expected = (n: number) => Array.from({ length: n }, (_, i) => `${run}-${String(i).padStart(8, '0')}`);
  const waitRows = async (n: number, timeoutMs = 180_000) => {
    await waitFor(`${n} rows in web.${table}`, async () => {
      const r = await rows();
      return r.length >= n ? r : undefined;
    }, timeoutMs, 2_000);
    // a little longer: nothing more (no duplicates) arrives with the next checkpoints
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    return rows();
  };
  const submit = (restoreFrom: string | null, extra: { version?: string; plan?: FlinkPlan } = {}) =>
    send('flink.job.submit', { ...ref, version: extra.version ?? ref.version, plan: extra.plan ?? plan, restoreFrom });

  beforeAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 2 }] });
    await admin.disconnect();
    // the submitter creates the control topics it needs when they are missing
    submitter = await startSubmitter();
    producer = kafka.producer({ idempotent: true });
    await producer.connect();
    events = kafka.consumer({ groupId: `e2e-flink-${run}` });
    await events.connect();
    await events.subscribe({ topics: [TOPICS.flinkEvents, TOPICS.serviceEvents], fromBeginning: false });
    await events.run({
      eachMessage: async ({ topic: t, message }) => {
        const decoded = decodeEnvelope(t, message.value);
        if (decoded.ok && decoded.envelope.key === deploymentId) {
          seen.push(decoded.envelope);
          if ('jobId' in decoded.envelope.payload && typeof decoded.envelope.payload.jobId === 'string') startedJobs.add(decoded.envelope.payload.jobId);
        }
      },
    });
    await waitFor('the test consumer to join its group', async () => ((await events.describeGroup()).state === 'Stable' ? true : undefined), 60_000);
  });

  afterAll(async () => {
    // the cluster is shared: cancel every job this test started
    for (const job of await jobManager.jobs().catch(() => [])) {
      if ((startedJobs.has(job.id) || job.name === plan.jobName) && !isTerminal(job.state)) await jobManager.cancel(job.id).catch(() => undefined);
    }
    await submitter?.stop();
    await events?.disconnect();
    await producer?.disconnect();
  });

  let firstJobId: string;

  it('deploys the seed clickstream example: events produced to the topic become rows after a checkpoint', async () => {
    await produceClicks(producer, topic, run, 0, 1_000);
    const command = await submit(null);
    const submitted = await answer('job.submitted', command);
    expect(submitted.payload).toMatchObject({ ...ref, jobName: plan.jobName, jobId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    firstJobId = submitted.payload.jobId;
    await answer('job.running', command);
    const job = await jobManager.job(firstJobId);
    expect(job).toMatchObject({ name: plan.jobName, state: 'RUNNING' });

    const got = await waitRows(1_000);
    expect(got.map((r) => r.user_id).sort()).toEqual(expected(1_000));
    expect(got[0]).toMatchObject({ event_type: expect.any(String), date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    // the Kafka password came from the submitter's environment and is never logged
    expect(submitter.output()).toContain('submitting the job through the SQL Gateway');
    expect(submitter.output()).not.toContain(endpoints.kafka.scram.password);
  });

  it('a restarted submitter never submits a second copy of the running job', async () => {
    expect(await submitter.stop()).toBe(0);
    submitter = await startSubmitter();
    const command = await submit(null);
    const submitted = await answer('job.submitted', command);
    expect(submitted.payload.jobId).toBe(firstJobId);
    await answer('job.running', command);
    const live = (await jobManager.jobsNamed(plan.jobName)).filter((j) => !isTerminal(j.state));
    expect(live.map((j) => j.id)).toEqual([firstJobId]);
    expect(submitter.output()).toMatch(/flink-submitter state rebuilt from its events/);
  });

  let secondJobId: string;

  it('stops with a savepoint, and a new version started from it takes every later event exactly once', async () => {
    const stop = await send('flink.job.stop', { ...ref, mode: 'savepoint' });
    const stopped = await answer('job.stopped', stop);
    expect(stopped.payload).toMatchObject({ jobId: firstJobId, savepointPath: expect.stringMatching(/savepoint-/) });
    expect((await jobManager.job(firstJobId)).state).toBe('FINISHED');

    await produceClicks(producer, topic, run, 1_000, 2_000);
    const command = await submit(stopped.payload.savepointPath, { version: '1.1.0' });
    const submitted = await answer('job.submitted', command);
    secondJobId = submitted.payload.jobId;
    expect(secondJobId).not.toBe(firstJobId);
    await answer('job.running', command);
    const restored = await waitFor('the new job to report its restore', async () => (await jobManager.checkpoints(secondJobId)).restored ?? undefined);
    expect(restored).toMatchObject({ isSavepoint: true, externalPath: stopped.payload.savepointPath });

    const got = await waitRows(2_000);
    expect(got.map((r) => r.user_id).sort()).toEqual(expected(2_000));
  });

  it('survives a TaskManager killed mid-stream: the job restores its checkpoint and the table holds every event once', async () => {
    await produceClicks(producer, topic, run, 2_000, 3_000);
    await waitFor('some of the new events to be committed', async () => ((await rows()).length > 2_000 ? true : undefined), 120_000, 1_000);
    const before = await jobManager.checkpoints(secondJobId);
    const producing = produceClicks(producer, topic, run, 3_000, 4_000);
    const restart = await restartTaskManager();
    expect(restart.newPid).not.toBe(restart.killedPid);
    await producing;

    const recovered = await waitFor(
      'the job to run again, restored from a checkpoint',
      async () => {
        const [job, stats] = await Promise.all([jobManager.job(secondJobId), jobManager.checkpoints(secondJobId)]);
        return job.state === 'RUNNING' && stats.restored && !stats.restored.isSavepoint && stats.restored.id !== before.restored?.id ? stats.restored : undefined;
      },
      180_000,
      1_000,
    );
    expect(recovered.id).toBeGreaterThan(0);

    const got = await waitRows(4_000);
    expect(got.map((r) => r.user_id).sort()).toEqual(expected(4_000));
    // Flink restarted the job itself: it is the same job, and nobody reported it dead
    expect(seen.some((e) => e.type === 'job.failed' && e.payload.jobId === secondJobId)).toBe(false);
  });

  it('cancels, then starts again from the latest retained checkpoint', async () => {
    const stop = await send('flink.job.stop', { ...ref, version: '1.1.0', mode: 'cancel' });
    const stopped = await answer('job.stopped', stop);
    expect(stopped.payload).toMatchObject({ jobId: secondJobId, savepointPath: null });
    expect((await jobManager.job(secondJobId)).state).toBe('CANCELED');

    await produceClicks(producer, topic, run, 4_000, 4_500);
    const command = await submit('latest', { version: '1.1.0' });
    const submitted = await answer('job.submitted', command);
    await answer('job.running', command);
    const restored = await waitFor('the job to report its restore', async () => (await jobManager.checkpoints(submitted.payload.jobId)).restored ?? undefined);
    // a retained checkpoint restored by path counts as a savepoint restore in Flink's statistics
    expect(restored.externalPath).toContain(`${secondJobId}/chk-`);

    const got = await waitRows(4_500);
    expect(got.map((r) => r.user_id).sort()).toEqual(expected(4_500));
  });

  it('reports a job that died while the submitter was down, once it is back (state rebuilt from its events)', async () => {
    const live = (await jobManager.jobsNamed(plan.jobName)).find((j) => !isTerminal(j.state));
    if (!live) throw new Error(`no live job named ${plan.jobName}`);
    expect(await submitter.stop()).toBe(0);
    await jobManager.cancel(live.id);
    await jobManager.waitForState(live.id, ['CANCELED'], 60_000);
    submitter = await startSubmitter();
    const failed = await waitFor('job.failed from the restarted submitter', async () =>
      seen.find((e): e is Envelope<'job.failed'> => e.type === 'job.failed' && e.payload.jobId === live.id),
    );
    expect(failed.payload).toMatchObject({ ...ref, version: '1.1.0', reason: expect.stringMatching(/cancelled outside MATIH/) });
  });

  it("answers a plan that cannot run with job.failed, in Flink's words or naming the missing secret", async () => {
    const broken = { ...plan, job: `INSERT INTO \`matih\`.\`web\`.\`${table}\` SELECT user_id FROM no_such_view` };
    const command = await submit(null, { plan: broken });
    const failed = await answer('job.failed', command);
    expect(failed.payload).toMatchObject({ jobId: null, reason: expect.stringMatching(/Object 'no_such_view' not found/) });
    expect(failed.payload.reason).not.toMatch(/HTTP \d{3}|Internal server error/);

    const needsSecret = { ...plan, secrets: [...plan.secrets, 'MATIH_E2E_UNSET_SECRET'] };
    const second = await submit(null, { plan: needsSecret });
    const missing = await answer('job.failed', second);
    expect(missing.payload.reason).toMatch(/MATIH_E2E_UNSET_SECRET is not set in the flink-submitter's environment/);
    expect((await jobManager.jobsNamed(plan.jobName)).filter((j) => !isTerminal(j.state))).toEqual([]);
  });
});
