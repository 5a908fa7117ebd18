import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Pipelines and their immutable versions, the deployments projection (rebuilt from events at will),
 * and API tokens (only their SHA-256 is stored).
 */
export class PipelinesDeploymentsTokens1764061300000 implements MigrationInterface {
  name = 'PipelinesDeploymentsTokens1764061300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE registry.pipelines (
        name        text PRIMARY KEY,
        owner       text        NOT NULL,
        created_by  text        NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE registry.pipeline_versions (
        pipeline    text        NOT NULL REFERENCES registry.pipelines (name),
        version     text        NOT NULL,
        hash        text        NOT NULL,
        source      text        NOT NULL,
        definition  jsonb       NOT NULL,
        created_by  text        NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (pipeline, version)
      )`);
    await q.query(`
      CREATE FUNCTION registry.refuse_version_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'pipeline versions are immutable: register a new version instead';
      END $$`);
    await q.query(`
      CREATE TRIGGER pipeline_versions_immutable BEFORE UPDATE OR DELETE ON registry.pipeline_versions
      FOR EACH ROW EXECUTE FUNCTION registry.refuse_version_change()`);
    await q.query(`
      CREATE TABLE registry.deployments (
        id              uuid PRIMARY KEY,
        pipeline        text        NOT NULL REFERENCES registry.pipelines (name),
        owner           text        NOT NULL,
        engine          text        NOT NULL,
        state           text        NOT NULL,
        active          boolean     NOT NULL,
        view            jsonb       NOT NULL,
        stream_version  integer     NOT NULL,
        updated_at      timestamptz NOT NULL
      )`);
    // one live deployment per pipeline: of two concurrent deploys, the second insert fails
    await q.query(`CREATE UNIQUE INDEX deployments_one_active ON registry.deployments (pipeline) WHERE active`);
    await q.query(`
      CREATE TABLE registry.api_tokens (
        id          uuid PRIMARY KEY,
        token_hash  text        NOT NULL UNIQUE,
        principal   text        NOT NULL,
        role        text        NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
        team        text,
        created_at  timestamptz NOT NULL DEFAULT now(),
        revoked_at  timestamptz
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE registry.api_tokens`);
    await q.query(`DROP TABLE registry.deployments`);
    await q.query(`DROP TABLE registry.pipeline_versions`);
    await q.query(`DROP FUNCTION registry.refuse_version_change()`);
    await q.query(`DROP TABLE registry.pipelines`);
  }
}
