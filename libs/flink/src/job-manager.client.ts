import { FlinkError, FlinkErrorCode } from './errors';
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
}

interface RawCheckpoints {
  counts: { completed: number; failed: number; in_progress: number };
  latest: {
    completed: null | { id: number; latest_ack_timestamp: number; end_to_end_duration: number; checkpointed_size?: number; state_size?: number; external_path?: string };
    failed: null | { id: number; failure_timestamp: number; failure_message?: string };
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

  async job(jobId: string): Promise<JobSummary> {
    const j = await this.call<{ jid: string; name: string; state: JobState; 'start-time': number }>('GET', `/jobs/${jobId}`);
    return { id: j.jid, name: j.name, state: j.state, startTime: j['start-time'] };
  }

  /** The job's root exception, when it failed or is restarting. */
  async rootException(jobId: string): Promise<string | null> {
    const body = await this.call<{ 'root-exception'?: string | null; exceptionHistory?: { entries?: { exceptionName: string; stacktrace: string }[] } }>(
      'GET',
      `/jobs/${jobId}/exceptions?maxExceptions=1`,
    );
    const latest = body.exceptionHistory?.entries?.[0];
    const trace = body['root-exception'] ?? latest?.stacktrace ?? null;
    return trace ? trace.split('\n')[0] ?? trace : null;
  }

  async cancel(jobId: string): Promise<void> {
    await this.call('PATCH', `/jobs/${jobId}?mode=cancel`);
  }

  async checkpoints(jobId: string): Promise<CheckpointStats> {
    const raw = await this.call<RawCheckpoints>('GET', `/jobs/${jobId}/checkpoints`);
    const c = raw.latest.completed;
    const f = raw.latest.failed;
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
