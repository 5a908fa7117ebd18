import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The registry's event store (append-only, per-stream versions), its transactional outbox, and the
 * ids of control messages already applied (idempotent consumption).
 */
export class EventStore1764061200000 implements MigrationInterface {
  name = 'EventStore1764061200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS registry`);
    await q.query(`
      CREATE TABLE registry.events (
        position        bigserial PRIMARY KEY,
        stream_id       text        NOT NULL,
        stream_version  integer     NOT NULL CHECK (stream_version > 0),
        type            text        NOT NULL,
        payload         jsonb       NOT NULL,
        principal       text        NOT NULL,
        reason          text,
        pipeline        text,
        pipeline_version text,
        owner           text,
        correlation_id  text,
        causation_id    text,
        occurred_at     timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT events_stream_version_unique UNIQUE (stream_id, stream_version)
      )`);
    await q.query(`CREATE INDEX events_type_time ON registry.events (type, occurred_at)`);
    await q.query(`CREATE INDEX events_pipeline ON registry.events (pipeline, position)`);
    await q.query(`CREATE INDEX events_owner ON registry.events (owner, position)`);
    await q.query(`
      CREATE FUNCTION registry.refuse_event_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'registry.events is append-only: events are never updated or deleted';
      END $$`);
    await q.query(`
      CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON registry.events
      FOR EACH ROW EXECUTE FUNCTION registry.refuse_event_change()`);
    await q.query(`
      CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON registry.events
      FOR EACH STATEMENT EXECUTE FUNCTION registry.refuse_event_change()`);
    await q.query(`
      CREATE TABLE registry.outbox (
        position      bigserial PRIMARY KEY,
        message_id    uuid        NOT NULL UNIQUE,
        topic         text        NOT NULL,
        key           text        NOT NULL,
        envelope      jsonb       NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        published_at  timestamptz
      )`);
    await q.query(`CREATE INDEX outbox_pending ON registry.outbox (position) WHERE published_at IS NULL`);
    await q.query(`
      CREATE TABLE registry.processed_messages (
        message_id    text PRIMARY KEY,
        processed_at  timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE registry.processed_messages`);
    await q.query(`DROP TABLE registry.outbox`);
    await q.query(`DROP TABLE registry.events`);
    await q.query(`DROP FUNCTION registry.refuse_event_change()`);
  }
}
