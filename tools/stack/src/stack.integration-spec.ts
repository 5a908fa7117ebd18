/**
 * Proof that the local stack is real: run after `npx matih stack up`.
 * Kafka, PostgreSQL and the schema registry answer; a streaming Flink SQL job submitted through the SQL Gateway moves
 * JSON events from Kafka into an Iceberg table (JDBC catalog on the stack's PostgreSQL, file
 * warehouse) that both Flink (batch) and pyiceberg read back exactly.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { FlinkError, FlinkErrorCode, JobManagerClient, SqlGatewayClient, type JobState } from '@matih/flink';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { Client } from 'pg';
import { readIcebergTable } from './iceberg-reader';
import { icebergCatalogDdl, stackEndpoints } from './layout';
import { registerSchema } from './schema-registry';
import { stackStatus } from './stack';

const endpoints = stackEndpoints();
const gateway = new SqlGatewayClient(endpoints.flink.gatewayUrl);
const jobManager = new JobManagerClient(endpoints.flink.restUrl);
const jobState = async (jobId: string): Promise<JobState> => (await jobManager.job(jobId)).state;
const runId = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
const kafka = new Kafka({ clientId: `stack-itest-${runId}`, brokers: endpoints.kafka.brokers, logLevel: logLevel.NOTHING });

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function waitFor<T>(what: string, timeoutMs: number, attempt: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  while (Date.now() < deadline) {
    try {
      const value = await attempt();
      if (value !== null) return value;
    } catch (error) {
      last = error;
    }
    await sleep(1000);
  }
  throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

describe('local stack', () => {
  beforeAll(async () => {
    const status = await stackStatus();
    const notRunning = status.components.filter((c) => c.state !== 'running');
    if (notRunning.length > 0) {
      throw new Error(`stack not running (${notRunning.map((c) => `${c.name}: ${c.state}`).join(', ')}); run \`npx matih stack up\` first`);
    }
  });

  it('Kafka: produces and consumes through the broker', async () => {
    const topic = `stack_itest_pc_${runId}`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();

    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    const sent = ['alpha', 'beta', 'gamma'];
    await producer.send({ topic, messages: sent.map((value, i) => ({ key: String(i), value })) });
    await producer.disconnect();

    const consumer: Consumer = kafka.consumer({ groupId: `stack-itest-${runId}` });
    const received: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        received.push(message.value?.toString('utf8') ?? '');
      },
    });
    try {
      await waitFor('3 consumed messages', 60_000, async () => (received.length >= sent.length ? true : null));
    } finally {
      await consumer.disconnect();
    }
    expect(received).toEqual(sent);
  });

  it('Kafka: the SASL_PLAINTEXT listener authenticates the SCRAM user (and refuses a wrong password)', async () => {
    const { scram } = endpoints.kafka;
    for (const mechanism of scram.mechanisms) {
      const client = new Kafka({
        clientId: `stack-itest-scram-${runId}`,
        brokers: scram.brokers,
        sasl:
          mechanism === 'scram-sha-256'
            ? { mechanism, username: scram.username, password: scram.password }
            : { mechanism, username: scram.username, password: scram.password },
        logLevel: logLevel.NOTHING,
      });
      const admin = client.admin();
      await admin.connect();
      const cluster = await admin.describeCluster();
      await admin.disconnect();
      expect(cluster.brokers.map((b) => `${b.host}:${b.port}`)).toEqual(scram.brokers);
    }
    const wrong = new Kafka({
      clientId: `stack-itest-scram-bad-${runId}`,
      brokers: scram.brokers,
      sasl: { mechanism: 'scram-sha-256', username: scram.username, password: 'not-the-password' },
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    });
    const admin = wrong.admin();
    await expect(admin.connect()).rejects.toThrow(/SASL|authentication/i);
    await admin.disconnect().catch(() => undefined);
  });

  it('Kafka: the SASL_SSL listener authenticates the user by PLAIN and SCRAM over TLS trusting the stack CA, and refuses clients without it', async () => {
    const { saslSsl } = endpoints.kafka;
    const ca = [fs.readFileSync(saslSsl.caLocation, 'utf8')];
    const { username, password } = saslSsl;
    for (const mechanism of saslSsl.mechanisms) {
      // the certificate names 127.0.0.1 and localhost: both pass the hostname check
      for (const brokers of [saslSsl.brokers, saslSsl.brokers.map((b) => b.replace('127.0.0.1', 'localhost'))]) {
        const sasl = mechanism === 'plain' ? { mechanism, username, password } : mechanism === 'scram-sha-256' ? { mechanism, username, password } : { mechanism, username, password };
        const client = new Kafka({ clientId: `stack-itest-tls-${runId}`, brokers, ssl: { ca, rejectUnauthorized: true }, sasl, logLevel: logLevel.NOTHING });
        const admin = client.admin();
        await admin.connect();
        const cluster = await admin.describeCluster();
        await admin.disconnect();
        expect(cluster.brokers.map((b) => `${b.host}:${b.port}`)).toEqual(saslSsl.brokers);
      }
    }
    const untrusting = new Kafka({
      clientId: `stack-itest-tls-noca-${runId}`,
      brokers: saslSsl.brokers,
      ssl: { rejectUnauthorized: true },
      sasl: { mechanism: 'plain', username, password },
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    });
    const admin = untrusting.admin();
    await expect(admin.connect()).rejects.toThrow(/self-signed certificate in certificate chain/);
    await admin.disconnect().catch(() => undefined);
  });

  it('Kafka: the SSL listener requires a client certificate signed by the stack CA (mutual TLS), its key encrypted', async () => {
    const { mtls } = endpoints.kafka;
    const ca = [fs.readFileSync(mtls.caLocation, 'utf8')];
    const cert = fs.readFileSync(mtls.certificateLocation, 'utf8');
    const key = fs.readFileSync(mtls.keyLocation, 'utf8');
    expect(key).toContain('-----BEGIN ENCRYPTED PRIVATE KEY-----');
    const client = new Kafka({ clientId: `stack-itest-mtls-${runId}`, brokers: mtls.brokers, ssl: { ca, cert, key, passphrase: mtls.keyPassword, rejectUnauthorized: true }, logLevel: logLevel.NOTHING });
    const admin = client.admin();
    await admin.connect();
    const cluster = await admin.describeCluster();
    await admin.disconnect();
    expect(cluster.brokers.map((b) => `${b.host}:${b.port}`)).toEqual(mtls.brokers);

    // no client certificate: the broker ends the handshake (TLS alert)
    const anonymous = new Kafka({ clientId: `stack-itest-mtls-nocert-${runId}`, brokers: mtls.brokers, ssl: { ca, rejectUnauthorized: true }, logLevel: logLevel.NOTHING, retry: { retries: 0 } });
    const refused = anonymous.admin();
    await expect(refused.connect()).rejects.toThrow(/alert|socket hang up|ECONNRESET/i);
    await refused.disconnect().catch(() => undefined);
  });

  it('PostgreSQL: runs a query as the matih role', async () => {
    const client = new Client(endpoints.postgres);
    await client.connect();
    try {
      const result = await client.query<{ who: string; db: string; answer: number }>('SELECT current_user AS who, current_database() AS db, 6 * 7 AS answer');
      expect(result.rows).toEqual([{ who: 'matih', db: 'matih', answer: 42 }]);
    } finally {
      await client.end();
    }
  });

  it('schema registry: registers and serves schemas over the Confluent API, anonymously, and refuses an incompatible one', async () => {
    const base = endpoints.schemaRegistry.url;
    const subject = `stack-itest-${runId}-value`;
    const schema = (fields: object[]) => JSON.stringify({ type: 'record', name: 'Click', namespace: 'stack.itest', fields: [{ name: 'run', type: 'string', default: runId }, ...fields] });
    const v1 = schema([{ name: 'user_id', type: 'string' }]);
    const id = await registerSchema(subject, v1);
    // the same schema again is the same version and id
    expect(await registerSchema(subject, v1)).toBe(id);
    const get = async (pathname: string) => {
      const response = await fetch(`${base}${pathname}`);
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    // avro: no schemaType in the answer, as Confluent's registry
    expect(await get(`/schemas/ids/${id}`)).toMatchObject({ status: 200, body: { schema: v1 } });
    expect((await get(`/schemas/ids/${id}`)).body['schemaType']).toBeUndefined();
    expect(await get(`/subjects/${subject}/versions/latest`)).toMatchObject({ status: 200, body: { subject, id, version: 1, schema: v1 } });
    expect(await get('/schemas/ids/2147483647')).toMatchObject({ status: 404, body: { error_code: 40403 } });

    const config = await fetch(`${base}/config/${subject}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ compatibility: 'BACKWARD' }) });
    expect(config.status).toBe(200);
    // a new required field without a default cannot read the old records: 409 (Apicurio answers error_code 0, not Confluent's 409)
    await expect(registerSchema(subject, schema([{ name: 'user_id', type: 'string' }, { name: 'n', type: 'long' }]))).rejects.toThrow(/HTTP 409/);
    const v2 = schema([{ name: 'user_id', type: 'string' }, { name: 'n', type: 'long', default: 0 }]);
    const id2 = await registerSchema(subject, v2);
    expect(id2).not.toBe(id);
    expect(await get(`/subjects/${subject}/versions/latest`)).toMatchObject({ status: 200, body: { id: id2, version: 2 } });
  });

  it('Kafka -> Flink SQL (via the SQL Gateway) -> Iceberg, read back by Flink and by pyiceberg', async () => {
    const topic = `stack_itest_events_${runId}`;
    const namespace = 'stack_itest';
    const table = `events_${runId}`;
    const icebergTable = `\`matih\`.\`${namespace}\`.\`${table}\``;
    const source = `\`default_catalog\`.\`default_database\`.\`src_${runId}\``;
    const count = 40;
    const events = Array.from({ length: count }, (_, i) => ({ id: i + 1, name: `event-${i + 1}`, amount: (i + 1) * 1.25, ok: i % 3 === 0 }));

    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    await admin.disconnect();

    const streaming = await gateway.openSession(
      { 'execution.runtime-mode': 'streaming', 'execution.checkpointing.interval': '2s', 'parallelism.default': '2' },
      `stack-itest-streaming-${runId}`,
    );
    let jobId: string | null = null;
    try {
      await streaming.configure(icebergCatalogDdl(endpoints));
      await streaming.execute(`CREATE DATABASE IF NOT EXISTS \`matih\`.\`${namespace}\``);
      await streaming.execute(`CREATE TABLE ${icebergTable} (id BIGINT, name STRING, amount DOUBLE, ok BOOLEAN)`);
      await streaming.execute(
        `CREATE TABLE ${source} (id BIGINT, name STRING, amount DOUBLE, ok BOOLEAN) WITH (
          'connector' = 'kafka',
          'topic' = '${topic}',
          'properties.bootstrap.servers' = '${endpoints.kafka.brokers.join(',')}',
          'properties.group.id' = 'stack-itest-${runId}',
          'scan.startup.mode' = 'earliest-offset',
          'format' = 'json'
        )`,
      );
      const insert = await streaming.execute(`INSERT INTO ${icebergTable} SELECT id, name, amount, ok FROM ${source}`);
      jobId = insert.jobId;
      expect(jobId).toMatch(/^[0-9a-f]{32}$/);
      const runningJob = jobId as string;
      await waitFor('the streaming job to run', 120_000, async () => ((await jobState(runningJob)) === 'RUNNING' ? true : null));

      const producer = kafka.producer({ idempotent: true });
      await producer.connect();
      await producer.send({ topic, messages: events.map((e) => ({ key: String(e.id), value: JSON.stringify(e) })) });
      await producer.disconnect();

      // committed by the Iceberg sink on a checkpoint; read independently of Flink
      const viaPyiceberg = await waitFor(`${count} rows in ${namespace}.${table} (pyiceberg)`, 180_000, async () => {
        const state = await jobState(runningJob);
        if (state !== 'RUNNING') throw new Error(`job ${runningJob} is ${state}`);
        const rows = await readIcebergTable(`${namespace}.${table}`);
        return rows.length >= count ? rows : null;
      });
      const byId = (a: Record<string, unknown>, b: Record<string, unknown>) => Number(a['id']) - Number(b['id']);
      expect([...viaPyiceberg].sort(byId)).toEqual(events);

      const filtered = await readIcebergTable(`${namespace}.${table}`, 'id <= 3');
      expect([...filtered].sort(byId)).toEqual(events.slice(0, 3));

      const batch = await gateway.openSession({ 'execution.runtime-mode': 'batch', 'parallelism.default': '1' }, `stack-itest-batch-${runId}`);
      try {
        await batch.configure(icebergCatalogDdl(endpoints));
        const viaFlink = await batch.execute(`SELECT id, name, amount, ok FROM ${icebergTable}`);
        expect(viaFlink.columns).toEqual(['id', 'name', 'amount', 'ok']);
        expect([...viaFlink.rows].sort(byId)).toEqual(events);
        // a failing statement surfaces as a FlinkError carrying Flink's own message
        const missing = batch.execute(`SELECT * FROM \`matih\`.\`${namespace}\`.\`missing_${runId}\``);
        await expect(missing).rejects.toBeInstanceOf(FlinkError);
        await expect(missing).rejects.toMatchObject({ code: FlinkErrorCode.StatementFailed, message: expect.stringMatching(/not found/i) });
      } finally {
        await batch.close();
      }
    } finally {
      if (jobId) {
        const job = jobId;
        await jobManager.cancel(job).catch((error: unknown) => {
          // a job that already ended (or is gone) needs no cancelling
          if (!(error instanceof FlinkError && error.detail.status === 404)) throw error;
        });
        const ended: JobState[] = ['CANCELED', 'FAILED', 'FINISHED'];
        await waitFor(`job ${job} to cancel`, 60_000, async () => (ended.includes(await jobState(job)) ? true : null)).catch(() => undefined);
      }
      await streaming.execute(`DROP TABLE IF EXISTS ${icebergTable}`).catch(() => undefined);
      await streaming.close();
      const cleanup = kafka.admin();
      await cleanup.connect();
      await cleanup.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await cleanup.disconnect();
    }
  });
});
