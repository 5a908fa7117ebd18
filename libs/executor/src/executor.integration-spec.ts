import type { KafkaConnectionPlan } from '@matih/contracts';
import { readIcebergTable } from '@matih/stack';
import pino from 'pino';
import { readDeadLetterHeaders } from './dead-letters';
import { ExecutorErrorCode } from './errors';
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

  /** The broker's secured listeners: SASL over plaintext, and SASL over TLS with the stack CA. */
  const SECURED: [string, () => { connection: KafkaConnectionPlan; password: string; refused: RegExp }][] = [
    ['SASL_PLAINTEXT with SCRAM-SHA-512', () => {
      const scram = endpoints().kafka.scram;
      const connection: KafkaConnectionPlan = { bootstrapServers: scram.brokers, securityProtocol: 'SASL_PLAINTEXT', sasl: { mechanism: 'SCRAM-SHA-512', username: scram.username, password: { env: 'IT_KAFKA_PASSWORD' } }, ssl: null };
      return { connection, password: scram.password, refused: /SASL|authentication/i };
    }],
    ...(['SCRAM-SHA-512', 'PLAIN'] as const).map((mechanism): (typeof SECURED)[number] => [`SASL_SSL with ${mechanism}, trusting the stack CA (ssl.ca_location)`, () => {
      const tls = endpoints().kafka.saslSsl;
      const connection: KafkaConnectionPlan = {
        bootstrapServers: tls.brokers,
        securityProtocol: 'SASL_SSL',
        sasl: { mechanism, username: tls.username, password: { env: 'IT_KAFKA_PASSWORD' } },
        ssl: { caLocation: tls.caLocation, certificateLocation: null, keyLocation: null, keyPassword: null, verifyHostname: true },
      };
      return { connection, password: tls.password, refused: mechanism === 'PLAIN' ? /SASL PLAIN authentication failed/ : /SASL|authentication/i };
    }]),
  ];

  it.each(SECURED)('consumes through %s, the password from the environment; a wrong one is refused', async (_name, setup) => {
    const { connection, password, refused } = setup();
    const topic = uniq('it_secured');
    const table = uniq('secured');
    await createTopic(topic, 2);
    const { valid } = await produceClickstream(topic, 400);
    const plan = clickstreamPlan({ topic, table, idleTimeoutMs: 2000, connection });
    const wrong = new MicrobatchExecutor({ plan, pipeline: 'it-secured', logger, env: { ...catalogEnv(), IT_KAFKA_PASSWORD: 'wrong' }, untilIdle: true });
    await expect(wrong.start()).rejects.toThrow(refused);
    await wrong.stop().catch(() => undefined);
    const executor = new MicrobatchExecutor({ plan, pipeline: 'it-secured', logger, env: { ...catalogEnv(), IT_KAFKA_PASSWORD: password }, untilIdle: true });
    await executor.start();
    expect(await executor.done).toMatchObject({ reason: 'idle', rows: valid.length });
    const rows = await readIcebergTable(`executor_it.${table}`);
    expect(rows.map((r) => Number(r['seq'])).sort((a, b) => a - b)).toEqual(valid);
  });

  it('refuses to start on SASL_SSL without the CA that signed the broker certificate, saying which broker and what to set', async () => {
    const topic = uniq('it_tls_noca');
    await createTopic(topic, 1);
    const tls = endpoints().kafka.saslSsl;
    const broker = tls.brokers.join(',');
    const plan = clickstreamPlan({
      topic,
      table: uniq('tls_noca'),
      // no ssl settings: the system's trusted CAs, which do not include the stack's
      connection: { bootstrapServers: tls.brokers, securityProtocol: 'SASL_SSL', sasl: { mechanism: 'SCRAM-SHA-512', username: tls.username, password: { env: 'IT_KAFKA_PASSWORD' } }, ssl: null },
    });
    const executor = new MicrobatchExecutor({ plan, pipeline: 'it-tls-noca', logger, env: { ...catalogEnv(), IT_KAFKA_PASSWORD: tls.password }, untilIdle: true });
    // refused at once by the executor's own check (kafkajs would retry the connection for a minute)
    await expect(executor.start()).rejects.toMatchObject({
      code: ExecutorErrorCode.BrokerCertificate,
      message: expect.stringContaining(
        `the TLS certificate of Kafka broker ${broker} (bootstrap servers ${broker}, security protocol SASL_SSL) was refused: self-signed certificate in certificate chain (SELF_SIGNED_CERT_IN_CHAIN). ` +
          `No connection.ssl.ca_location is set, so only the system's trusted CAs are accepted: set connection.ssl.ca_location to the PEM file of the CA that signed the brokers' certificates`,
      ),
    });
    await executor.stop().catch(() => undefined);
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
