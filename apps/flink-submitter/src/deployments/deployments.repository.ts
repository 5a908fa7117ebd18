import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { decodeEnvelope, MESSAGES, TOPICS } from '@matih/contracts';
import { ROOT_LOGGER } from '@matih/service-host';
import { Kafka, logLevel } from 'kafkajs';
import type { Logger } from 'pino';
import { FLINK_SUBMITTER_CONFIG, type FlinkSubmitterConfig } from '../config';
import { foldEvents, isFlinkEvent, type FlinkEvent, type TrackedDeployment } from './deployment-state';

/**
 * What the submitter knows about each deployment's job, in memory. After a restart it is rebuilt by
 * reading the submitter's own events back from the Flink events topic (job ids, job names, the
 * savepoint paths stops reported); the reconciler then checks it against the jobs Flink runs. No
 * other store: the events topic is already the durable record the registry reads.
 */
@Injectable()
export class DeploymentsRepository {
  private readonly tracked = new Map<string, TrackedDeployment>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private markReady: () => void = () => undefined;
  /** settles once the state has been rebuilt at start-up: commands wait for it */
  readonly ready = new Promise<void>((resolve) => (this.markReady = resolve));

  constructor(
    @Inject(FLINK_SUBMITTER_CONFIG) private readonly config: FlinkSubmitterConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  /** The state is rebuilt (or could not be, and will be learnt from Flink and new commands). */
  rebuilt(): void {
    this.markReady();
  }

  get(deploymentId: string): TrackedDeployment | undefined {
    return this.tracked.get(deploymentId);
  }

  all(): TrackedDeployment[] {
    return [...this.tracked.values()];
  }

  save(deployment: TrackedDeployment): TrackedDeployment {
    this.tracked.set(deployment.deploymentId, deployment);
    return deployment;
  }

  /** Run `work` with no other work on the same deployment in flight (submit, stop and reconcile take turns). */
  withLock<T>(deploymentId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(deploymentId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    const settled = next.catch(() => undefined);
    this.locks.set(deploymentId, settled);
    void settled.then(() => {
      if (this.locks.get(deploymentId) === settled) this.locks.delete(deploymentId);
    });
    return next;
  }

  /**
   * Read the Flink events topic from its beginning to its current end (a throwaway consumer group,
   * deleted afterwards) and fold the events into the tracked state.
   */
  async rebuildFromEvents(timeoutMs = 60_000): Promise<number> {
    const topic = MESSAGES['job.submitted'].topic;
    const kafka = new Kafka({ clientId: 'matih-flink-submitter-replay', brokers: [...this.config.MATIH_KAFKA_BROKERS], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const groupId = `matih.flink-submitter.replay-${randomUUID()}`;
    const events: FlinkEvent[] = [];
    try {
      if (!(await admin.listTopics()).includes(topic)) return 0;
      const ends = new Map(
        (await admin.fetchTopicOffsets(topic)).filter((p) => BigInt(p.high) > BigInt(p.low)).map((p) => [p.partition, BigInt(p.high)]),
      );
      if (ends.size > 0) {
        const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
        await consumer.connect();
        try {
          await consumer.subscribe({ topic, fromBeginning: true });
          const remaining = new Set(ends.keys());
          await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`replaying ${topic} took longer than ${timeoutMs} ms`)), timeoutMs);
            consumer
              .run({
                autoCommit: false,
                eachMessage: async ({ partition, message }) => {
                  const decoded = decodeEnvelope(TOPICS.flinkEvents, message.value);
                  if (decoded.ok && isFlinkEvent(decoded.envelope)) events.push(decoded.envelope);
                  if (BigInt(message.offset) + 1n >= (ends.get(partition) ?? 0n)) remaining.delete(partition);
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
        }
        await admin.deleteGroups([groupId]).catch(() => undefined);
      }
    } finally {
      await admin.disconnect();
    }
    // a deployment's events share its key, hence one partition: they were read in the order written
    const rebuilt = foldEvents(events);
    for (const [id, deployment] of rebuilt) if (!this.tracked.has(id)) this.tracked.set(id, deployment);
    this.logger.info({ events: events.length, deployments: rebuilt.size }, 'flink-submitter state rebuilt from its events');
    return events.length;
  }
}
