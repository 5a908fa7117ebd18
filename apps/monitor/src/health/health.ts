import type { HEALTH_STATES } from '@matih/contracts';
import type { Thresholds } from './thresholds';

export type HealthState = (typeof HEALTH_STATES)[number];
export type Severity = 'info' | 'warning' | 'critical';

/** What the monitor saw of one running deployment at one moment. */
export interface Observation {
  readonly engine: 'flink' | 'microbatch';
  /** ms since the deployment was first seen running (progress cannot be judged before a stall window passed) */
  readonly runningForMs: number;
  /** records behind (the table's offsets for exactly-once micro-batch, the group's otherwise); null: not measured */
  readonly lagRecords: number | null;
  readonly lagSeconds: number | null;
  /** ms since the consumed position last moved while there was lag (null: no lag, or not measured) */
  readonly stuckForMs: number | null;
  /** micro-batch: ms since the last heartbeat of any instance (null: none yet) */
  readonly heartbeatAgeMs: number | null;
  /** ms since the last completed checkpoint (Flink) or committed batch (micro-batch); null: none yet */
  readonly progressAgeMs: number | null;
  /** Flink: the job's state; null when not found */
  readonly jobState: string | null;
  /** Flink: checkpoints failed since the last completed one */
  readonly consecutiveCheckpointFailures: number | null;
  /** Flink: the checkpoint interval, when the plan sets one */
  readonly checkpointIntervalMs: number | null;
  /** why the engine reported the deployment failed (executor.failed, job.failed) */
  readonly engineFailure: string | null;
  readonly tableFreshnessMs: number | null;
}

export interface Verdict {
  readonly state: HealthState;
  readonly reasons: readonly string[];
}

const FAILED_JOB_STATES = new Set(['FAILED', 'FAILING', 'CANCELED', 'CANCELLING', 'RESTARTING', 'SUSPENDED']);

const seconds = (ms: number) => `${Math.round(ms / 100) / 10}s`;

/**
 * The health of a running deployment: the worst state any signal points to, with every reason for it.
 * failing — the engine failed or keeps failing (job failed/restarting, checkpoints failing in a row);
 * stalled — it is not making progress (no heartbeat, no checkpoint, consumed position stuck behind);
 * lagging — it progresses but is too far behind (records, seconds, or a stale table);
 * healthy — none of these.
 */
export function judge(o: Observation, t: Thresholds): Verdict {
  const failing: string[] = [];
  const stalled: string[] = [];
  const lagging: string[] = [];

  if (o.engineFailure) failing.push(`the engine reported a failure: ${o.engineFailure}`);
  if (o.engine === 'flink') {
    if (o.jobState && FAILED_JOB_STATES.has(o.jobState)) failing.push(`the Flink job is ${o.jobState}`);
    if (o.consecutiveCheckpointFailures !== null && o.consecutiveCheckpointFailures >= t.checkpointFailures) {
      failing.push(`${o.consecutiveCheckpointFailures} checkpoints failed in a row (threshold ${t.checkpointFailures})`);
    }
    if (o.jobState === null && o.runningForMs >= t.stalledAfterMs) stalled.push('no Flink job of this deployment is known to the cluster');
    // a job takes checkpoints every interval: allow three intervals before calling it stalled
    const window = Math.max(t.stalledAfterMs, 3 * (o.checkpointIntervalMs ?? 0));
    if (o.jobState === 'RUNNING' && o.runningForMs >= window && (o.progressAgeMs === null || o.progressAgeMs >= window)) {
      stalled.push(
        o.progressAgeMs === null ? `no checkpoint completed in ${seconds(o.runningForMs)}` : `no checkpoint completed for ${seconds(o.progressAgeMs)} (threshold ${seconds(window)})`,
      );
    }
  } else {
    const age = o.heartbeatAgeMs ?? (o.runningForMs >= t.stalledAfterMs ? o.runningForMs : null);
    if (age !== null && age >= t.stalledAfterMs) {
      stalled.push(
        o.heartbeatAgeMs === null
          ? `no executor heartbeat in ${seconds(o.runningForMs)}`
          : `no executor heartbeat for ${seconds(o.heartbeatAgeMs)} (threshold ${seconds(t.stalledAfterMs)})`,
      );
    }
  }
  if (o.stuckForMs !== null && o.stuckForMs >= t.stalledAfterMs) {
    stalled.push(`the consumed position has not moved for ${seconds(o.stuckForMs)} while ${o.lagRecords ?? '?'} records wait (threshold ${seconds(t.stalledAfterMs)})`);
  }
  if (o.lagRecords !== null && o.lagRecords > t.lagRecords) lagging.push(`${o.lagRecords} records behind (threshold ${t.lagRecords})`);
  if (o.lagSeconds !== null && o.lagSeconds > t.lagSeconds) lagging.push(`${Math.round(o.lagSeconds)} s behind (threshold ${t.lagSeconds} s)`);
  if (t.tableFreshnessMs !== null && o.tableFreshnessMs !== null && o.tableFreshnessMs > t.tableFreshnessMs) {
    lagging.push(`the newest table snapshot is ${seconds(o.tableFreshnessMs)} old (threshold ${seconds(t.tableFreshnessMs)})`);
  }

  if (failing.length > 0) return { state: 'failing', reasons: [...failing, ...stalled, ...lagging] };
  if (stalled.length > 0) return { state: 'stalled', reasons: [...stalled, ...lagging] };
  if (lagging.length > 0) return { state: 'lagging', reasons: lagging };
  return { state: 'healthy', reasons: [] };
}

/** How loud a change is: worse states are alerts (critical when failing or stalled), a recovery is info. */
export function severityOf(state: HealthState): Severity {
  if (state === 'failing' || state === 'stalled') return 'critical';
  if (state === 'lagging') return 'warning';
  return 'info';
}
