export { MicrobatchExecutor, type ExecutorOptions, type ExecutorOutcome, type BatchReport, type StopReason, type FetchTuning } from './executor';
export { ExecutorError, ExecutorErrorCode, StaleBatchError } from './errors';
export { kafkaClientConfig, resolveSecret, type Env } from './kafka-config';
export { offsetKey, committedOffsets, checkFence, offsetSummary, type BatchRange, type PartitionOffsets } from './offsets';
export { deadLetterMessage, readDeadLetterHeaders, budgetExceeded, DLQ_HEADERS, type DeadLetter, type FailureStage } from './dead-letters';
export { createDecoder, toJsonText, type ValueDecoder, type Decoded, type Format } from './decode/decoders';
export { SchemaRegistryClient, UnknownSchemaError, type RegisteredSchema } from './decode/registry';
export { frame, unframe } from './decode/wire-format';
export { renderAirflowDag, type AirflowDagOptions } from './airflow';
