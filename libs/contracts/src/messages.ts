import { z } from 'zod';
import { flinkPlanSchema, microbatchPlanSchema, planSchema } from './plans';
import { TOPICS, type TopicName } from './topics';

interface MessageDefinition<Topic extends TopicName, Payload extends z.ZodType> {
  readonly topic: Topic;
  readonly version: number;
  readonly kind: 'command' | 'event';
  readonly payload: Payload;
}

function define<Topic extends TopicName, Payload extends z.ZodType>(
  def: MessageDefinition<Topic, Payload>,
): MessageDefinition<Topic, Payload> {
  return def;
}

const serviceName = z.string().regex(/^[a-z][a-z0-9-]*$/, 'a service name in kebab-case');

/** Which deployment, of which pipeline version, a message is about. */
const deployment = {
  deploymentId: z.uuid(),
  pipeline: z.string().min(1),
  version: z.string().min(1),
};
const engine = z.enum(['flink', 'microbatch']);

export const DEPLOYMENT_STATES = ['requested', 'compiling', 'submitting', 'running', 'stopping', 'stopped', 'paused', 'failed'] as const;

/** How a running deployment is doing, as the monitor judges it (worst first: failing, stalled, lagging). */
export const HEALTH_STATES = ['healthy', 'lagging', 'stalled', 'failing'] as const;

/** What the monitor measured when it judged a deployment's health (null: not measured for this engine). */
const healthMetrics = z.strictObject({
  lagRecords: z.number().int().min(0).nullable(),
  lagSeconds: z.number().min(0).nullable(),
  /** records behind per `topic:partition` */
  lagByPartition: z.record(z.string(), z.number().int().min(0)),
  /** ms since the last executor heartbeat (micro-batch) */
  heartbeatAgeMs: z.number().min(0).nullable(),
  /** ms since the last completed Flink checkpoint or committed batch */
  progressAgeMs: z.number().min(0).nullable(),
  checkpointFailures: z.number().int().min(0).nullable(),
  jobState: z.string().nullable(),
  /** ms since the newest snapshot of the freshest sink table */
  tableFreshnessMs: z.number().min(0).nullable(),
});

/**
 * Every message the control plane carries: its topic, version and runtime schema.
 * The map is the single source of truth for `publish` and `subscribe` typing.
 */
