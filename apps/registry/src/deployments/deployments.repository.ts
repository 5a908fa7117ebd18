import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { isActive, type Deployment } from './deployment';
import { DeploymentError, DeploymentErrorCode } from './deployments.errors';

/** The deployments projection (the fold of each deployment's events) and applied message ids. */
@Injectable()
export class DeploymentsRepository {
  constructor(private readonly dataSource: DataSource) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  async find(id: string, manager: EntityManager = this.dataSource.manager): Promise<Deployment | null> {
    const [row] = (await manager.query(`SELECT view FROM registry.deployments WHERE id = $1`, [id])) as { view: Deployment }[];
    return row?.view ?? null;
  }

  async save(manager: EntityManager, deployment: Deployment, isNew: boolean): Promise<void> {
    const values = [
      deployment.id,
      deployment.pipeline,
      deployment.owner,
      deployment.engine,
      deployment.state,
      isActive(deployment.state),
      JSON.stringify(deployment),
      deployment.streamVersion,
      deployment.updatedAt,
    ];
    try {
      if (isNew) {
        await manager.query(
          `INSERT INTO registry.deployments (id, pipeline, owner, engine, state, active, view, stream_version, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          values,
        );
      } else {
        await manager.query(
          `UPDATE registry.deployments SET pipeline = $2, owner = $3, engine = $4, state = $5, active = $6, view = $7, stream_version = $8, updated_at = $9
            WHERE id = $1`,
          values,
        );
      }
    } catch (error) {
      if ((error as { constraint?: string }).constraint === 'deployments_one_active') {
        throw new DeploymentError(DeploymentErrorCode.Conflict, `pipeline "${deployment.pipeline}" already has a live deployment: stop it, or upgrade it instead`);
      }
      throw error;
    }
  }

  /** Record that a control message was applied; false when it already was (a redelivery). */
  async markProcessed(manager: EntityManager, messageId: string): Promise<boolean> {
    const rows = (await manager.query(
      `INSERT INTO registry.processed_messages (message_id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING message_id`,
      [messageId],
    )) as unknown[];
    return rows.length === 1;
  }

  async list(options: { pipeline?: string; owner?: string; state?: string; cursor?: string; limit: number }): Promise<Deployment[]> {
    const rows = (await this.dataSource.query(
      `SELECT view FROM registry.deployments
        WHERE ($1::text IS NULL OR pipeline = $1) AND ($2::text IS NULL OR owner = $2) AND ($3::text IS NULL OR state = $3)
          AND ($4::uuid IS NULL OR id > $4)
        ORDER BY id LIMIT $5`,
      [options.pipeline ?? null, options.owner ?? null, options.state ?? null, options.cursor ?? null, options.limit],
    )) as { view: Deployment }[];
    return rows.map((r) => r.view);
  }

  async allIds(): Promise<string[]> {
    return ((await this.dataSource.query(`SELECT id FROM registry.deployments ORDER BY id`)) as { id: string }[]).map((r) => r.id);
  }
}
