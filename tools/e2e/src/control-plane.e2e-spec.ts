import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import { createEnvelope, decodeEnvelope, TOPICS, type Envelope } from '@matih/contracts';
import { startApp, waitFor, waitHealthy, type RunningService } from '@matih/stack';

const brokers = (process.env.MATIH_KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');

/**
 * The control plane between real services on the real broker: the monitor pings, the compiler
 * consumes, validates and answers; malformed messages are rejected with a logged reason and do not
 * stop the compiler's consumer.
 */
describe('control plane between services', () => {
  const kafka = new Kafka({ clientId: 'e2e-control-plane', brokers, logLevel: logLevel.NOTHING });
  let producer: Producer;
  let events: Consumer;
  const seen: Envelope[] = [];
  let compiler: RunningService;
  let monitor: RunningService;

  beforeAll(async () => {
    compiler = startApp('compiler', { port: 28101, env: { LOG_LEVEL: 'debug' } });
    monitor = startApp('monitor', { port: 28104, env: { MONITOR_PING_INTERVAL_MS: '1000' } });
    await Promise.all([waitHealthy(compiler), waitHealthy(monitor)]);
    producer = kafka.producer({ idempotent: true });
    await producer.connect();
    events = kafka.consumer({ groupId: `e2e-${randomUUID()}` });
    await events.connect();
    await events.subscribe({ topic: TOPICS.serviceEvents, fromBeginning: false });
    await events.run({
      eachMessage: async ({ message }) => {
        const decoded = decodeEnvelope(TOPICS.serviceEvents, message.value);
        if (decoded.ok) seen.push(decoded.envelope);
      },
    });
    await waitFor('the test consumer to join its group', async () => ((await events.describeGroup()).state === 'Stable' ? true : undefined));
  });

  afterAll(async () => {
    await events?.disconnect();
    await producer?.disconnect();
    await Promise.all([compiler?.stop(), monitor?.stop()]);
  });

  it('the monitor sees the compiler answer its pings', async () => {
    // the monitor lists itself once its own heartbeat came back through Kafka, which may be after the compiler's answer
    const items = await waitFor('the compiler to answer the monitor, and the monitor to see itself', async () => {
      const { items } = (await (await fetch(`${monitor.baseUrl}/services`)).json()) as { items: { service: string; alive: boolean }[] };
      return items.some((i) => i.service === 'compiler' && i.alive) && items.some((i) => i.service === 'monitor') ? items : undefined;
    });
    expect(items.map((i) => i.service)).toEqual(expect.arrayContaining(['compiler', 'monitor']));
  });

  it('rejects malformed commands with a reason, answers a bad payload with command.failed, and keeps consuming', async () => {
    const badPayload = { ...createEnvelope('service.ping', 'compiler', { target: 'compiler', from: 'e2e' }), payload: { target: 42 } };
    const goodPing = createEnvelope('service.ping', 'compiler', { target: 'compiler', from: 'e2e' });
    await producer.send({
      topic: TOPICS.serviceCommands,
      messages: [
        { key: 'compiler', value: Buffer.from([0xde, 0xad, 0xbe, 0xef]) },
        { key: 'compiler', value: JSON.stringify(badPayload) },
        { key: 'compiler', value: JSON.stringify(goodPing) },
      ],
    });

    const failed = await waitFor('command.failed from the compiler', async () =>
      seen.find((e) => e.type === 'command.failed' && e.causationId === badPayload.id && e.payload.service === 'compiler'),
    );
    expect(failed.payload).toMatchObject({ commandType: 'service.ping', reason: expect.stringMatching(/payload\.target/) });
    expect(failed.correlationId).toBe(badPayload.correlationId);

    const pong = await waitFor('the compiler to answer the good ping after the bad ones', async () =>
      seen.find((e) => e.type === 'service.pong' && e.causationId === goodPing.id),
    );
    expect(pong.payload).toMatchObject({ service: 'compiler' });
    expect(compiler.output()).toMatch(/value is not JSON.*control message rejected|control message rejected.*value is not JSON/);
  });

  it('refuses to start with an invalid environment, naming the variable', async () => {
    const broken = startApp('compiler', { env: { PORT: 'eighty', MATIH_KAFKA_BROKERS: 'no-port' } });
    expect(await broken.exited).toBe(78);
    expect(broken.output()).toMatch(/compiler cannot start/);
    expect(broken.output()).toMatch(/PORT: .*\(got "eighty"\)/);
    expect(broken.output()).toMatch(/MATIH_KAFKA_BROKERS/);
  });

  it('shuts down gracefully on SIGTERM', async () => {
    const extra = startApp('flink-submitter', { port: 28102 });
    await waitHealthy(extra);
    expect(await extra.stop('SIGTERM')).toBe(0);
  });
});
