export { loadDefinition, type LoadOptions, type LoadResult } from './load';
export { formatDiagnostic, type Diagnostic } from './diagnostic';
export type {
  PipelineDefinition,
  KafkaSource,
  KafkaConnection,
  SecretRef,
  StartOffset,
  SqlTransformation,
  IcebergSink,
  PartitionField,
  PartitionTransform,
  Orchestration,
} from './definition';
export { SOURCE_COLUMNS } from './definition';
export { pipelineJsonSchema, PIPELINE_SCHEMA_ID } from './json-schema';
export { canonicalJson, contentHash } from './hash';
export type { Env } from './interpolate';
export { parseDuration, formatDuration } from './durations';
export { renderReference } from './reference';
