import { randomUUID } from 'node:crypto';
import { createEnvelope, decodeEnvelope, MESSAGES, TOPICS, type Envelope, type MessageType, type PayloadOf } from '@matih/contracts';
import { startApp, waitFor, waitHealthy, type RunningService } from '@matih/stack';
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';

export const brokers = (process.env.MATIH_KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');

/** The monitor as a real process, and a test's voice on the control plane (playing the registry and the engines). */
export class MonitorHarness {
  readonly kafka = new Kafka({ clientId: `monitor-test-${randomUUID().slice(0, 6)}`, brokers, logLevel: logLevel.NOTHING });
  monitor!: RunningService;
  private producer!: Producer;
  private consumer!: Consumer;
  /** every `deployment.health-changed` seen since start, with when it arrived */
  readonly healthEvents: { at: number; envelope: Envelope<'deployment.health-changed'> }[] = [];

  constructor(
    private readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  async start(): Promise<void> {
    this.producer = this.kafka.producer({ idempotent: true });
    await this.producer.connect();
    this.monitor = startApp('monitor', { port: this.port, env: { LOG_LEVEL: 'warn', ...this.env } });
    await waitHealthy(this.monitor);
    this.consumer = this.kafka.consumer({ groupId: `monitor-test-${randomUUID()}` });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: TOPICS.monitorEvents, fromBeginning: false });
    const joined = new Promise<void>((resolve) => this.consumer.on(this.consumer.events.GROUP_JOIN, () => resolve()));
    await this.consumer.run({
      eachMessage: async ({ topic, message }) => {
        const decoded = decodeEnvelope(topic, message.value);
        if (decoded.ok && decoded.envelope.type === 'deployment.health-changed') this.healthEvents.push({ at: Date.now(), envelope: decoded.envelope });
      },
    });
    await joined;
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    await this.producer?.disconnect();
    await this.monitor?.stop();
  }

  async send<T extends MessageType>(type: T, key: string, payload: PayloadOf<T>): Promise<Envelope<T>> {
    const envelope = createEnvelope(type, key, payload);
    await this.producer.send({ topic: MESSAGES[type].topic, messages: [{ key, value: JSON.stringify(envelope) }] });
    return envelope;
  }

  /** Tell the monitor a deployment runs this plan, as the compiler and the registry would. */
  async running(deploymentId: string, pipeline: string, plan: PayloadOf<'plan.compiled'>['plan']): Promise<void> {
    const ref = { deploymentId, pipeline, version: '1.0.0' };
    await this.send('plan.compiled', deploymentId, { ...ref, hash: 'f'.repeat(64), plan });
    await this.send('deployment.changed', deploymentId, { ...ref, owner: 'analytics-team', engine: plan.engine, state: 'running', previousState: 'submitting', reason: null });
  }

  async report(deploymentId: string): Promise<DeploymentReport> {
    const response = await fetch(`${this.monitor.baseUrl}/deployments/${deploymentId}`);
    if (response.status !== 200) throw new Error(`GET /deployments/${deploymentId}: ${response.status}`);
    return (await response.json()) as DeploymentReport;
  }

  /** Wait until the monitor judged the deployment `state`; returns when the event arrived. */
  async health(deploymentId: string, state: string, timeoutMs: number): Promise<{ at: number; envelope: Envelope<'deployment.health-changed'> }> {
    return waitFor(
      `deployment ${deploymentId} to be ${state}`,
      async () => this.healthEvents.find((e) => e.envelope.key === deploymentId && e.envelope.payload.state === state),
      timeoutMs,
      100,
    );
  }
}

export interface DeploymentReport {
  state: string | null;
  reasons: string[];
  measuredAt: string | null;
  measureErrors: string[];
  metrics: PayloadOf<'deployment.health-changed'>['metrics'];
  lag: { topic: string; group: string; records: number; seconds: number; partitions: { partition: number; end: string; groupOffset: string | null; tableOffset: string | null; records: number | null; groupRecords: number | null; seconds: number | null }[] }[];
  checkpoints: { jobId: string | null; jobState: string | null; completed: number; failed: number } | null;
  tables: { table: string; snapshotId: string | null; ageMs: number | null }[];
}

export function microbatchPlan(topic: string, group: string, delivery: 'exactly_once' | 'at_least_once', table = { catalog: 'matih', namespace: ['monitor_test'], name: `t_${randomUUID().slice(0, 8)}` }): PayloadOf<'microbatch.assign'>['plan'] {
  return {
    engine: 'microbatch',
    sources: [
      {
        name: 'events',
        topic,
        consumerGroup: group,
        format: 'json',
        connection: { bootstrapServers: brokers, securityProtocol: 'PLAINTEXT', sasl: null, ssl: null },
        schemaRegistry: null,
        startOffset: { mode: 'earliest' },
        deadLetterTopic: `${topic}.dlq`,
      },
    ],
    stages: [],
    sinks: [{ name: 'lake', input: 'events', table, catalog: localCatalog(table.catalog), mode: 'append', columns: [{ name: 'value', type: 'string', required: false }], partitionBy: [] }],
    delivery,
    maxRecords: 1000,
    pollTimeoutMs: 1000,
    idleTimeoutMs: 60_000,
    errorBudget: 0,
    secrets: [],
  };
}

/** The local stack's JDBC catalog as a plan names it. */
export function localCatalog(name: string) {
  return { name, type: 'jdbc' as const, uri: 'jdbc:postgresql://127.0.0.1:15432/matih', warehouse: 'file:///unused', user: 'matih', password: { env: 'MATIH_ICEBERG_JDBC_PASSWORD' }, properties: {} };
}
