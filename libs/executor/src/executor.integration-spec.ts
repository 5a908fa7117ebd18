import type { KafkaConnectionPlan } from '@matih/contracts';
import { readIcebergTable } from '@matih/stack';
import pino from 'pino';
import { readDeadLetterHeaders } from './dead-letters';
import { ExecutorErrorCode } from './errors';
import { MicrobatchExecutor } from './executor';
import { catalogEnv, clickstreamPlan, createTopic, endpoints, kafka, produceClickstream, readTopic, uniq } from './testing/fixtures';

/** A literal string as a regular expression. */
const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

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

  it('with two sinks, a sink ahead of the other (a crash between their commits) gets no row twice, the other every row', async () => {
    const topic = uniq('it_sinks');
    const [first, second] = [uniq('ahead'), uniq('behind')];
    await createTopic(topic, 2);
    const { valid: early } = await produceClickstream(topic, 1200);
    const one = clickstreamPlan({ topic, table: first, maxRecords: 500, idleTimeoutMs: 2000 });
    // the first sink alone takes the first 1200 events: its table's offsets are ahead of the second's
    const alone = new MicrobatchExecutor({ plan: one, pipeline: 'it-sinks', logger, untilIdle: true });
    await alone.start();
    expect(await alone.done).toMatchObject({ reason: 'idle', rows: early.length });
    const { valid: late } = await produceClickstream(topic, 800, { from: 1200 });
    const sink = one.sinks[0]!;
    const both = { ...one, sinks: [sink, { ...sink, name: 'second_lake', table: { ...sink.table, name: second } }] };
    const executor = new MicrobatchExecutor({ plan: both, pipeline: 'it-sinks', logger, untilIdle: true });
    await executor.start();
    // the second sink's table has no offsets: both read from the start, the first writes only what it lacks
    expect(await executor.done).toMatchObject({ reason: 'idle', records: early.length + late.length });
    const seqs = async (table: string) => (await readIcebergTable(`executor_it.${table}`)).map((r) => Number(r['seq'])).sort((a, b) => a - b);
    expect(await seqs(first)).toEqual([...early, ...late]);
    expect(await seqs(second)).toEqual([...early, ...late]);
  });

  /**
   * The broker's secured listeners: SASL over plaintext, SASL over TLS with the stack CA, and mutual
   * TLS (a client certificate, its key encrypted). `secret` is the one the plan references from the
   * environment (the SASL password, or the key's passphrase); a wrong one must be `refused`.
   */
  const SECURED: [string, () => { connection: KafkaConnectionPlan; secret: string; refused: RegExp | string }][] = [
    ['SASL_PLAINTEXT with SCRAM-SHA-512', () => {
      const scram = endpoints().kafka.scram;
      const connection: KafkaConnectionPlan = { bootstrapServers: scram.brokers, securityProtocol: 'SASL_PLAINTEXT', sasl: { mechanism: 'SCRAM-SHA-512', username: scram.username, password: { env: 'IT_KAFKA_PASSWORD' } }, ssl: null };
      return { connection, secret: scram.password, refused: /SASL|authentication/i };
    }],
    ...(['SCRAM-SHA-512', 'PLAIN'] as const).map((mechanism): (typeof SECURED)[number] => [`SASL_SSL with ${mechanism}, trusting the stack CA (ssl.ca_location)`, () => {
      const tls = endpoints().kafka.saslSsl;
      const connection: KafkaConnectionPlan = {
        bootstrapServers: tls.brokers,
        securityProtocol: 'SASL_SSL',
        sasl: { mechanism, username: tls.username, password: { env: 'IT_KAFKA_PASSWORD' } },
        ssl: { caLocation: tls.caLocation, certificateLocation: null, keyLocation: null, keyPassword: null, verifyHostname: true },
      };
      return { connection, secret: tls.password, refused: mechanism === 'PLAIN' ? /SASL PLAIN authentication failed/ : /SASL|authentication/i };
    }]),
    ['SSL with a client certificate (mutual TLS), its encrypted key\'s passphrase (ssl.key_password)', () => {
      const mtls = endpoints().kafka.mtls;
      const connection: KafkaConnectionPlan = {
        bootstrapServers: mtls.brokers,
        securityProtocol: 'SSL',
        sasl: null,
        ssl: { caLocation: mtls.caLocation, certificateLocation: mtls.certificateLocation, keyLocation: mtls.keyLocation, keyPassword: { env: 'IT_KAFKA_KEY_PASSWORD' }, verifyHostname: true },
      };
      return {
        connection,
        secret: mtls.keyPassword,
        refused: `the client key ${mtls.keyLocation} (connection.ssl.key_location) could not be decrypted with the passphrase from connection.ssl.key_password (\${IT_KAFKA_KEY_PASSWORD})`,
      };
    }],
  ];

  it.each(SECURED)('consumes through %s, the secret from the environment; a wrong one is refused', async (_name, setup) => {
    const { connection, secret, refused } = setup();
    const topic = uniq('it_secured');
    const table = uniq('secured');
    await createTopic(topic, 2);
    const { valid } = await produceClickstream(topic, 400);
    const plan = clickstreamPlan({ topic, table, idleTimeoutMs: 2000, connection });
    const secrets = (value: string) => ({ ...catalogEnv(), IT_KAFKA_PASSWORD: value, IT_KAFKA_KEY_PASSWORD: value });
    let wrong: MicrobatchExecutor | undefined;
    // a key that does not open is refused as the executor is made; a SASL password when it connects
    await expect(
      (async () => {
        wrong = new MicrobatchExecutor({ plan, pipeline: 'it-secured', logger, env: secrets('wrong'), untilIdle: true });
        await wrong.start();
      })(),
    ).rejects.toThrow(refused);
    await wrong?.stop().catch(() => undefined);
    const executor = new MicrobatchExecutor({ plan, pipeline: 'it-secured', logger, env: secrets(secret), untilIdle: true });
    await executor.start();
    expect(await executor.done).toMatchObject({ reason: 'idle', rows: valid.length });
    const rows = await readIcebergTable(`executor_it.${table}`);
    expect(rows.map((r) => Number(r['seq'])).sort((a, b) => a - b)).toEqual(valid);
  });

  /** TLS settings the brokers do not accept: refused at once by the executor's own check (kafkajs would retry for a minute), naming what to set. */
  const REFUSED: [string, () => { connection: KafkaConnectionPlan; env: Record<string, string>; code: ExecutorErrorCode; message: RegExp }][] = [
    ['SASL_SSL without the CA that signed the broker certificate', () => {
      const tls = endpoints().kafka.saslSsl;
      const broker = tls.brokers.join(',');
      // no ssl settings: the system's trusted CAs, which do not include the stack's
      const connection: KafkaConnectionPlan = { bootstrapServers: tls.brokers, securityProtocol: 'SASL_SSL', sasl: { mechanism: 'SCRAM-SHA-512', username: tls.username, password: { env: 'IT_KAFKA_PASSWORD' } }, ssl: null };
      const message = new RegExp(
        escape(`the TLS certificate of Kafka broker ${broker} (bootstrap servers ${broker}, security protocol SASL_SSL) was refused: self-signed certificate in certificate chain (SELF_SIGNED_CERT_IN_CHAIN). `) +
          escape(`No connection.ssl.ca_location is set, so only the system's trusted CAs are accepted: set connection.ssl.ca_location to the PEM file of the CA that signed the brokers' certificates`),
      );
      return { connection, env: { IT_KAFKA_PASSWORD: tls.password }, code: ExecutorErrorCode.BrokerCertificate, message };
    }],
    ['SSL without a client certificate where the broker requires one', () => {
      const mtls = endpoints().kafka.mtls;
      const broker = mtls.brokers.join(',');
      // the broker's certificate is trusted, but no client certificate is offered
      const connection: KafkaConnectionPlan = { bootstrapServers: mtls.brokers, securityProtocol: 'SSL', sasl: null, ssl: { caLocation: mtls.caLocation, certificateLocation: null, keyLocation: null, keyPassword: null, verifyHostname: true } };
      const message = new RegExp(
        `^${escape(`Kafka broker ${broker} (bootstrap servers ${broker}, security protocol SSL) closed the TLS handshake: `)}.+\\. ` +
          escape('No client certificate is set, and the broker may require one (mutual TLS; Strimzi: a listener with authentication: tls): set connection.ssl.certificate_location and connection.ssl.key_location'),
      );
      return { connection, env: {}, code: ExecutorErrorCode.ClientCertificate, message };
    }],
  ];

  it.each(REFUSED)('refuses to start on %s, saying which broker and what to set', async (_name, setup) => {
    const { connection, env, code, message } = setup();
    const topic = uniq('it_tls_refused');
    await createTopic(topic, 1);
    const plan = clickstreamPlan({ topic, table: uniq('tls_refused'), connection });
    const executor = new MicrobatchExecutor({ plan, pipeline: 'it-tls-refused', logger, env: { ...catalogEnv(), ...env }, untilIdle: true });
    await expect(executor.start()).rejects.toMatchObject({ code, message: expect.stringMatching(message) });
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
