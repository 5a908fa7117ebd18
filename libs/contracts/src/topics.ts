/**
 * Control topics, one per concern, named `matih.<domain>.<kind>.v<N>`.
 * A published name is never changed in place: a breaking change is a new topic version.
 */
export const TOPICS = {
  serviceCommands: 'matih.service.commands.v1',
  serviceEvents: 'matih.service.events.v1',
  compileCommands: 'matih.compile.commands.v1',
  compileEvents: 'matih.compile.events.v1',
  flinkCommands: 'matih.flink.commands.v1',
  flinkEvents: 'matih.flink.events.v1',
  microbatchCommands: 'matih.microbatch.commands.v1',
  microbatchEvents: 'matih.microbatch.events.v1',
  deploymentEvents: 'matih.deployment.events.v1',
  monitorEvents: 'matih.monitor.events.v1',
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

export const ALL_TOPICS: readonly TopicName[] = Object.values(TOPICS);
