import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Inject, Injectable } from '@nestjs/common';
import { FlinkError, FlinkErrorCode, isTerminal, JobManagerClient, SqlGatewayClient, type JobState, type JobSummary } from '@matih/flink';
import { FLINK_SUBMITTER_CONFIG, type FlinkSubmitterConfig } from '../config';

export interface Script {
  readonly setup: readonly string[];
  readonly job: string;
}

export interface RestorePoint {
  readonly path: string;
  readonly kind: 'savepoint' | 'checkpoint';
  readonly takenAt: number;
}

/** The Flink cluster as the submitter uses it: the SQL Gateway to start jobs, the JobManager for the rest. */
@Injectable()
export class FlinkClusterRepository {
  readonly gateway: SqlGatewayClient;
  readonly jobManager: JobManagerClient;

  constructor(@Inject(FLINK_SUBMITTER_CONFIG) private readonly config: FlinkSubmitterConfig) {
    this.gateway = new SqlGatewayClient(config.MATIH_FLINK_GATEWAY_URL);
    this.jobManager = new JobManagerClient(config.MATIH_FLINK_REST_URL);
  }

  jobs(): Promise<JobSummary[]> {
    return this.jobManager.jobs();
  }

  /** The job of this name that has not ended, if there is one. */
  async liveJobNamed(name: string): Promise<JobSummary | null> {
    return (await this.jobManager.jobsNamed(name)).find((j) => !isTerminal(j.state)) ?? null;
  }

  /** Jobs whose name carries the deployment id, newest first. */
  async jobsOfDeployment(deploymentId: string): Promise<JobSummary[]> {
    return (await this.jobs()).filter((j) => j.name.includes(deploymentId)).sort((a, b) => b.startTime - a.startTime);
  }

  findJob(jobId: string): Promise<JobSummary | null> {
    return this.jobManager.findJob(jobId);
  }

  /**
   * Open a gateway session with `properties`, run the setup statements in order and then the job
   * statement; returns the id of the job it started. The session is closed afterwards (the job runs
   * on the cluster on its own); while statements run, it is kept alive with heartbeats.
   */
  async runScript(sessionName: string, properties: Record<string, string>, script: Script): Promise<string> {
    const session = await this.gateway.openSession(properties, sessionName);
    const heartbeat = setInterval(() => void session.heartbeat().catch(() => undefined), 30_000);
    const timeoutMs = this.config.MATIH_FLINK_STATEMENT_TIMEOUT_MS;
    try {
      for (const statement of script.setup) await session.execute(statement, { timeoutMs });
      const { jobId } = await session.execute(script.job, { timeoutMs });
      if (!jobId) throw new FlinkError(FlinkErrorCode.StatementFailed, 'the job statement ran but started no Flink job: it must be an INSERT INTO … or EXECUTE STATEMENT SET');
      return jobId;
    } finally {
      clearInterval(heartbeat);
      await session.close();
    }
  }

  /** Wait until the job runs (or ends, or the time is up); returns where it got to. */
  awaitState(jobId: string, states: readonly JobState[], timeoutMs: number): Promise<JobSummary> {
    return this.jobManager.waitForState(jobId, states, timeoutMs);
  }

  /** Why the job failed, in Flink's words. */
  async failureReason(job: JobSummary): Promise<string> {
    const cause = await this.jobManager.rootException(job.id).catch(() => null);
    return `Flink job ${job.id} is ${job.state}${cause ? `: ${cause}` : ''}`;
  }

  async stopWithSavepoint(jobId: string, targetDirectory: string | undefined): Promise<string> {
    return this.jobManager.stopWithSavepoint(jobId, { targetDirectory, timeoutMs: this.config.MATIH_FLINK_STOP_TIMEOUT_MS });
  }

  async cancel(jobId: string): Promise<JobSummary> {
    await this.jobManager.cancel(jobId);
    return this.jobManager.waitForState(jobId, ['CANCELED'], this.config.MATIH_FLINK_STOP_TIMEOUT_MS);
  }

  /**
   * The newest retained checkpoint or savepoint of a job: from the JobManager while it remembers the
   * job, else from the checkpoint directory when it is a local one (`<dir>/<jobId>/chk-<n>`).
   */
  async latestRestorePoint(jobId: string): Promise<RestorePoint | null> {
    const stats = await this.jobManager.checkpoints(jobId).catch((error: unknown) => {
      if (error instanceof FlinkError && error.detail.status === 404) return null;
      throw error;
    });
    const candidates: RestorePoint[] = [];
    if (stats?.latestCompleted?.externalPath) candidates.push({ path: stats.latestCompleted.externalPath, kind: 'checkpoint', takenAt: stats.latestCompleted.finishedAt });
    if (stats?.latestSavepoint?.externalPath) candidates.push({ path: stats.latestSavepoint.externalPath, kind: 'savepoint', takenAt: stats.latestSavepoint.finishedAt });
    if (candidates.length === 0) candidates.push(...this.checkpointsOnDisk(jobId));
    return candidates.sort((a, b) => b.takenAt - a.takenAt)[0] ?? null;
  }

  private checkpointsOnDisk(jobId: string): RestorePoint[] {
    const dir = this.config.MATIH_FLINK_CHECKPOINT_DIR;
    if (!dir?.startsWith('file:')) return [];
    const jobDir = path.join(fileURLToPath(dir), jobId);
    let entries: string[];
    try {
      entries = fs.readdirSync(jobDir).filter((e) => /^chk-\d+$/.test(e) && fs.existsSync(path.join(jobDir, e, '_metadata')));
    } catch {
      return [];
    }
    return entries.map((e) => ({ path: `file:${path.join(jobDir, e)}`, kind: 'checkpoint' as const, takenAt: fs.statSync(path.join(jobDir, e, '_metadata')).mtimeMs }));
  }
}
