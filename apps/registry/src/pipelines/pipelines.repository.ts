import { Injectable } from '@nestjs/common';
import type { PipelineDefinition } from '@matih/pipeline-spec';
import { DataSource, type EntityManager } from 'typeorm';

export interface PipelineVersionRow {
  readonly pipeline: string;
  readonly version: string;
  readonly hash: string;
  readonly source: string;
  readonly definition: PipelineDefinition;
  readonly createdBy: string;
  readonly createdAt: string;
}

export interface PipelineRow {
  readonly name: string;
  readonly owner: string;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly versions: readonly { version: string; hash: string; createdAt: string }[];
}

interface RawVersion {
  pipeline: string;
  version: string;
  hash: string;
  source: string;
  definition: PipelineDefinition;
  created_by: string;
  created_at: Date;
}

const toVersion = (r: RawVersion): PipelineVersionRow => ({
  pipeline: r.pipeline,
  version: r.version,
  hash: r.hash,
  source: r.source,
  definition: r.definition,
  createdBy: r.created_by,
  createdAt: r.created_at.toISOString(),
});

/** Pipelines and their immutable versions in PostgreSQL. */
@Injectable()
export class PipelinesRepository {
  constructor(private readonly dataSource: DataSource) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** Lock the pipeline's row (creating it when new) and return its owner. */
  async claim(manager: EntityManager, name: string, owner: string, principal: string): Promise<string> {
    await manager.query(
      `INSERT INTO registry.pipelines (name, owner, created_by) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING`,
      [name, owner, principal],
    );
    const [row] = (await manager.query(`SELECT owner FROM registry.pipelines WHERE name = $1 FOR UPDATE`, [name])) as { owner: string }[];
    return row?.owner ?? owner;
  }

  async findVersion(name: string, version: string, manager: EntityManager = this.dataSource.manager): Promise<PipelineVersionRow | null> {
    const [row] = (await manager.query(`SELECT * FROM registry.pipeline_versions WHERE pipeline = $1 AND version = $2`, [name, version])) as RawVersion[];
    return row ? toVersion(row) : null;
  }

  async latestVersion(name: string): Promise<PipelineVersionRow | null> {
    const [row] = (await this.dataSource.query(
      `SELECT * FROM registry.pipeline_versions WHERE pipeline = $1 ORDER BY created_at DESC, version DESC LIMIT 1`,
      [name],
    )) as RawVersion[];
    return row ? toVersion(row) : null;
  }

  async insertVersion(manager: EntityManager, row: Omit<PipelineVersionRow, 'createdAt'>): Promise<void> {
    await manager.query(
      `INSERT INTO registry.pipeline_versions (pipeline, version, hash, source, definition, created_by) VALUES ($1, $2, $3, $4, $5, $6)`,
      [row.pipeline, row.version, row.hash, row.source, JSON.stringify(row.definition), row.createdBy],
    );
  }

  async get(name: string): Promise<PipelineRow | null> {
    const [pipeline] = (await this.dataSource.query(`SELECT * FROM registry.pipelines WHERE name = $1`, [name])) as {
      name: string;
      owner: string;
      created_by: string;
      created_at: Date;
    }[];
    if (!pipeline) return null;
    const versions = (await this.dataSource.query(
      `SELECT version, hash, created_at FROM registry.pipeline_versions WHERE pipeline = $1 ORDER BY created_at, version`,
      [name],
    )) as { version: string; hash: string; created_at: Date }[];
    return {
      name: pipeline.name,
      owner: pipeline.owner,
      createdBy: pipeline.created_by,
      createdAt: pipeline.created_at.toISOString(),
      versions: versions.map((v) => ({ version: v.version, hash: v.hash, createdAt: v.created_at.toISOString() })),
    };
  }

  /** Pipelines by name, after `cursor` (the last name of the previous page). */
  async list(options: { cursor?: string; limit: number; owner?: string }): Promise<{ name: string; owner: string; latestVersion: string | null }[]> {
    const rows = (await this.dataSource.query(
      `SELECT p.name, p.owner,
              (SELECT v.version FROM registry.pipeline_versions v WHERE v.pipeline = p.name ORDER BY v.created_at DESC, v.version DESC LIMIT 1) AS latest
         FROM registry.pipelines p
        WHERE ($1::text IS NULL OR p.name > $1) AND ($2::text IS NULL OR p.owner = $2)
        ORDER BY p.name LIMIT $3`,
      [options.cursor ?? null, options.owner ?? null, options.limit],
    )) as { name: string; owner: string; latest: string | null }[];
    return rows.map((r) => ({ name: r.name, owner: r.owner, latestVersion: r.latest }));
  }
}
