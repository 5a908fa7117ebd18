import { z } from 'zod';
import { TOPICS, type TopicName } from './topics';

interface MessageDefinition<Topic extends TopicName, Payload extends z.ZodType> {
  readonly topic: Topic;
  readonly version: number;
  readonly kind: 'command' | 'event';
  readonly payload: Payload;
}

function define<Topic extends TopicName, Payload extends z.ZodType>(
  def: MessageDefinition<Topic, Payload>,
): MessageDefinition<Topic, Payload> {
  return def;
}

const serviceName = z.string().regex(/^[a-z][a-z0-9-]*$/, 'a service name in kebab-case');

/**
 * Every message the control plane carries: its topic, version and runtime schema.
 * The map is the single source of truth for `publish` and `subscribe` typing.
 */
export const MESSAGES = {
  /** Ask one service (or `*`, every service) to answer with `service.pong`. */
  'service.ping': define({
    topic: TOPICS.serviceCommands,
    version: 1,
    kind: 'command',
    payload: z.strictObject({ target: z.union([serviceName, z.literal('*')]), from: serviceName }),
  }),
  'service.pong': define({
    topic: TOPICS.serviceEvents,
    version: 1,
    kind: 'event',
    payload: z.strictObject({
      service: serviceName,
      instanceId: z.string().min(1),
      startedAt: z.iso.datetime(),
      release: z.string().min(1),
    }),
  }),
  /** A command its consumer could not carry out: a bad payload, an unsupported version, or a handler error. */
  'command.failed': define({
    topic: TOPICS.serviceEvents,
    version: 1,
    kind: 'event',
    payload: z.strictObject({
      service: serviceName,
      commandId: z.string().min(1),
      commandType: z.string().min(1),
      reason: z.string().min(1),
    }),
  }),
} as const;

export type MessageType = keyof typeof MESSAGES;
export type PayloadOf<T extends MessageType> = z.infer<(typeof MESSAGES)[T]['payload']>;
export type TopicOf<T extends MessageType> = (typeof MESSAGES)[T]['topic'];
/** The message types carried on one topic. */
export type MessagesOn<Topic extends TopicName> = {
  [K in MessageType]: TopicOf<K> extends Topic ? K : never;
}[MessageType];

export function isMessageType(type: string): type is MessageType {
  return Object.prototype.hasOwnProperty.call(MESSAGES, type);
}
