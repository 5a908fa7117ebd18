export { SqlGatewayClient, GatewaySession, type OperationStatus, type StatementResult, type ResultPage } from './sql-gateway.client';
export { JobManagerClient, isTerminal, TERMINAL_JOB_STATES, type JobState, type JobSummary, type CheckpointStats, type TaskManagerSummary } from './job-manager.client';
export { FlinkError, FlinkErrorCode, rootCauseMessage } from './errors';
