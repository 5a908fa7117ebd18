import { readIcebergTable } from '@matih/stack';
import pino from 'pino';
import { readDeadLetterHeaders } from './dead-letters';
import { MicrobatchExecutor } from './executor';
import { catalogEnv, clickstreamPlan, createTopic, endpoints, kafka, produceClickstream, readTopic, uniq } from './testing/fixtures';

const logger = pino({ level: process.env['LOG_LEVEL'] ?? 'warn' }, pino.destination(2));

describe('micro-batch executor on the local stack', () => {
  it('writes exactly the N valid events to the table and the malformed ones to the dead-letter topic', async () => {
    const topic = uniq('it_click');
    const table = uniq('clicks');
    await createTopic(topic, 3);
    const { valid, malformed } = await produceClickstream(topic, 3000, { malformedEvery: 50 });
    const plan = clickstreamPlan({ topic, table, maxRecords: 1000, idleTimeoutMs: 3000 });
    const reports: number[] = [];
    const executor = new MicrobatchExecutor({ plan, pipeline: 'it-clickstream', logger, untilIdle: true, onBatch: (r) => void reports.push(r.records) });
    await executor.start();
    const outcome = await executor.done;
    expect(outcome).toMatchObject({ reason: 'idle', records: 3000, rows: valid.length, deadLetters: malformed.length });
    expect(Math.max(...reports)).toBeLessThanOrEqual(1000);

    const rows = await readIcebergTable(`executor_it.${table}`);
    const seqs = rows.map((r) => Number(r['seq'])).sort((a, b) => a - b);
    expect(seqs).toEqual(valid);
    expect(new Set(rows.map((r) => `${r['kafka_partition']}:${r['kafka_offset']}`)).size).toBe(valid.length);

    const dead = await readTopic(`${topic}.dlq`);
    expect(dead).toHaveLength(malformed.length);
    const headers = dead.map((d) => readDeadLetterHeaders(d.headers));
    expect(headers.every((h) => h.pipeline === 'it-clickstream' && h.topic === topic && h.offset !== undefined && h.reason)).toBe(true);
    expect(new Set(headers.map((h) => h.stage))).toEqual(new Set(['decode', 'transform', 'schema']));
    expect(dead.map((d) => d.key).sort()).toEqual(malformed.map((s) => `k${s}`).sort());
    const reasons = headers.map((h) => h.reason!);
    expect(reasons.some((r) => /not valid JSON/.test(r))).toBe(true);
    expect(reasons.some((r) => /user_id is required/.test(r))).toBe(true);
  });

  it('consumes through the SCRAM-SHA-512 listener with the password from the environment', async () => {
    const topic = uniq('it_scram');
    const table = uniq('scram');
    await createTopic(topic, 1);
    const { valid } = await produceClickstream(topic, 400);
    const scram = endpoints().kafka.scram;
    const plan = clickstreamPlan({
      topic,
      table,
      idleTimeoutMs: 2000,
      connection: { bootstrapServers: scram.brokers, securityProtocol: 'SASL_PLAINTEXT', sasl: { mechanism: 'SCRAM-SHA-512', username: scram.username, password: { env: 'IT_KAFKA_PASSWORD' } }, ssl: null },
    });
    const wrong = new MicrobatchExecutor({ plan, pipeline: 'it-scram', logger, env: { ...catalogEnv(), IT_KAFKA_PASSWORD: 'wrong' }, untilIdle: true });
    await expect(wrong.start()).rejects.toThrow(/SASL|authentication/i);
    await wrong.stop().catch(() => undefined);
    const executor = new MicrobatchExecutor({ plan, pipeline: 'it-scram', logger, env: { ...catalogEnv(), IT_KAFKA_PASSWORD: scram.password }, untilIdle: true });
    await executor.start();
    expect(await executor.done).toMatchObject({ reason: 'idle', rows: valid.length });
    expect(await readIcebergTable(`executor_it.${table}`)).toHaveLength(valid.length);
  });

  it('refuses to start on a source topic that does not exist, saying which and what to change', async () => {
    const topic = uniq('it_missing');
    const plan = clickstreamPlan({ topic, table: uniq('missing') });
    const executor = new MicrobatchExecutor({ plan, pipeline: 'it-missing', logger, env: catalogEnv() });
    await expect(executor.start()).rejects.toThrow(`the source topic ${topic} does not exist on ${endpoints().kafka.brokers.join(',')}: create it, or correct sources.clickstream.topic`);
    await executor.stop().catch(() => undefined);
    // and it created nothing on the way (no dead-letter topic for a source that is not there)
    const admin = kafka().admin();
    await admin.connect();
    expect(await admin.listTopics()).not.toContain(`${topic}.dlq`);
    await admin.disconnect();
  });
});
