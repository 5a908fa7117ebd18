import { Inject, Injectable } from '@nestjs/common';
import { ROOT_LOGGER } from '@matih/service-host';
import type { Logger } from 'pino';
import { foldEvents, type FlinkEvent, type TrackedDeployment } from './deployment-state';

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

  constructor(@Inject(ROOT_LOGGER) private readonly logger: Logger) {}

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
   * Fold the submitter's own events, read back from the Flink events topic, into the tracked state
   * (deployments already tracked keep what they have).
   */
  rebuildFrom(events: readonly FlinkEvent[]): number {
    // a deployment's events share its key, hence one partition: they were read in the order written
    const rebuilt = foldEvents(events);
    for (const [id, deployment] of rebuilt) if (!this.tracked.has(id)) this.tracked.set(id, deployment);
    this.logger.info({ events: events.length, deployments: rebuilt.size }, 'flink-submitter state rebuilt from its events');
    return events.length;
  }
}
