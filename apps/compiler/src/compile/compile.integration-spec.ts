import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import { createEnvelope, decodeEnvelope, TOPICS, type Envelope } from '@matih/contracts';
import { loadDefinition } from '@matih/pipeline-spec';
import { startApp, waitFor, waitHealthy, type RunningService } from '@matih/stack';

const brokers = (process.env.MATIH_KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');

function seed(engine: 'flink' | 'airflow', sql?: string) {
  let text = readFileSync(path.join(__dirname, '..', '..', '..', '..', 'examples', 'clickstream.yaml'), 'utf8').replace('engine: flink', `engine: ${engine}`);
  if (sql) text = text.replace(/sql: \|[\s\S]*?FROM \{\{ input \}\}\n/, `sql: ${JSON.stringify(sql)}\n`);
  const loaded = loadDefinition(text, { file: 'clickstream.yaml', env: { KAFKA_CONNECTION: '127.0.0.1:19092', SCHEMA_REGISTRY_URL: 'http://127.0.0.1:18085' } });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.diagnostics));
  return loaded;
}

/** The compiler as a real process on the real broker: compile commands in, plan or failure events out. */
describe('compiler service', () => {
  const kafka = new Kafka({ clientId: 'compiler-it', brokers, logLevel: logLevel.NOTHING });
  let producer: Producer;
  let events: Consumer;
  const seen: Envelope[] = [];
  let compiler: RunningService;

  beforeAll(async () => {
    compiler = startApp('compiler', { port: 28111 });
    await waitHealthy(compiler);
    producer = kafka.producer({ idempotent: true });
    await producer.connect();
    events = kafka.consumer({ groupId: `compiler-it-${randomUUID()}` });
    await events.connect();
    await events.subscribe({ topic: TOPICS.compileEvents, fromBeginning: false });
    await events.run({
      eachMessage: async ({ message }) => {
        const decoded = decodeEnvelope(TOPICS.compileEvents, message.value);
        if (decoded.ok) seen.push(decoded.envelope);
      },
    });
    await waitFor('the test consumer to join its group', async () => ((await events.describeGroup()).state === 'Stable' ? true : undefined));
  });

  afterAll(async () => {
    await events?.disconnect();
    await producer?.disconnect();
    await compiler?.stop();
  });

  async function request(payload: Parameters<typeof createEnvelope<'compile.requested'>>[2]): Promise<Envelope> {
    const command = createEnvelope('compile.requested', payload.deploymentId, payload);
    await producer.send({ topic: TOPICS.compileCommands, messages: [{ key: command.key, value: JSON.stringify(command) }] });
    return waitFor('the compiler to answer', async () => seen.find((e) => e.causationId === command.id), 30_000);
  }

  it('answers compile.requested with plan.compiled: the Flink script of the seed', async () => {
    const { definition, hash } = seed('flink');
    const deploymentId = randomUUID();
    const answer = await request({ deploymentId, pipeline: 'realtime-clickstream', version: '1.0.0', hash, target: 'flink', definition: definition as unknown as Record<string, unknown> });
    expect(answer.type).toBe('plan.compiled');
    const payload = answer.payload as { hash: string; plan: { engine: string; jobName: string; job: string; secrets: string[]; sinks: { columns: unknown[] }[] } };
    expect(payload.hash).toBe(hash);
    expect(payload.plan.engine).toBe('flink');
    expect(payload.plan.jobName).toBe(`matih/realtime-clickstream/${deploymentId}`);
    expect(payload.plan.job).toMatch(/^INSERT INTO `analytics`\.`web`\.`clickstream_events`/);
    expect(payload.plan.secrets).toEqual(['MATIH_ICEBERG_JDBC_PASSWORD']);
    expect(answer.correlationId).toBeDefined();
  });

  it('compiles the micro-batch target (engine airflow)', async () => {
    const { definition, hash } = seed('airflow');
    const answer = await request({ deploymentId: randomUUID(), pipeline: 'realtime-clickstream', version: '1.0.0', hash, target: 'microbatch', definition: definition as unknown as Record<string, unknown> });
    expect(answer.type).toBe('plan.compiled');
    expect((answer.payload as { plan: { engine: string; stages: { name: string }[] } }).plan.stages.map((s) => s.name)).toEqual(['parse_events']);
  });

  it('answers compilation.failed when the definition does not match its hash', async () => {
    const { definition, hash } = seed('flink');
    const tampered = { ...definition, metadata: { ...definition.metadata, owner: 'someone-else' } };
    const answer = await request({ deploymentId: randomUUID(), pipeline: 'realtime-clickstream', version: '1.0.0', hash, target: 'flink', definition: tampered as unknown as Record<string, unknown> });
    expect(answer.type).toBe('compilation.failed');
    expect((answer.payload as { diagnostics: { message: string }[] }).diagnostics[0]?.message).toMatch(/does not match its hash/);
  });

  it('answers compilation.failed naming the construct the micro-batch engine cannot run', async () => {
    const { definition, hash } = seed('airflow', "SELECT window_start AS event_timestamp, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE {{ input }}, DESCRIPTOR(event_timestamp), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end");
    const answer = await request({ deploymentId: randomUUID(), pipeline: 'realtime-clickstream', version: '1.0.0', hash, target: 'microbatch', definition: definition as unknown as Record<string, unknown> });
    expect(answer.type).toBe('compilation.failed');
    const [d] = (answer.payload as { diagnostics: { message: string; path: string | null }[] }).diagnostics;
    expect(d?.path).toBe('transformations[0].sql');
    expect(d?.message).toMatch(/GROUP BY cannot be computed batch by batch/);
  });
});
