import type { IHeaders, Message } from 'kafkajs';

/** Where in the pipeline a record failed. */
export type FailureStage = 'decode' | 'transform' | 'schema';

/** One record that could not be written: the original record and why. */
export interface DeadLetter {
  topic: string;
  partition: number;
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders | undefined;
  stage: FailureStage;
  reason: string;
}

export interface DeadLetterContext {
  pipeline: string;
  deploymentId: string | null;
  consumerGroup: string;
}

/** Header names the executor adds to a dead letter (the record's own headers are kept as they were). */
export const DLQ_HEADERS = {
  pipeline: 'matih.pipeline',
  deployment: 'matih.deployment',
  consumerGroup: 'matih.consumer_group',
  topic: 'matih.source.topic',
  partition: 'matih.source.partition',
  offset: 'matih.source.offset',
  timestamp: 'matih.source.timestamp',
  stage: 'matih.error.stage',
  reason: 'matih.error.reason',
} as const;

const MAX_REASON = 2000;

/**
 * The dead-letter message for a failed record: its key and value byte for byte, its own headers,
 * plus headers saying which pipeline failed it, where it came from (topic, partition, offset) and why.
 */
export function deadLetterMessage(letter: DeadLetter, ctx: DeadLetterContext): Message {
  const headers: IHeaders = { ...(letter.headers ?? {}) };
  headers[DLQ_HEADERS.pipeline] = ctx.pipeline;
  if (ctx.deploymentId) headers[DLQ_HEADERS.deployment] = ctx.deploymentId;
  headers[DLQ_HEADERS.consumerGroup] = ctx.consumerGroup;
  headers[DLQ_HEADERS.topic] = letter.topic;
  headers[DLQ_HEADERS.partition] = String(letter.partition);
  headers[DLQ_HEADERS.offset] = letter.offset;
  headers[DLQ_HEADERS.timestamp] = letter.timestamp;
  headers[DLQ_HEADERS.stage] = letter.stage;
  headers[DLQ_HEADERS.reason] = letter.reason.length > MAX_REASON ? `${letter.reason.slice(0, MAX_REASON)}…` : letter.reason;
  return { key: letter.key, value: letter.value, headers, timestamp: letter.timestamp };
}

/** Reads the executor's headers back from a consumed dead letter (tools and tests). */
export function readDeadLetterHeaders(headers: IHeaders | undefined): Record<keyof typeof DLQ_HEADERS, string | undefined> {
  const get = (name: string): string | undefined => {
    const v = headers?.[name];
    const one = Array.isArray(v) ? v[0] : v;
    return one === undefined ? undefined : Buffer.isBuffer(one) ? one.toString('utf8') : String(one);
  };
  return Object.fromEntries(Object.entries(DLQ_HEADERS).map(([k, name]) => [k, get(name)])) as Record<keyof typeof DLQ_HEADERS, string | undefined>;
}

/**
 * The error budget: the share of a batch that may go to the dead-letter topic (0..1). Returns the
 * reason the batch must fail, or null. `0` fails a batch on its first bad record.
 */
export function budgetExceeded(records: number, deadLetters: number, budget: number): string | null {
  if (deadLetters === 0 || records === 0) return null;
  const share = deadLetters / records;
  if (share <= budget + 1e-12) return null;
  return `${deadLetters} of ${records} records of the batch (${(share * 100).toFixed(2)}%) failed, more than the error budget of ${(budget * 100).toFixed(2)}%`;
}
