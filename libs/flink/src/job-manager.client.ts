import { FlinkError, FlinkErrorCode, rootCauseMessage } from './errors';
import { flinkRequest, type HttpOptions } from './http';

export type JobState =
  | 'INITIALIZING'
  | 'CREATED'
  | 'RUNNING'
  | 'FAILING'
  | 'FAILED'
  | 'CANCELLING'
  | 'CANCELED'
  | 'FINISHED'
  | 'RESTARTING'
  | 'SUSPENDED'
  | 'RECONCILING';

/** States after which a job never runs again (SUSPENDED is not one: another JobManager may take it over). */
export const TERMINAL_JOB_STATES: readonly JobState[] = ['FAILED', 'CANCELED', 'FINISHED'];

export function isTerminal(state: JobState): boolean {
  return TERMINAL_JOB_STATES.includes(state);
}

export interface JobSummary {
  readonly id: string;
  readonly name: string;
  readonly state: JobState;
  readonly startTime: number;
}

export interface CheckpointStats {
  readonly completed: number;
  readonly failed: number;
  readonly inProgress: number;
  readonly latestCompleted: {
    readonly id: number;
    readonly finishedAt: number;
    readonly durationMs: number;
    readonly sizeBytes: number;
    readonly externalPath: string | null;
  } | null;
  readonly latestFailure: { readonly id: number; readonly failedAt: number; readonly message: string | null } | null;
  /** the latest savepoint the job took (stop-with-savepoint included) */
  readonly latestSavepoint: { readonly id: number; readonly finishedAt: number; readonly externalPath: string | null } | null;
  /** the checkpoint or savepoint the job last restored from: at its start, or after a failover */
  readonly restored: { readonly id: number; readonly restoredAt: number; readonly isSavepoint: boolean; readonly externalPath: string | null } | null;
}

export interface TaskManagerSummary {
  readonly id: string;
  readonly slots: number;
  readonly freeSlots: number;
  readonly lastHeartbeat: number;
}

interface RawCheckpoints {
  counts: { completed: number; failed: number; in_progress: number };
  latest: {
    completed: null | { id: number; latest_ack_timestamp: number; end_to_end_duration: number; checkpointed_size?: number; state_size?: number; external_path?: string };
    failed: null | { id: number; failure_timestamp: number; failure_message?: string };
    savepoint?: null | { id: number; latest_ack_timestamp: number; external_path?: string };
    restored?: null | { id: number; restore_timestamp: number; is_savepoint: boolean; external_path?: string };
  };
}

interface AsyncOperation {
  status: { id: 'IN_PROGRESS' | 'COMPLETED' };
  operation?: { location?: string; 'failure-cause'?: { 'stack-trace'?: string; class?: string } };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A typed client of the Flink JobManager REST API. */
export class JobManagerClient {
  constructor(
    readonly baseUrl: string,
    private readonly http: HttpOptions = {},
  ) {}

  private call<T>(method: string, path: string, body?: unknown): Promise<T> {
    return flinkRequest<T>(this.baseUrl, method, path, body, this.http);
  }

  overview(): Promise<{ 'flink-version': string; taskmanagers: number; 'slots-total': number; 'slots-available': number }> {
    return this.call('GET', '/overview');
  }

  async jobs(): Promise<JobSummary[]> {
    const { jobs } = await this.call<{ jobs: { jid: string; name: string; state: JobState; 'start-time': number }[] }>('GET', '/jobs/overview');
    return jobs.map((j) => ({ id: j.jid, name: j.name, state: j.state, startTime: j['start-time'] }));
  }

  /** The jobs the cluster knows (running and recently ended) whose name is exactly `name`, newest first. */
  async jobsNamed(name: string): Promise<JobSummary[]> {
    return (await this.jobs()).filter((j) => j.name === name).sort((a, b) => b.startTime - a.startTime);
  }

  /** The job, or null when the cluster does not know it (never ran here, or its history expired). */
  async findJob(jobId: string): Promise<JobSummary | null> {
    try {
      return await this.job(jobId);
    } catch (error) {
      if (error instanceof FlinkError && error.detail.status === 404) return null;
      throw error;
    }
  }

