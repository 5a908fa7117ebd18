import { randomUUID } from 'node:crypto';
import { createEnvelope, decodeEnvelope, TOPICS, type Envelope } from '@matih/contracts';
import { ControlPlane } from '@matih/control-plane';
import { Kafka, logLevel } from 'kafkajs';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import type { RegistryConfig } from '../config';
import { createDataSource, migrate } from '../database/data-source';
import { createTestDatabase } from '@matih/stack';
import { EventStore } from '../events/event-store.repository';
import { OutboxRelay } from './outbox.relay';

const brokers = (process.env.MATIH_KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');

describe('outbox relay: events and their messages commit together, then reach Kafka', () => {
  const logger = pino({ level: 'silent' });
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataSource: DataSource;
  let controlPlane: ControlPlane;
  const received: Envelope[] = [];
  const kafka = new Kafka({ clientId: 'registry-outbox-test', brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `outbox-test-${randomUUID()}` });

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await createDataSource(db.url).initialize();
    await migrate(dataSource);
    controlPlane = new ControlPlane({ service: 'registry', brokers, logger });
    await controlPlane.start();
    await consumer.connect();
    await consumer.subscribe({ topic: TOPICS.serviceCommands, fromBeginning: false });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const decoded = decodeEnvelope(TOPICS.serviceCommands, message.value);
        if (decoded.ok) received.push(decoded.envelope);
      },
    });
    while ((await consumer.describeGroup()).state !== 'Stable') await new Promise((r) => setTimeout(r, 200));
  });

  afterAll(async () => {
    await consumer.disconnect();
    await controlPlane?.stop();
    await dataSource?.destroy();
    await db?.drop();
  });

  it('publishes each pending message once, in order, with the id it was written with', async () => {
    const store = new EventStore(dataSource);
    const key = `deployment-${randomUUID()}`;
    const messages = Array.from({ length: 3 }, () => createEnvelope('service.ping', key, { target: 'compiler', from: 'registry' }));
    await store.append(key, 0, [{ type: 'deployment.requested', payload: {}, principal: 'alice' }], messages);

    const relay = new OutboxRelay(dataSource, controlPlane, { REGISTRY_OUTBOX_POLL_MS: 50 } as RegistryConfig, logger);
    expect(await relay.drain()).toBe(3);
    expect(await relay.drain()).toBe(0);

    const deadline = Date.now() + 30_000;
    while (received.filter((e) => e.key === key).length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(received.filter((e) => e.key === key).map((e) => e.id)).toEqual(messages.map((m) => m.id));
    const pending = await dataSource.query(`SELECT count(*)::int AS n FROM registry.outbox WHERE published_at IS NULL`);
    expect(pending[0].n).toBe(0);
    await relay.onApplicationShutdown();
  });

  it('lets only one relay publish at a time', async () => {
    const a = new OutboxRelay(dataSource, controlPlane, { REGISTRY_OUTBOX_POLL_MS: 50 } as RegistryConfig, logger);
    const b = new OutboxRelay(dataSource, controlPlane, { REGISTRY_OUTBOX_POLL_MS: 50 } as RegistryConfig, logger);
    const key = `deployment-${randomUUID()}`;
    await new EventStore(dataSource).append(key, 0, [{ type: 'deployment.requested', payload: {}, principal: 'bob' }], [
      createEnvelope('service.ping', key, { target: 'compiler', from: 'registry' }),
    ]);
    expect(await a.drain()).toBe(1);
    await new EventStore(dataSource).append(key, 1, [{ type: 'deployment.stopped', payload: {}, principal: 'bob' }], [
      createEnvelope('service.ping', key, { target: 'compiler', from: 'registry' }),
    ]);
    expect(await b.drain()).toBe(0); // a holds the lease
    await a.onApplicationShutdown();
    expect(await b.drain()).toBe(1);
    await b.onApplicationShutdown();
  });
});
