import { Inject, Injectable } from '@nestjs/common';
import { ControlPlane, type MessageContext } from '@matih/control-plane';
import type { Envelope, PayloadOf } from '@matih/contracts';
import { isTerminal } from '@matih/flink';
import { maskSecrets, resolvePlanSecrets, type ResolvedStatements } from '@matih/planner';
import { FLINK_SUBMITTER_CONFIG, type FlinkSubmitterConfig } from '../config';
import type { FlinkEvent, TrackedDeployment } from '../deployments/deployment-state';
import { DeploymentsRepository } from '../deployments/deployments.repository';
import { FlinkClusterRepository } from '../flink-cluster/flink-cluster.repository';
import { SinkTablesRepository } from '../sink-tables/sink-tables.repository';
import { sessionProperties } from './session-settings';
import { SubmissionError, SubmissionErrorCode } from './submission.errors';

/** `restoreFrom` value meaning "the newest retained checkpoint or savepoint of the deployment's last job". */
export const RESTORE_LATEST = 'latest';

/**
 * Runs `flink.job.submit` and `flink.job.stop`: opens a SQL Gateway session with the plan's settings,
 * runs its script, reports the job's id and whether it runs; stops a job with a savepoint or cancels it.
 * A submission of a job that already runs (same name) adopts it rather than starting a second copy.
 */
@Injectable()
export class SubmissionService {
  constructor(
    private readonly controlPlane: ControlPlane,
    private readonly cluster: FlinkClusterRepository,
    private readonly deployments: DeploymentsRepository,
    private readonly sinkTables: SinkTablesRepository,
    @Inject(FLINK_SUBMITTER_CONFIG) private readonly config: FlinkSubmitterConfig,
  ) {
    controlPlane.on('flink.job.submit', (envelope, ctx) => this.submit(envelope, ctx));
    controlPlane.on('flink.job.stop', (envelope, ctx) => this.stop(envelope, ctx));
  }

  async submit(command: Envelope<'flink.job.submit'>, ctx: MessageContext): Promise<void> {
    const { deploymentId, pipeline, version, plan, restoreFrom } = command.payload;
    const ref = { deploymentId, pipeline, version };
    const logger = ctx.logger.child({ deploymentId, pipeline, jobName: plan.jobName });
    await this.deployments.ready;
    await this.deployments.withLock(deploymentId, async () => {
      const publish = this.publisher(command);

      // 1. the job may already run: a redelivered command, or a submitter that restarted mid-way
      const live = await this.cluster.liveJobNamed(plan.jobName);
      if (live) {
        const known = this.deployments.get(deploymentId);
        if (known && known.jobId === live.id && known.version !== version) {
          throw new SubmissionError(
            SubmissionErrorCode.AlreadyRunning,
            `deployment ${deploymentId} already runs version ${known.version} as Flink job ${live.id}: stop it with a savepoint, then submit version ${version} from that savepoint`,
          );
        }
        logger.info({ jobId: live.id, state: live.state }, 'job already runs on the cluster: adopting it, not submitting a second copy');
        this.track({ ...ref, jobName: plan.jobName, jobId: live.id, status: live.state === 'RUNNING' ? 'running' : 'submitted' });
        await publish('job.submitted', { ...ref, jobId: live.id, jobName: plan.jobName });
        if (live.state === 'RUNNING') await publish('job.running', { ...ref, jobId: live.id });
        return;
      }

      // 2. settings, secrets and where to start from; any problem is the submission's failure
      let script: ResolvedStatements | undefined;
      let jobId: string | null = null;
      try {
        script = this.resolveSecrets(plan);
        const restorePath = restoreFrom === RESTORE_LATEST ? await this.latestRestorePath(deploymentId) : restoreFrom;
        const properties = sessionProperties(plan, {
          restorePath,
          checkpointDir: this.config.MATIH_FLINK_CHECKPOINT_DIR,
          savepointDir: this.config.MATIH_FLINK_SAVEPOINT_DIR,
        });
        this.track({ ...ref, jobName: plan.jobName, jobId: null, status: 'submitting' });
        logger.info({ restorePath, statements: plan.setup.length + 1, properties: redactProperties(properties, script.values) }, 'submitting the job through the SQL Gateway');

        // 3. the sink tables exist (Flink's DDL cannot create hidden-partitioned ones), then run the
        //    script: setup statements, then the job
        await this.sinkTables.ensure(plan.sinks);
        jobId = await this.cluster.runScript(`matih-${deploymentId}`, properties, script);
      } catch (error) {
        const reason = maskSecrets(describe(error), script?.values ?? []);
        logger.warn({ reason }, 'submission failed');
        this.track({ ...ref, jobName: plan.jobName, jobId: null, status: 'failed' });
        await publish('job.failed', { ...ref, jobId: null, reason });
        return;
      }
      this.track({ ...ref, jobName: plan.jobName, jobId, status: 'submitted' });
      await publish('job.submitted', { ...ref, jobId, jobName: plan.jobName });
      logger.info({ jobId }, 'job submitted');

      // 4. wait for it to run; a job still scheduling when the time is up is left to the reconciler
      const job = await this.cluster.awaitState(jobId, ['RUNNING'], this.config.MATIH_FLINK_RUNNING_TIMEOUT_MS);
      if (job.state === 'RUNNING') {
        this.track({ ...ref, jobName: plan.jobName, jobId, status: 'running' });
        await publish('job.running', { ...ref, jobId });
      } else if (isTerminal(job.state)) {
        this.track({ ...ref, jobName: plan.jobName, jobId, status: 'failed' });
        await publish('job.failed', { ...ref, jobId, reason: maskSecrets(await this.cluster.failureReason(job), script.values) });
      } else {
        logger.warn({ jobId, state: job.state }, 'job not running yet: the reconciler will report it');
      }
    });
  }

