import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { MESSAGES, isMessageType, type MessageType, type PayloadOf } from './messages';
import type { TopicName } from './topics';

/**
 * The envelope every control message travels in. For a union of types it is a union of envelopes,
 * so checking `type` narrows `payload`.
 */
export type Envelope<T extends MessageType = MessageType> = T extends MessageType ? EnvelopeOf<T> : never;

interface EnvelopeOf<T extends MessageType> {
  readonly id: string;
  readonly type: T;
  readonly version: number;
  readonly occurredAt: string;
  /** pipeline or deployment id: ordering holds per key */
  readonly key: string;
  readonly correlationId: string;
  readonly causationId: string | null;
  /** W3C trace context of the producer, when it had one */
  readonly traceparent: string | null;
  readonly payload: PayloadOf<T>;
}

const envelopeSchema = z.strictObject({
  id: z.uuid(),
  type: z.string().min(1),
  version: z.number().int().positive(),
  occurredAt: z.iso.datetime(),
  key: z.string().min(1),
  correlationId: z.string().min(1),
  causationId: z.string().min(1).nullable(),
  traceparent: z
    .string()
    .regex(/^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/)
    .nullable(),
  payload: z.unknown(),
});

export interface EnvelopeOptions {
  /** the message this one answers or was caused by: carries its correlation on */
  readonly causedBy?: Pick<Envelope, 'id' | 'correlationId'>;
  readonly traceparent?: string | null;
  readonly now?: Date;
}

export function createEnvelope<T extends MessageType>(
  type: T,
  key: string,
  payload: PayloadOf<T>,
  options: EnvelopeOptions = {},
): Envelope<T> {
  const id = randomUUID();
  const definition = MESSAGES[type];
  const envelope: EnvelopeOf<T> = {
    id,
    type,
    version: definition.version,
    occurredAt: (options.now ?? new Date()).toISOString(),
    key,
    correlationId: options.causedBy?.correlationId ?? id,
    causationId: options.causedBy?.id ?? null,
    traceparent: options.traceparent ?? null,
    payload: definition.payload.parse(payload) as PayloadOf<T>,
  };
  return envelope as Envelope<T>;
}

export type DecodeResult =
  | { readonly ok: true; readonly envelope: Envelope }
  /** `envelope` is set when the envelope itself was sound and only its payload or routing was not */
  | { readonly ok: false; readonly reason: string; readonly envelope?: EnvelopeRef };

/** What identifies a message whose envelope was sound even though its type, routing or payload was not. */
export interface EnvelopeRef {
  readonly id: string;
  readonly type: string;
  readonly correlationId: string;
  readonly key: string;
}

function describeIssues(error: z.ZodError, prefix: string): string {
  return error.issues
    .map((issue) => `${[prefix, ...issue.path.map(String)].filter(Boolean).join('.')}: ${issue.message}`)
    .join('; ');
}

/** Decode and validate a message read from `topic`, never throwing: bad input yields a reason. */
export function decodeEnvelope(topic: TopicName | string, raw: Buffer | string | null): DecodeResult {
  if (raw === null || raw.length === 0) return { ok: false, reason: 'empty message value' };
  let json: unknown;
  try {
    json = JSON.parse(raw.toString());
  } catch (error) {
    return { ok: false, reason: `value is not JSON (${(error as Error).message})` };
  }
  const parsed = envelopeSchema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: `not a control envelope: ${describeIssues(parsed.error, '')}` };
  const { type, version, id, correlationId, key } = parsed.data;
  const ref = { id, type, correlationId, key };
  if (!isMessageType(type)) return { ok: false, reason: `unknown message type "${type}"`, envelope: ref };
  const definition = MESSAGES[type];
  if (definition.topic !== topic) {
    return { ok: false, reason: `"${type}" belongs on ${definition.topic}, not ${topic}`, envelope: ref };
  }
  if (definition.version !== version) {
    return { ok: false, reason: `"${type}" version ${version} is not supported (expected ${definition.version})`, envelope: ref };
  }
  const payload = definition.payload.safeParse(parsed.data.payload);
  if (!payload.success) return { ok: false, reason: `invalid "${type}" payload: ${describeIssues(payload.error, 'payload')}`, envelope: ref };
  return { ok: true, envelope: { ...parsed.data, type, payload: payload.data } as Envelope };
}
