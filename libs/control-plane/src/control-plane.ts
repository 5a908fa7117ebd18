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
import { SpanKind, SpanStatusCode, context, trace, type Span } from '@opentelemetry/api';
import { contextFromTraceparent, currentTraceparent, tracer } from '@matih/telemetry';
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer, type EachMessagePayload, type Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { RecentIds } from './recent-ids';
import { whileStarting } from './while-starting';

export interface ControlPlaneOptions {
  /** the service's name: its consumer group is `matih.<service>` */
  readonly service: string;
  readonly brokers: readonly string[];
  readonly logger: Logger;
  /** partitions for control topics this service creates when they are missing */
  readonly topicPartitions?: number;
  /** how often a long handler beats the consumer's heartbeat so the group does not rebalance */
  readonly heartbeatEveryMs?: number;
  /** this instance's id: names its broadcast consumer group `matih.<service>.instance.<instanceId>` */
  readonly instanceId?: string;
}

export interface SubscribeOptions {
  /**
   * Every instance of the service receives the message (a consumer group of its own, starting at the
   * topic's end when the instance starts), not just one of them. What was sent before it started is
   * given once to the `onBroadcastHistory` handler.
   */
  readonly broadcast?: boolean;
}

export interface MessageContext {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly logger: Logger;
}