  async stop(command: Envelope<'flink.job.stop'>, ctx: MessageContext): Promise<void> {
    const { deploymentId, pipeline, version, mode } = command.payload;
    const ref = { deploymentId, pipeline, version };
    const logger = ctx.logger.child({ deploymentId, pipeline, mode });
    await this.deployments.ready;
    await this.deployments.withLock(deploymentId, async () => {
      const publish = this.publisher(command);
      const known = this.deployments.get(deploymentId);
      const job = await this.liveJobOf(deploymentId, known);
      if (!job) {
        // already stopped (a redelivered stop): answer as before
        if (known?.status === 'stopped' && known.jobId) {
          await publish('job.stopped', { ...ref, jobId: known.jobId, savepointPath: known.lastSavepoint });
          return;
        }
        throw new SubmissionError(SubmissionErrorCode.NoJob, `deployment ${deploymentId} has no running Flink job to stop`);
      }
      const tracked = this.track({ ...ref, jobName: job.name, jobId: job.id, status: 'stopping', lastSavepoint: known?.lastSavepoint ?? null });
      try {
        if (mode === 'savepoint') {
          const target = this.config.MATIH_FLINK_SAVEPOINT_DIR ? `${this.config.MATIH_FLINK_SAVEPOINT_DIR}/${deploymentId}` : undefined;
          logger.info({ jobId: job.id, target }, 'stopping the job with a savepoint');
          const savepointPath = await this.cluster.stopWithSavepoint(job.id, target);
          await this.cluster.awaitState(job.id, ['FINISHED'], this.config.MATIH_FLINK_STOP_TIMEOUT_MS);
          this.deployments.save({ ...tracked, status: 'stopped', lastSavepoint: savepointPath });
          await publish('job.stopped', { ...ref, jobId: job.id, savepointPath });
        } else {
          logger.info({ jobId: job.id }, 'cancelling the job');
          const ended = await this.cluster.cancel(job.id);
          if (!isTerminal(ended.state)) throw new SubmissionError(SubmissionErrorCode.Timeout, `Flink job ${job.id} is still ${ended.state} after the cancel`);
          this.deployments.save({ ...tracked, status: 'stopped' });
          await publish('job.stopped', { ...ref, jobId: job.id, savepointPath: null });
        }
      } catch (error) {
        // a failed savepoint leaves the job running: say so, and let the reconciler keep watching it
        this.deployments.save({ ...tracked, status: 'running' });
        throw error;
      }
    });
  }

  private resolveSecrets(plan: Envelope<'flink.job.submit'>['payload']['plan']): ResolvedStatements {
    try {
      return resolvePlanSecrets(plan, process.env, "the flink-submitter's environment");
    } catch (error) {
      throw new SubmissionError(SubmissionErrorCode.Secret, describe(error));
    }
  }

  private async liveJobOf(deploymentId: string, known: TrackedDeployment | undefined) {
    if (known?.jobId) {
      const job = await this.cluster.findJob(known.jobId);
      if (job && !isTerminal(job.state)) return job;
    }
    return (await this.cluster.jobsOfDeployment(deploymentId)).find((j) => !isTerminal(j.state)) ?? null;
  }

  private async latestRestorePath(deploymentId: string): Promise<string> {
    const known = this.deployments.get(deploymentId);
    const jobIds = [known?.jobId, ...(await this.cluster.jobsOfDeployment(deploymentId)).map((j) => j.id)].filter((id): id is string => !!id);
    for (const jobId of [...new Set(jobIds)]) {
      const point = await this.cluster.latestRestorePoint(jobId);
      if (point) return point.path;
    }
    if (known?.lastSavepoint) return known.lastSavepoint;
    throw new SubmissionError(SubmissionErrorCode.NothingToRestore, `deployment ${deploymentId} has no retained checkpoint or savepoint to start from: submit with restoreFrom null to start afresh`);
  }

  private track(update: Omit<TrackedDeployment, 'lastSavepoint'> & { lastSavepoint?: string | null }): TrackedDeployment {
    const lastSavepoint = update.lastSavepoint ?? this.deployments.get(update.deploymentId)?.lastSavepoint ?? null;
    return this.deployments.save({ ...update, lastSavepoint });
  }

  /** Publish an answer to `command`: keyed by the deployment, carrying the command's correlation. */
  private publisher(command: Envelope<'flink.job.submit' | 'flink.job.stop'>) {
    return <T extends FlinkEvent['type']>(type: T, payload: PayloadOf<T>) =>
      this.controlPlane.publish(type, command.payload.deploymentId, payload, { causedBy: command });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function redactProperties(properties: Record<string, string>, values: readonly string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, maskSecrets(v, values)]));
}