export const MESSAGES = {
  /** Ask one service (or `*`, every service) to answer with `service.pong`. */
  'service.ping': define({
    topic: TOPICS.serviceCommands,
    version: 1,
    kind: 'command',
    payload: z.strictObject({ target: z.union([serviceName, z.literal('*')]), from: serviceName }),
  }),
  'service.pong': define({
    topic: TOPICS.serviceEvents,
    version: 1,
    kind: 'event',
    payload: z.strictObject({
      service: serviceName,
      instanceId: z.string().min(1),
      startedAt: z.iso.datetime(),
      release: z.string().min(1),
    }),
  }),
  /** A command its consumer could not carry out: a bad payload, an unsupported version, or a handler error. */
  'command.failed': define({
    topic: TOPICS.serviceEvents,
    version: 1,
    kind: 'event',
    payload: z.strictObject({
      service: serviceName,
      commandId: z.string().min(1),
      commandType: z.string().min(1),
      reason: z.string().min(1),
    }),
  }),

  // ── compiling ──────────────────────────────────────────────────────────────────────────────
  /** Compile a normalized definition (as the registry stored it, secrets as references) for an engine. */
  'compile.requested': define({
    topic: TOPICS.compileCommands,
    version: 1,
    kind: 'command',
    payload: z.strictObject({
      ...deployment,
      /** the definition's content hash: the compiler checks the definition against it */
      hash: z.string().regex(/^[0-9a-f]{64}$/),
      target: engine,
      definition: z.record(z.string(), z.unknown()),
    }),
  }),
  'plan.compiled': define({
    topic: TOPICS.compileEvents,
    version: 1,
    kind: 'event',
    payload: z.strictObject({ ...deployment, hash: z.string(), plan: planSchema }),
  }),
  'compilation.failed': define({
    topic: TOPICS.compileEvents,
    version: 1,
    kind: 'event',
    payload: z.strictObject({
      ...deployment,
      diagnostics: z.array(z.strictObject({ message: z.string(), path: z.string().nullable() })).min(1),
    }),
  }),

  // ── Flink ──────────────────────────────────────────────────────────────────────────────────
  /** Start the plan's job, from a savepoint or retained checkpoint when given. */
  'flink.job.submit': define({
    topic: TOPICS.flinkCommands,
    version: 1,
    kind: 'command',
    payload: z.strictObject({ ...deployment, plan: flinkPlanSchema, restoreFrom: z.string().min(1).nullable() }),
  }),
  /** Stop a deployment's job: with a savepoint (to resume or upgrade later) or by cancelling it. */
  'flink.job.stop': define({
    topic: TOPICS.flinkCommands,
    version: 1,
    kind: 'command',
    payload: z.strictObject({ ...deployment, mode: z.enum(['savepoint', 'cancel']) }),
  }),
  'job.submitted': define({
    topic: TOPICS.flinkEvents,
    version: 1,
    kind: 'event',
    payload: z.strictObject({ ...deployment, jobId: z.string().min(1), jobName: z.string().min(1) }),
  }),
  'job.running': define({
    topic: TOPICS.flinkEvents,
    version: 1,
    kind: 'event',
    payload: z.strictObject({ ...deployment, jobId: z.string().min(1) }),
  }),
  'job.failed': define({
    topic: TOPICS.flinkEvents,
    version: 1,
    kind: 'event',
    payload: z.strictObject({ ...deployment, jobId: z.string().nullable(), reason: z.string().min(1) }),
  }),
  'job.stopped': define({
    topic: TOPICS.flinkEvents,
    version: 1,
    kind: 'event',
    payload: z.strictObject({ ...deployment, jobId: z.string().min(1), savepointPath: z.string().nullable() }),
  }),

  // ── micro-batch ────────────────────────────────────────────────────────────────────────────
  /** Run the plan: every executor instance joins the source's consumer group and takes a share. */
  'microbatch.assign': define({
    topic: TOPICS.microbatchCommands,
    version: 1,
    kind: 'command',
    payload: z.strictObject({ ...deployment, plan: microbatchPlanSchema }),
  }),
  /** Stop running a deployment: finish and commit the batch in hand, then leave the group. */
  'microbatch.release': define({
    topic: TOPICS.microbatchCommands,
    version: 1,
    kind: 'command',
    payload: z.strictObject({ ...deployment, reason: z.string().min(1) }),
  }),
  'executor.started': define({
    topic: TOPICS.microbatchEvents,
    version: 1,
    kind: 'event',
    payload: z.strictObject({ ...deployment, instanceId: z.string().min(1) }),
  }),
  'batch.committed': define({
    topic: TOPICS.microbatchEvents,
    version: 1,
    kind: 'event',
    payload: z.strictObject({
      ...deployment,
      instanceId: z.string().min(1),
      records: z.number().int().min(0),
      rows: z.number().int().min(0),
      deadLetters: z.number().int().min(0),
      snapshotId: z.string().nullable(),
      /** next offset to read per `topic:partition` */
      offsets: z.record(z.string(), z.string()),
      durationMs: z.number().min(0),
    }),
  }),
  'executor.heartbeat': define({
    topic: TOPICS.microbatchEvents,
    version: 1,
    kind: 'event',
    payload: z.strictObject({
      ...deployment,
      instanceId: z.string().min(1),
      partitions: z.array(z.string()),
      recordsSinceLast: z.number().int().min(0),
    }),
  }),
  'executor.failed': define({
    topic: TOPICS.microbatchEvents,
    version: 1,
    kind: 'event',
    payload: z.strictObject({ ...deployment, instanceId: z.string().min(1), reason: z.string().min(1) }),
  }),
  'executor.stopped': define({
    topic: TOPICS.microbatchEvents,
    version: 1,
    kind: 'event',
    payload: z.strictObject({ ...deployment, instanceId: z.string().min(1) }),
  }),

  // ── deployments (published by the registry) ────────────────────────────────────────────────
  'deployment.changed': define({
    topic: TOPICS.deploymentEvents,
    version: 1,
    kind: 'event',
    payload: z.strictObject({
      ...deployment,
      owner: z.string().min(1),
      engine,
      state: z.enum(DEPLOYMENT_STATES),
      previousState: z.enum(DEPLOYMENT_STATES).nullable(),
      reason: z.string().nullable(),
    }),
  }),

  // ── monitoring (published by the monitor) ──────────────────────────────────────────────────
  /**
   * A running deployment's health changed. Alerts are folded into this event: a change to a worse
   * state (lagging, stalled, failing) is an alert at `severity` warning or critical; a change back to
   * healthy resolves it (severity info).
   */
  'deployment.health-changed': define({
    topic: TOPICS.monitorEvents,
    version: 1,
    kind: 'event',
    payload: z.strictObject({
      ...deployment,
      engine,
      previous: z.enum(HEALTH_STATES).nullable(),
      state: z.enum(HEALTH_STATES),
      severity: z.enum(['info', 'warning', 'critical']),
      /** why, one sentence each, naming the threshold crossed */
      reasons: z.array(z.string().min(1)),
      metrics: healthMetrics,
    }),
  }),
} as const;

export type MessageType = keyof typeof MESSAGES;
export type PayloadOf<T extends MessageType> = z.infer<(typeof MESSAGES)[T]['payload']>;
export type TopicOf<T extends MessageType> = (typeof MESSAGES)[T]['topic'];
/** The message types carried on one topic. */
export type MessagesOn<Topic extends TopicName> = {
  [K in MessageType]: TopicOf<K> extends Topic ? K : never;
}[MessageType];

export function isMessageType(type: string): type is MessageType {
  return Object.prototype.hasOwnProperty.call(MESSAGES, type);
}