type Handler<T extends MessageType> = (envelope: Envelope<T>, ctx: MessageContext) => Promise<void>;
/** The valid broadcast messages already on their topics when the instance started: oldest first per partition. */
type HistoryHandler = (history: readonly Envelope[]) => Promise<void>;

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
  private broadcastConsumer: Consumer | undefined;
  private readonly broadcastHandlers = new Map<MessageType, Handler<MessageType>>();
  private historyHandler: HistoryHandler | undefined;
  private readonly broadcastGroup: string;
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
    this.broadcastGroup = `matih.${options.service}.instance.${options.instanceId ?? randomUUID()}`;
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /** Register the handler of one message type (`broadcast`: every instance gets it). Call before `start`. */
  on<T extends MessageType>(type: T, handler: Handler<T>, options: SubscribeOptions = {}): this {
    if (this.consumer || this.broadcastConsumer) throw new Error(`cannot add a handler for "${type}" after the control plane started`);
    if (this.handlers.has(type) || this.broadcastHandlers.has(type)) throw new Error(`"${type}" already has a handler in ${this.options.service}`);
    (options.broadcast ? this.broadcastHandlers : this.handlers).set(type, handler as unknown as Handler<MessageType>);
    return this;
  }

  /**
   * At start, before any live broadcast message is handled: the broadcast messages already on their
   * topics (read to the offsets the live subscription starts from, so none is missed or seen twice),
   * to rebuild the state they describe. Call before `start`.
   */
  onBroadcastHistory(handler: HistoryHandler): this {
    this.historyHandler = handler;
    return this;
  }

  /** Create missing control topics, connect the producer, and consume what the handlers need. */
  async start(): Promise<void> {
    await whileStarting(() => this.ensureTopics());
    await this.producer.connect();
    const topics = [...new Set([...this.handlers.keys()].map((type) => MESSAGES[type].topic))];
    if (topics.length > 0) {
      await whileStarting(() => this.pinStartOffsets(topics));
      // a short session: when an instance dies, its partitions move to the others within seconds
      const consumer = this.kafka.consumer({
        groupId: `matih.${this.options.service}`,
        allowAutoTopicCreation: false,
        sessionTimeout: 10_000,
        heartbeatInterval: 1_000,
      });
      this.consumer = consumer;
      await consumer.connect();
      await consumer.subscribe({ topics, fromBeginning: false });
      await consumer.run({ eachMessage: (payload) => this.receive(payload, `matih.${this.options.service}`, this.handlers) });
    }
    await this.startBroadcast();
    this.connected = true;
  }

  async stop(): Promise<void> {
    this.connected = false;
    await this.consumer?.disconnect();
    if (this.broadcastConsumer) {
      await this.broadcastConsumer.disconnect();
      // the group is this instance's alone: it has nothing to resume
      const admin = this.kafka.admin();
      await admin.connect();
      await admin.deleteGroups([this.broadcastGroup]).catch(() => undefined);
      await admin.disconnect();
    }
    await this.producer.disconnect();
  }

  /**
   * The broadcast subscription: note each topic's end, give what lies before it to the history
   * handler, then consume from exactly there in this instance's own group.
   */
  private async startBroadcast(): Promise<void> {
    const types = new Set(this.broadcastHandlers.keys());
    const topics = [...new Set([...types].map((type) => MESSAGES[type].topic))];
    if (topics.length === 0) return;
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const ends = new Map<string, { partition: number; low: string; high: string }[]>();
      for (const topic of topics) ends.set(topic, await admin.fetchTopicOffsets(topic));
      if (this.historyHandler) await this.historyHandler(await this.readHistory(ends, types));
      for (const [topic, offsets] of ends) {
        await admin.setOffsets({ groupId: this.broadcastGroup, topic, partitions: offsets.map((o) => ({ partition: o.partition, offset: o.high })) });
      }
    } finally {
      await admin.disconnect();
    }
    const consumer = this.kafka.consumer({ groupId: this.broadcastGroup, allowAutoTopicCreation: false, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
    this.broadcastConsumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: false });
    await consumer.run({ eachMessage: (payload) => this.receive(payload, this.broadcastGroup, this.broadcastHandlers) });
  }

  /**
   * Every valid message of `types` now on their topics (up to each partition's current end), in the
   * order of each partition, read through a throwaway consumer group; none when a topic is absent.
   */
  async history<T extends MessageType>(types: readonly T[], timeoutMs = 60_000): Promise<Envelope<T>[]> {
    const topics = [...new Set(types.map((type) => MESSAGES[type].topic))];
    const admin = this.kafka.admin();
    await admin.connect();
    const ends = new Map<string, { partition: number; low: string; high: string }[]>();
    try {
      const existing = new Set(await admin.listTopics());
      for (const topic of topics) if (existing.has(topic)) ends.set(topic, await admin.fetchTopicOffsets(topic));
    } finally {
      await admin.disconnect();
    }
    return (await this.readHistory(ends, new Set<MessageType>(types), timeoutMs)) as Envelope<T>[];
  }

  /** Every valid message of `types` before `ends`, read through a throwaway consumer group. */
  private async readHistory(ends: ReadonlyMap<string, readonly { partition: number; low: string; high: string }[]>, types: ReadonlySet<MessageType>, timeoutMs = 60_000): Promise<Envelope[]> {
    const remaining = new Map<string, bigint>();
    for (const [topic, offsets] of ends) for (const o of offsets) if (BigInt(o.high) > BigInt(o.low)) remaining.set(`${topic}:${o.partition}`, BigInt(o.high));
    const history: Envelope[] = [];
    if (remaining.size === 0) return history;
    const groupId = `matih.${this.options.service}.replay-${randomUUID()}`;
    const consumer = this.kafka.consumer({ groupId, allowAutoTopicCreation: false });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [...ends.keys()], fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`reading the history of ${[...ends.keys()].join(', ')} took longer than ${timeoutMs} ms`)), timeoutMs);
        consumer
          .run({
            autoCommit: false,
            eachMessage: async ({ topic, partition, message }) => {
              const at = `${topic}:${partition}`;
              const end = remaining.get(at);
              if (end === undefined || BigInt(message.offset) >= end) return;
              const decoded = decodeEnvelope(topic as TopicName, message.value);
              if (decoded.ok && types.has(decoded.envelope.type)) history.push(decoded.envelope);
              if (BigInt(message.offset) + 1n >= end) remaining.delete(at);
              if (remaining.size === 0) {
                clearTimeout(timer);
                resolve();
              }
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
      const admin = this.kafka.admin();
      await admin.connect();
      await admin.deleteGroups([groupId]).catch(() => undefined);
      await admin.disconnect();
    }
    this.options.logger.info({ messages: history.length, group: this.broadcastGroup }, 'broadcast history read');
    return history;
  }

  async publish<T extends MessageType>(type: T, key: string, payload: PayloadOf<T>, options: EnvelopeOptions = {}): Promise<Envelope<T>> {
    const envelope = createEnvelope(type, key, payload, { traceparent: currentTraceparent(), ...options });
    await this.send([envelope]);
    return envelope;
  }

  /**
   * Send envelopes built earlier (an outbox's), each to its contract's topic, in the given order.
   * Each message gets a producer span, child of the trace its envelope carries (the one active when
   * it was built), and that span's W3C `traceparent` in its Kafka headers: the consumer continues it.
   */
  async send(envelopes: readonly Envelope[]): Promise<void> {
    if (envelopes.length === 0) return;
    const byTopic = new Map<string, { key: string; value: string; headers: Record<string, string> }[]>();
    const spans: Span[] = [];
    for (const envelope of envelopes) {
      const topic = MESSAGES[envelope.type].topic;
      const span = controlTracer().startSpan(
        `send ${topic}`,
        {
          kind: SpanKind.PRODUCER,
          attributes: {
            'messaging.system': 'kafka',
            'messaging.operation.type': 'send',
            'messaging.operation.name': 'send',
            'messaging.destination.name': topic,
            'messaging.message.id': envelope.id,
            'messaging.message.conversation_id': envelope.correlationId,
            'messaging.kafka.message.key': envelope.key,
            'matih.message.type': envelope.type,
          },
        },
        envelope.traceparent ? contextFromTraceparent(envelope.traceparent) : context.active(),
      );
      spans.push(span);
      const headers: Record<string, string> = { 'matih-type': envelope.type, 'matih-id': envelope.id };
      const traceparent = currentTraceparent(trace.setSpan(context.active(), span)) ?? envelope.traceparent;
      if (traceparent) headers.traceparent = traceparent;
      const messages = byTopic.get(topic) ?? [];
      messages.push({ key: envelope.key, value: JSON.stringify(envelope), headers });
      byTopic.set(topic, messages);
    }
    try {
      await this.producer.sendBatch({ topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
    } catch (error) {
      for (const span of spans) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      }
      throw error;
    } finally {
      for (const span of spans) span.end();
    }
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

  private async receive({ topic, partition, message, heartbeat }: EachMessagePayload, groupId: string, handlers: ReadonlyMap<MessageType, Handler<MessageType>>): Promise<void> {
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
    const handler = handlers.get(envelope.type);
    if (!handler) return; // another service's message on a shared topic
    if (this.seen.has(envelope.id)) {
      logger.debug({ messageId: envelope.id }, 'duplicate control message skipped');
      return;
    }
    // continue the producer's span (Kafka header), else the trace the envelope was built in
    const header = message.headers?.traceparent;
    const parent = contextFromTraceparent((header === undefined ? null : String(header)) ?? envelope.traceparent);
    const span = controlTracer().startSpan(
      `process ${envelope.type}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'process',
          'messaging.operation.name': 'process',
          'messaging.destination.name': topic,
          'messaging.destination.partition.id': String(partition),
          'messaging.consumer.group.name': groupId,
          'messaging.message.id': envelope.id,
          'messaging.message.conversation_id': envelope.correlationId,
          'messaging.kafka.message.key': envelope.key,
          'messaging.kafka.offset': Number(message.offset),
          'matih.message.type': envelope.type,
        },
      },
      parent,
    );
    const active = trace.setSpan(parent, span);
    const scoped = logger.child({ messageId: envelope.id, type: envelope.type, key: envelope.key });
    await context.with(active, () => this.handle(handler, envelope, span, { topic, partition, offset: message.offset, logger: scoped }, heartbeat));
  }

  private async handle(
    handler: Handler<MessageType>,
    envelope: Envelope,
    span: Span,
    ctx: MessageContext,
    heartbeat: () => Promise<void>,
  ): Promise<void> {
    const scoped = ctx.logger;
    const pacemaker = setInterval(() => void heartbeat().catch(() => undefined), this.options.heartbeatEveryMs ?? 3_000);
    try {
      await handler(envelope, ctx);
      this.seen.add(envelope.id);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
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
      span.end();
    }
  }
}

const controlTracer = () => tracer('@matih/control-plane');

function isCommandTopic(topic: string): boolean {
  return /^matih\.[a-z-]+\.commands\.v\d+$/.test(topic);
}
