import type { JobSummary } from '@matih/flink';
import type { TrackedDeployment } from '../deployments/deployment-state';

export type ReconcileAction =
  | { readonly kind: 'none' }
  /** the job runs and that was not reported yet */
  | { readonly kind: 'running'; readonly jobId: string }
  /** the job died, ended on its own, was cancelled behind our back, or the cluster forgot it */
  | { readonly kind: 'failed'; readonly jobId: string; readonly job: JobSummary | null; readonly reason: string };

/**
 * What to report about a deployment, given what the submitter last said about it and what Flink says
 * now. Only jobs the submitter believes are live are checked; a restarting job is left alone (Flink
 * recovers it from its latest checkpoint).
 */
export function reconcileAction(tracked: TrackedDeployment, job: JobSummary | null): ReconcileAction {
  if ((tracked.status !== 'submitted' && tracked.status !== 'running') || tracked.jobId === null) return { kind: 'none' };
  const jobId = tracked.jobId;
  if (job === null) {
    return { kind: 'failed', jobId, job, reason: `Flink job ${jobId} is no longer known to the cluster (the JobManager restarted without it, or it ended long ago)` };
  }
  switch (job.state) {
    case 'RUNNING':
      return tracked.status === 'submitted' ? { kind: 'running', jobId } : { kind: 'none' };
    case 'FAILED':
      return { kind: 'failed', jobId, job, reason: `Flink job ${jobId} failed` };
    case 'CANCELED':
      return { kind: 'failed', jobId, job, reason: `Flink job ${jobId} was cancelled outside MATIH` };
    case 'FINISHED':
      return { kind: 'failed', jobId, job, reason: `Flink job ${jobId} finished on its own, but a streaming pipeline's job should not end` };
    default:
      return { kind: 'none' };
  }
}
