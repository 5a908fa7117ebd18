import { Injectable } from '@nestjs/common';
import { MESSAGES, type Envelope } from '@matih/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import { ConcurrencyConflict } from './events.errors';

export interface NewEvent {
  readonly type: string;
  readonly payload: Record<string, unknown>;
  /** who asked: a user, a token, or `service:<name>` for what the platform did by itself */
  readonly principal: string;
  readonly reason?: string | null;
  /** the pipeline (name, version) and owning team the event concerns, when it concerns one */
  readonly pipeline?: string | null;
  readonly pipelineVersion?: string | null;
  readonly owner?: string | null;
  readonly correlationId?: string | null;
  readonly causationId?: string | null;
  /** when it happened; default: the transaction's time */
  readonly occurredAt?: string;
}

export interface StoredEvent extends NewEvent {
  readonly position: number;
  readonly streamId: string;
  readonly streamVersion: number;
  readonly occurredAt: string;
}

export interface EventFilter {
  readonly streamPrefix?: string;
  readonly pipeline?: string;
  readonly owner?: string;
  readonly types?: readonly string[];
  readonly since?: Date;
  readonly until?: Date;
  readonly afterPosition?: number;
  readonly limit?: number;
}

interface EventRow {
  position: string;
  stream_id: string;
  stream_version: number;
  type: string;
  payload: Record<string, unknown>;
  principal: string;
  reason: string | null;
  pipeline: string | null;
  pipeline_version: string | null;
  owner: string | null;
  correlation_id: string | null;
  causation_id: string | null;
  occurred_at: Date;
}

const toEvent = (row: EventRow): StoredEvent => ({
  position: Number(row.position),
  streamId: row.stream_id,
  streamVersion: row.stream_version,
  type: row.type,
  payload: row.payload,
  principal: row.principal,
  reason: row.reason,
  pipeline: row.pipeline,
  pipelineVersion: row.pipeline_version,
  owner: row.owner,
  correlationId: row.correlation_id,
  causationId: row.causation_id,
  occurredAt: row.occurred_at.toISOString(),
});

/**
 * The append-only event store. A stream is one deployment (or pipeline); `append` takes the version
 * the caller last saw, so that of two writers that saw the same state only one succeeds. Events and
 * the control messages they cause are written in one transaction (transactional outbox).
 */
@Injectable()
export class EventStore {
  constructor(private readonly dataSource: DataSource) {}

  async append(
    streamId: string,
    expectedVersion: number,
    events: readonly NewEvent[],
    messages: readonly Envelope[] = [],
  ): Promise<StoredEvent[]> {
    return this.dataSource.transaction((manager) => this.appendWith(manager, streamId, expectedVersion, events, messages));
  }

  /** Append inside a caller's transaction (when other writes must commit with the events). */
  async appendWith(
    manager: EntityManager,
    streamId: string,
    expectedVersion: number,
    events: readonly NewEvent[],
    messages: readonly Envelope[] = [],
  ): Promise<StoredEvent[]> {
    const stored: StoredEvent[] = [];
    try {
      for (const [index, event] of events.entries()) {
        const [row] = (await manager.query(
          `INSERT INTO registry.events
             (stream_id, stream_version, type, payload, principal, reason, pipeline, pipeline_version, owner, correlation_id, causation_id, occurred_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, coalesce($12::timestamptz, now())) RETURNING *`,
          [
            streamId,
            expectedVersion + index + 1,
            event.type,
            JSON.stringify(event.payload),
            event.principal,
            event.reason ?? null,
            event.pipeline ?? null,
            event.pipelineVersion ?? null,
            event.owner ?? null,
            event.correlationId ?? null,
            event.causationId ?? null,
            event.occurredAt ?? null,
          ],
        )) as EventRow[];
        if (row) stored.push(toEvent(row));
      }
    } catch (error) {
      if ((error as { constraint?: string }).constraint === 'events_stream_version_unique') {
        throw new ConcurrencyConflict(streamId, expectedVersion);
      }
      throw error;
    }
    for (const message of messages) {
      await manager.query(
        `INSERT INTO registry.outbox (message_id, topic, key, envelope) VALUES ($1, $2, $3, $4)`,
        [message.id, topicOf(message), message.key, JSON.stringify(message)],
      );
    }
    return stored;
  }

  async readStream(streamId: string, fromVersion = 1): Promise<StoredEvent[]> {
    const rows = (await this.dataSource.query(
      `SELECT * FROM registry.events WHERE stream_id = $1 AND stream_version >= $2 ORDER BY stream_version`,
      [streamId, fromVersion],
    )) as EventRow[];
    return rows.map(toEvent);
  }

  async streamVersion(streamId: string, manager: EntityManager = this.dataSource.manager): Promise<number> {
    const [row] = (await manager.query(`SELECT coalesce(max(stream_version), 0) AS v FROM registry.events WHERE stream_id = $1`, [
      streamId,
    ])) as { v: number }[];
    return Number(row?.v ?? 0);
  }

  /** The global stream in order of position, filtered; page with `afterPosition`. */
  async read(filter: EventFilter = {}): Promise<StoredEvent[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.streamPrefix) add(`stream_id LIKE ? || '%'`, filter.streamPrefix);
    if (filter.pipeline) add(`pipeline = ?`, filter.pipeline);
    if (filter.owner) add(`owner = ?`, filter.owner);
    if (filter.types?.length) add(`type = ANY(?)`, filter.types);
    if (filter.since) add(`occurred_at >= ?`, filter.since);
    if (filter.until) add(`occurred_at < ?`, filter.until);
    if (filter.afterPosition !== undefined) add(`position > ?`, filter.afterPosition);
    params.push(Math.min(filter.limit ?? 100, 1000));
    const rows = (await this.dataSource.query(
      `SELECT * FROM registry.events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY position LIMIT $${params.length}`,
      params,
    )) as EventRow[];
    return rows.map(toEvent);
  }
}

/** The contract decides which topic a message type goes to. */
function topicOf(message: Envelope): string {
  return MESSAGES[message.type].topic;
}