  /** Poll until the job is in one of `states` (or has ended otherwise); returns the state it reached. */
  async waitForState(jobId: string, states: readonly JobState[], timeoutMs = 120_000): Promise<JobSummary> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const job = await this.job(jobId);
      if (states.includes(job.state) || isTerminal(job.state) || Date.now() > deadline) return job;
      await sleep(500);
    }
  }

  async taskManagers(): Promise<TaskManagerSummary[]> {
    const { taskmanagers } = await this.call<{ taskmanagers: { id: string; slotsNumber: number; freeSlots: number; timeSinceLastHeartbeat: number }[] }>(
      'GET',
      '/taskmanagers',
    );
    return taskmanagers.map((t) => ({ id: t.id, slots: t.slotsNumber, freeSlots: t.freeSlots, lastHeartbeat: t.timeSinceLastHeartbeat }));
  }

  async job(jobId: string): Promise<JobSummary> {
    const j = await this.call<{ jid: string; name: string; state: JobState; 'start-time': number }>('GET', `/jobs/${jobId}`);
    return { id: j.jid, name: j.name, state: j.state, startTime: j['start-time'] };
  }

  /**
   * Why the job failed or restarted last: the root cause of its latest exception, as Flink wrote it
   * (e.g. "Connection to 127.0.0.1:9092 refused"), or null when it has none.
   */
  async rootException(jobId: string): Promise<string | null> {
    const body = await this.call<{ 'root-exception'?: string | null; exceptionHistory?: { entries?: { exceptionName: string; stacktrace: string }[] } }>(
      'GET',
      `/jobs/${jobId}/exceptions?maxExceptions=1`,
    );
    const latest = body.exceptionHistory?.entries?.[0];
    const trace = body['root-exception'] ?? latest?.stacktrace ?? null;
    return trace ? rootCauseMessage([trace]) : null;
  }

  async cancel(jobId: string): Promise<void> {
    await this.call('PATCH', `/jobs/${jobId}?mode=cancel`);
  }

  async checkpoints(jobId: string): Promise<CheckpointStats> {
    const raw = await this.call<RawCheckpoints>('GET', `/jobs/${jobId}/checkpoints`);
    const c = raw.latest.completed;
    const f = raw.latest.failed;
    const s = raw.latest.savepoint ?? null;
    const r = raw.latest.restored ?? null;
    return {
      completed: raw.counts.completed,
      failed: raw.counts.failed,
      inProgress: raw.counts.in_progress,
      latestCompleted: c
        ? {
            id: c.id,
            finishedAt: c.latest_ack_timestamp,
            durationMs: c.end_to_end_duration,
            sizeBytes: c.checkpointed_size ?? c.state_size ?? 0,
            externalPath: c.external_path ?? null,
          }
        : null,
      latestFailure: f ? { id: f.id, failedAt: f.failure_timestamp, message: f.failure_message ?? null } : null,
      latestSavepoint: s ? { id: s.id, finishedAt: s.latest_ack_timestamp, externalPath: s.external_path ?? null } : null,
      restored: r ? { id: r.id, restoredAt: r.restore_timestamp, isSavepoint: r.is_savepoint, externalPath: r.external_path ?? null } : null,
    };
  }

  /** Stop the job with a savepoint (optionally draining: event time jumps to the end); returns its path. */
  async stopWithSavepoint(jobId: string, options: { targetDirectory?: string; drain?: boolean; timeoutMs?: number } = {}): Promise<string> {
    const { 'request-id': trigger } = await this.call<{ 'request-id': string }>('POST', `/jobs/${jobId}/stop`, {
      drain: options.drain ?? false,
      ...(options.targetDirectory ? { targetDirectory: options.targetDirectory } : {}),
    });
    return this.awaitSavepoint(jobId, trigger, options.timeoutMs ?? 120_000);
  }

  /** Take a savepoint and keep the job running; returns its path. */
  async triggerSavepoint(jobId: string, options: { targetDirectory?: string; timeoutMs?: number } = {}): Promise<string> {
    const { 'request-id': trigger } = await this.call<{ 'request-id': string }>('POST', `/jobs/${jobId}/savepoints`, {
      'cancel-job': false,
      ...(options.targetDirectory ? { 'target-directory': options.targetDirectory } : {}),
    });
    return this.awaitSavepoint(jobId, trigger, options.timeoutMs ?? 120_000);
  }

  private async awaitSavepoint(jobId: string, trigger: string, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const op = await this.call<AsyncOperation>('GET', `/jobs/${jobId}/savepoints/${trigger}`);
      if (op.status.id === 'COMPLETED') {
        if (op.operation?.location) return op.operation.location;
        const trace = op.operation?.['failure-cause']?.['stack-trace'] ?? 'unknown cause';
        throw new FlinkError(FlinkErrorCode.Rejected, `savepoint of job ${jobId} failed: ${trace.split('\n')[0]}`, { request: `savepoint ${trigger}` });
      }
      await sleep(500);
    }
    throw new FlinkError(FlinkErrorCode.Timeout, `savepoint of job ${jobId} did not complete within ${timeoutMs} ms`);
  }
}
