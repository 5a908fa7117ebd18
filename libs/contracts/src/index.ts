export { TOPICS, ALL_TOPICS, type TopicName } from './topics';
export { MESSAGES, DEPLOYMENT_STATES, HEALTH_STATES, isMessageType, type MessageType, type PayloadOf, type TopicOf, type MessagesOn } from './messages';
export { createEnvelope, decodeEnvelope, type Envelope, type EnvelopeOptions, type DecodeResult, type EnvelopeRef } from './envelope';
export {
  planSchema,
  flinkPlanSchema,
  microbatchPlanSchema,
  sinkPlanSchema,
  type ExecutionPlan,
  type FlinkPlan,
  type MicrobatchPlan,
  type SinkPlan,
  type SinkCatalog,
  type JdbcSinkCatalog,
  type RestSinkCatalog,
  sinkCatalogSchema,
  type IcebergColumn,
  type KafkaConnectionPlan,
} from './plans';
