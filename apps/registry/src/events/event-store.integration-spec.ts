import { createEnvelope } from '@matih/contracts';
import type { DataSource } from 'typeorm';
import { createDataSource, migrate } from '../database/data-source';
import { createTestDatabase } from '@matih/stack';
import { EventStore } from './event-store.repository';
import { ConcurrencyConflict } from './events.errors';

describe('event store on PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataSource: DataSource;
  let store: EventStore;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await createDataSource(db.url).initialize();
    expect(await migrate(dataSource)).toEqual(['EventStore1764061200000', 'PipelinesDeploymentsTokens1764061300000']);
    expect(await migrate(dataSource)).toEqual([]);
    store = new EventStore(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  const requested = { type: 'deployment.requested', payload: { pipeline: 'clickstream', version: '1.0.0' }, principal: 'alice', reason: 'first rollout' };

  it('numbers the events of a stream and reads them back in order', async () => {
    await store.append('deployment-a', 0, [requested]);
    await store.append('deployment-a', 1, [
      { type: 'plan.compiled', payload: { engine: 'flink' }, principal: 'service:compiler' },
      { type: 'job.submitted', payload: { jobId: 'j1' }, principal: 'service:flink-submitter' },
    ]);
    const events = await store.readStream('deployment-a');
    expect(events.map((e) => [e.streamVersion, e.type, e.principal])).toEqual([
      [1, 'deployment.requested', 'alice'],
      [2, 'plan.compiled', 'service:compiler'],
      [3, 'job.submitted', 'service:flink-submitter'],
    ]);
    expect(events[0]).toMatchObject({ payload: requested.payload, reason: 'first rollout' });
    expect(await store.streamVersion('deployment-a')).toBe(3);
  });

  it('lets exactly one of two writers that saw the same version append; the loser writes nothing', async () => {
    const message = () => createEnvelope('service.ping', 'deployment-b', { target: 'compiler', from: 'registry' });
    const attempts = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) => store.append('deployment-b', 0, [{ ...requested, reason: `writer ${i}` }], [message()])),
    );
    expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
    const rejected = attempts.filter((a): a is PromiseRejectedResult => a.status === 'rejected');
    expect(rejected).toHaveLength(4);
    for (const r of rejected) expect(r.reason).toBeInstanceOf(ConcurrencyConflict);
    expect(await store.readStream('deployment-b')).toHaveLength(1);
    const outbox = await dataSource.query(`SELECT count(*)::int AS n FROM registry.outbox WHERE key = 'deployment-b'`);
    expect(outbox[0].n).toBe(1);
  });

  it('refuses to update, delete or truncate an event', async () => {
    await expect(dataSource.query(`UPDATE registry.events SET principal = 'mallory'`)).rejects.toThrow(/append-only/);
    await expect(dataSource.query(`DELETE FROM registry.events`)).rejects.toThrow(/append-only/);
    await expect(dataSource.query(`TRUNCATE registry.events`)).rejects.toThrow(/append-only/);
    expect((await store.readStream('deployment-a'))[0]?.principal).toBe('alice');
  });

  it('filters the global stream and pages by position', async () => {
    const compiled = await store.read({ types: ['plan.compiled'] });
    expect(compiled.map((e) => e.streamId)).toEqual(['deployment-a']);
    const first = await store.read({ streamPrefix: 'deployment-', limit: 2 });
    const rest = await store.read({ streamPrefix: 'deployment-', afterPosition: first[1]!.position });
    expect([...first, ...rest].map((e) => `${e.streamId}#${e.streamVersion}`)).toEqual([
      'deployment-a#1',
      'deployment-a#2',
      'deployment-a#3',
      'deployment-b#1',
    ]);
  });
});
