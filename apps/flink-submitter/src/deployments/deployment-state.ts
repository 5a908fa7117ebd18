import type { Envelope } from '@matih/contracts';

/** Where a deployment's Flink job is, as far as the submitter knows. */
export type TrackedStatus = 'submitting' | 'submitted' | 'running' | 'stopping' | 'stopped' | 'failed';

/**
 * The little the submitter keeps per deployment. It is never stored on its own: it is the fold of
 * the submitter's own events on the Flink events topic, checked against the jobs Flink runs.
 */
export interface TrackedDeployment {
  readonly deploymentId: string;
  readonly pipeline: string;
  readonly version: string;
  readonly jobName: string | null;
  readonly jobId: string | null;
  readonly status: TrackedStatus;
  /** the latest savepoint a stop took */
  readonly lastSavepoint: string | null;
}

export type FlinkEvent = Envelope<'job.submitted' | 'job.running' | 'job.failed' | 'job.stopped'>;

export const FLINK_EVENT_TYPES: readonly FlinkEvent['type'][] = ['job.submitted', 'job.running', 'job.failed', 'job.stopped'];

export function isFlinkEvent(envelope: Envelope): envelope is FlinkEvent {
  return (FLINK_EVENT_TYPES as readonly string[]).includes(envelope.type);
}

/** The state after one more event (events for another job of the deployment than the tracked one update only what they own). */
export function applyEvent(current: TrackedDeployment | undefined, event: FlinkEvent): TrackedDeployment {
  const { deploymentId, pipeline, version } = event.payload;
  const base: TrackedDeployment = current ?? { deploymentId, pipeline, version, jobName: null, jobId: null, status: 'submitting', lastSavepoint: null };
  switch (event.type) {
    case 'job.submitted':
      return { ...base, pipeline, version, jobId: event.payload.jobId, jobName: event.payload.jobName, status: 'submitted' };
    case 'job.running':
      if (base.jobId !== null && base.jobId !== event.payload.jobId) return base;
      return { ...base, jobId: event.payload.jobId, status: 'running' };
    case 'job.failed':
      if (base.jobId !== null && event.payload.jobId !== null && base.jobId !== event.payload.jobId) return base;
      return { ...base, status: 'failed' };
    case 'job.stopped':
      return {
        ...base,
        status: base.jobId === null || base.jobId === event.payload.jobId ? 'stopped' : base.status,
        lastSavepoint: event.payload.savepointPath ?? base.lastSavepoint,
      };
  }
}

/** Fold events (in the order they were written) into the state of every deployment they name. */
export function foldEvents(events: Iterable<FlinkEvent>, into = new Map<string, TrackedDeployment>()): Map<string, TrackedDeployment> {
  for (const event of events) into.set(event.payload.deploymentId, applyEvent(into.get(event.payload.deploymentId), event));
  return into;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** The deployment id a job name carries (the compiler puts it there), or null. */
export function deploymentIdOf(jobName: string): string | null {
  return UUID.exec(jobName)?.[0]?.toLowerCase() ?? null;
}
