import {
  ALL_TOPICS,
  MESSAGES,
  createEnvelope,
  decodeEnvelope,
  type Envelope,
  type EnvelopeOptions,
  type MessageType,
  type PayloadOf,
  type TopicName,
} from '@matih/contracts';
import { context } from '@opentelemetry/api';
import { contextFromTraceparent, currentTraceparent } from '@matih/telemetry';
import { Kafka, logLevel, type Consumer, type EachMessagePayload, type Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { RecentIds } from './recent-ids';

export interface ControlPlaneOptions {
  /** the service's name: its consumer group is `matih.<service>` */
  readonly service: string;
  readonly brokers: readonly string[];
  readonly logger: Logger;
  /** partitions for control topics this service creates when they are missing */
  readonly topicPartitions?: number;
  /** how often a long handler beats the consumer's heartbeat so the group does not rebalance */
  readonly heartbeatEveryMs?: number;
}

export interface MessageContext {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly logger: Logger;
}

type Handler<T extends MessageType> = (envelope: Envelope<T>, ctx: MessageContext) => Promise<void>;

/**
 * The control plane as one service sees it: typed publishing of commands and events, and typed
 * handlers for the messages it consumes. Every consumed message is validated against its contract;
 * a message that fails is logged with the reason (and, for a command, answered with
 * `command.failed`) and never stops the consumer. Redelivered messages (same id) are skipped.
 */
export class ControlPlane {
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private consumer: Consumer | undefined;
  private readonly handlers = new Map<MessageType, Handler<MessageType>>();
  private readonly seen = new RecentIds(10_000);
  private connected = false;

  constructor(private readonly options: ControlPlaneOptions) {
    this.kafka = new Kafka({
      clientId: `matih-${options.service}`,
      brokers: [...options.brokers],
      logLevel: logLevel.NOTHING,
      retry: { retries: 8 },
    });
    this.producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /** Register the handler of one message type. Call before `start`. */
  on<T extends MessageType>(type: T, handler: Handler<T>): this {
    if (this.consumer) throw new Error(`cannot add a handler for "${type}" after the control plane started`);
    if (this.handlers.has(type)) throw new Error(`"${type}" already has a handler in ${this.options.service}`);
    this.handlers.set(type, handler as unknown as Handler<MessageType>);
    return this;
  }

  /** Create missing control topics, connect the producer, and consume what the handlers need. */
  async start(): Promise<void> {
    await this.ensureTopics();
    await this.producer.connect();
    const topics = [...new Set([...this.handlers.keys()].map((type) => MESSAGES[type].topic))];
    if (topics.length > 0) {
      // a short session: when an instance dies, its partitions move to the others within seconds
      await this.pinStartOffsets(topics);
      const consumer = this.kafka.consumer({
        groupId: `matih.${this.options.service}`,
        allowAutoTopicCreation: false,
        sessionTimeout: 10_000,
        heartbeatInterval: 1_000,
      });
      this.consumer = consumer;
      await consumer.connect();
      await consumer.subscribe({ topics, fromBeginning: false });
      await consumer.run({ eachMessage: (payload) => this.receive(payload) });
    }
    this.connected = true;
  }

  async stop(): Promise<void> {
    this.connected = false;
    await this.consumer?.disconnect();
    await this.producer.disconnect();
  }

  async publish<T extends MessageType>(type: T, key: string, payload: PayloadOf<T>, options: EnvelopeOptions = {}): Promise<Envelope<T>> {
    const envelope = createEnvelope(type, key, payload, { traceparent: currentTraceparent(), ...options });
    await this.send([envelope]);
    return envelope;
  }

  /** Send envelopes built earlier (an outbox's), each to its contract's topic, in the given order. */
  async send(envelopes: readonly Envelope[]): Promise<void> {
    if (envelopes.length === 0) return;
    const byTopic = new Map<string, { key: string; value: string; headers: Record<string, string> }[]>();
    for (const envelope of envelopes) {
      const headers: Record<string, string> = { 'matih-type': envelope.type, 'matih-id': envelope.id };
      if (envelope.traceparent) headers.traceparent = envelope.traceparent;
      const topic = MESSAGES[envelope.type].topic;
      const messages = byTopic.get(topic) ?? [];
      messages.push({ key: envelope.key, value: JSON.stringify(envelope), headers });
      byTopic.set(topic, messages);
    }
    await this.producer.sendBatch({ topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
  }

  /**
   * A group that never committed on a partition would start at its end when it joins: record that
   * position before the first start, so that what is sent while every instance of this service is
   * down is read when it comes back. (When instances are already running, they did this already.)
   */
  private async pinStartOffsets(topics: readonly string[]): Promise<void> {
    const groupId = `matih.${this.options.service}`;
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      for (const topic of topics) {
        const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
        const unset = new Set((committed?.partitions ?? []).filter((p) => p.offset === '-1').map((p) => p.partition));
        if (unset.size === 0) continue;
        const ends = await admin.fetchTopicOffsets(topic);
        const partitions = ends.filter((e) => unset.has(e.partition)).map((e) => ({ partition: e.partition, offset: e.high }));
        await admin.setOffsets({ groupId, topic, partitions }).catch((error: unknown) => {
          // the group has live members: they started it already
          this.options.logger.debug({ err: error, topic }, 'start offsets not recorded: the group is active');
        });
      }
    } finally {
      await admin.disconnect();
    }
  }

  private async ensureTopics(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = ALL_TOPICS.filter((topic) => !existing.has(topic));
      if (missing.length > 0) {
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((topic) => ({ topic, numPartitions: this.options.topicPartitions ?? 3 })),
        });
      }
    } finally {
      await admin.disconnect();
    }
  }

  private async receive({ topic, partition, message, heartbeat }: EachMessagePayload): Promise<void> {
    const logger = this.options.logger.child({ topic, partition, offset: message.offset });
    const decoded = decodeEnvelope(topic as TopicName, message.value);
    if (!decoded.ok) {
      logger.warn({ reason: decoded.reason, messageId: decoded.envelope?.id }, 'control message rejected');
      if (decoded.envelope && isCommandTopic(topic)) {
        await this.publish(
          'command.failed',
          decoded.envelope.key,
          { service: this.options.service, commandId: decoded.envelope.id, commandType: decoded.envelope.type, reason: decoded.reason },
          { causedBy: decoded.envelope },
        );
      }
      return;
    }
    const { envelope } = decoded;
    const handler = this.handlers.get(envelope.type);
    if (!handler) return; // another service's message on a shared topic
    if (this.seen.has(envelope.id)) {
      logger.debug({ messageId: envelope.id }, 'duplicate control message skipped');
      return;
    }
    const scoped = logger.child({ messageId: envelope.id, type: envelope.type, key: envelope.key });
    const pacemaker = setInterval(() => void heartbeat().catch(() => undefined), this.options.heartbeatEveryMs ?? 3_000);
    try {
      await context.with(contextFromTraceparent(envelope.traceparent), () =>
        handler(envelope, { topic, partition, offset: message.offset, logger: scoped }),
      );
      this.seen.add(envelope.id);
    } catch (error) {
      scoped.error({ err: error }, 'control message handler failed');
      if (MESSAGES[envelope.type].kind === 'command') {
        await this.publish(
          'command.failed',
          envelope.key,
          { service: this.options.service, commandId: envelope.id, commandType: envelope.type, reason: (error as Error).message || String(error) },
          { causedBy: envelope },
        );
      }
      this.seen.add(envelope.id);
    } finally {
      clearInterval(pacemaker);
    }
  }
}

function isCommandTopic(topic: string): boolean {
  return /^matih\.[a-z-]+\.commands\.v\d+$/.test(topic);
}
