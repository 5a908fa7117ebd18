export { SqlGatewayClient, GatewaySession, type OperationStatus, type StatementResult } from './sql-gateway.client';
export { JobManagerClient, type JobState, type JobSummary, type CheckpointStats } from './job-manager.client';
export { FlinkError, FlinkErrorCode, rootCauseMessage } from './errors';
