import { Inject, Injectable } from '@nestjs/common';
import { JobManagerClient, type CheckpointStats, type JobSummary } from '@matih/flink';
import { MONITOR_CONFIG, type MonitorConfig } from '../config';

export interface FlinkJobObservation {
  readonly job: JobSummary | null;
  readonly checkpoints: CheckpointStats | null;
}

/** A deployment's Flink job as the JobManager reports it: its state and checkpoint statistics. */
@Injectable()
export class FlinkJobsRepository {
  private readonly client: JobManagerClient;

  constructor(@Inject(MONITOR_CONFIG) config: MonitorConfig) {
    this.client = new JobManagerClient(config.MATIH_FLINK_REST_URL);
  }

  /** By job id when the submitter reported one, else the newest job with the plan's job name. */
  async observe(jobId: string | null, jobName: string | null): Promise<FlinkJobObservation> {
    let job = jobId ? await this.client.findJob(jobId) : null;
    if (!job && jobName) job = (await this.client.jobsNamed(jobName))[0] ?? null;
    if (!job) return { job: null, checkpoints: null };
    return { job, checkpoints: await this.client.checkpoints(job.id) };
  }
}
