import { FlinkError, FlinkErrorCode } from './errors';
import { JobManagerClient } from './job-manager.client';
import { SqlGatewayClient, type GatewaySession } from './sql-gateway.client';

const gatewayUrl = process.env.MATIH_FLINK_GATEWAY_URL ?? 'http://127.0.0.1:18083';
const restUrl = process.env.MATIH_FLINK_REST_URL ?? 'http://127.0.0.1:18081';

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('Flink clients against the real session cluster and SQL Gateway', () => {
  const gateway = new SqlGatewayClient(gatewayUrl);
  const jobManager = new JobManagerClient(restUrl);
  let session: GatewaySession;

  beforeAll(async () => {
    session = await gateway.openSession({ 'execution.checkpointing.interval': '1s', 'pipeline.name': 'matih-flink-client-test' }, 'flink-client-test');
  });

  afterAll(async () => {
    await session?.close();
  });

  it('reports the gateway and cluster', async () => {
    expect((await gateway.info()).productName).toBe('Apache Flink');
    const overview = await jobManager.overview();
    expect(overview['slots-total']).toBeGreaterThanOrEqual(4);
    expect(await session.properties()).toMatchObject({ 'execution.checkpointing.interval': '1s' });
  });

  it('runs a bounded query and returns its rows', async () => {
    await session.configure(`SET 'execution.runtime-mode' = 'batch'`);
    const result = await session.execute(`SELECT id, UPPER(name) AS name FROM (VALUES (1, 'a'), (2, 'b')) AS t(id, name)`);
    expect(result.columns).toEqual(['id', 'name']);
    expect(result.rows).toEqual([
      { id: 1, name: 'A' },
      { id: 2, name: 'B' },
    ]);
    await session.configure(`SET 'execution.runtime-mode' = 'streaming'`);
  });

  it("surfaces Flink's own message when a statement fails", async () => {
    const error = await session.execute('SELECT * FROM no_such_table').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlinkError);
    expect((error as FlinkError).code).toBe(FlinkErrorCode.StatementFailed);
    expect((error as FlinkError).message).toMatch(/Object 'no_such_table' not found/);
    expect((error as FlinkError).message).not.toMatch(/HTTP \d{3}|Internal server error/);
  });

  it('starts a streaming job, sees its checkpoints, and stops it with a savepoint', async () => {
    await session.configure(`CREATE TEMPORARY TABLE numbers (n BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '50')`);
    await session.configure(`CREATE TEMPORARY TABLE sink (n BIGINT) WITH ('connector' = 'blackhole')`);
    const { jobId } = await session.execute('INSERT INTO sink SELECT n FROM numbers');
    expect(jobId).toMatch(/^[0-9a-f]{32}$/);
    const job = await eventually('the job to run', async () => {
      const j = await jobManager.job(jobId!);
      return j.state === 'RUNNING' ? j : undefined;
    });
    expect(job.name).toBe('matih-flink-client-test');
    expect((await jobManager.jobs()).map((j) => j.id)).toContain(jobId);
    expect((await jobManager.jobsNamed('matih-flink-client-test')).map((j) => j.id)).toContain(jobId);
    expect(await jobManager.findJob('0123456789abcdef0123456789abcdef')).toBeNull();
    expect((await jobManager.taskManagers()).reduce((n, t) => n + t.slots, 0)).toBeGreaterThanOrEqual(4);

    const stats = await eventually('a completed checkpoint', async () => {
      const s = await jobManager.checkpoints(jobId!);
      return s.completed > 0 ? s : undefined;
    });
    expect(stats.latestCompleted?.durationMs).toBeGreaterThanOrEqual(0);

    expect(stats.restored).toBeNull();
    const savepoint = await jobManager.stopWithSavepoint(jobId!);
    expect(savepoint).toMatch(/savepoint-/);
    const stopped = await eventually('the job to stop', async () => {
      const j = await jobManager.job(jobId!);
      return ['FINISHED', 'CANCELED'].includes(j.state) ? j : undefined;
    });
    expect(stopped.state).toBe('FINISHED');
    const latest = await eventually('the savepoint in the checkpoint statistics', async () => (await jobManager.checkpoints(jobId!)).latestSavepoint ?? undefined, 30_000);
    expect(latest.externalPath).toBe(savepoint);
  });

  it('says when Flink cannot be reached', async () => {
    const error = await new JobManagerClient('http://127.0.0.1:9').overview().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: FlinkErrorCode.Unreachable, message: expect.stringMatching(/did not answer GET \/overview/) });
  });
});
