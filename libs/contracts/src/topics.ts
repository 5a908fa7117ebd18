/**
 * Control topics, one per concern, named `matih.<domain>.<kind>.v<N>`.
 * A published name is never changed in place: a breaking change is a new topic version.
 */
export const TOPICS = {
  serviceCommands: 'matih.service.commands.v1',
  serviceEvents: 'matih.service.events.v1',
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

export const ALL_TOPICS: readonly TopicName[] = Object.values(TOPICS);
