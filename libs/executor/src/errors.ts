/** Why the executor stopped or refused something; every code tells the operator what to change. */
export enum ExecutorErrorCode {
  /** more of a batch went to the dead-letter topic than `error_budget` allows: the deployment fails */
  ErrorBudgetExceeded = 'EXECUTOR_ERROR_BUDGET_EXCEEDED',
  /** the table's offsets moved on since this batch started: another instance (or a newer generation) owns the partition */
  StaleBatch = 'EXECUTOR_STALE_BATCH',
  /** a secret the plan references by environment variable is not set where the executor runs */
  MissingSecret = 'EXECUTOR_MISSING_SECRET',
  /** the schema registry could not give the schema of a record */
  SchemaRegistry = 'EXECUTOR_SCHEMA_REGISTRY',
  /** the plan cannot be run by this executor (bad stage SQL, sink table mismatch …) */
  InvalidPlan = 'EXECUTOR_INVALID_PLAN',
  /** the batch could not be written although each of its records could (a transform over several records failed) */
  BatchFailed = 'EXECUTOR_BATCH_FAILED',
  /** the pipeline's source topic does not exist */
  SourceTopicMissing = 'EXECUTOR_SOURCE_TOPIC_MISSING',
  /** a Kafka broker's TLS certificate is not one the connection's settings accept */
  BrokerCertificate = 'EXECUTOR_BROKER_CERTIFICATE',
  /** the connection's client certificate or key cannot be used (wrong key passphrase, a key of another certificate), or a broker refused it or its absence */
  ClientCertificate = 'EXECUTOR_CLIENT_CERTIFICATE',
}

export class ExecutorError extends Error {
  constructor(
    readonly code: ExecutorErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ExecutorError';
  }
}

/** Thrown by the commit fence: nothing of the batch was committed, and that is correct. */
export class StaleBatchError extends ExecutorError {
  constructor(message: string) {
    super(ExecutorErrorCode.StaleBatch, message);
    this.name = 'StaleBatchError';
  }
}
