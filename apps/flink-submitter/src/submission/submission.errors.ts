/** Error codes of submitting and stopping Flink jobs. Messages say what to change. */
export enum SubmissionErrorCode {
  /** the plan asks for something the flink engine cannot promise (e.g. at-least-once checkpoints) */
  InvalidPlan = 'FLINK_SUBMIT_INVALID_PLAN',
  /** a secret the plan needs is not set in the submitter's environment, or a statement names one the plan does not declare */
  Secret = 'FLINK_SUBMIT_SECRET',
  /** `restoreFrom: latest` and the deployment has no retained checkpoint or savepoint */
  NothingToRestore = 'FLINK_SUBMIT_NOTHING_TO_RESTORE',
  /** the deployment's job already runs another version: stop it with a savepoint first */
  AlreadyRunning = 'FLINK_SUBMIT_ALREADY_RUNNING',
  /** a stop for a deployment that has no job on the cluster */
  NoJob = 'FLINK_STOP_NO_JOB',
  /** the job did not reach the state asked for in time */
  Timeout = 'FLINK_SUBMIT_TIMEOUT',
}

export class SubmissionError extends Error {
  constructor(
    readonly code: SubmissionErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SubmissionError';
  }
}
