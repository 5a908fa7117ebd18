import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { decodeEnvelope, type Envelope } from '@matih/contracts';
import { ControlPlane } from '@matih/control-plane';
import { ROOT_LOGGER } from '@matih/service-host';
import type { Logger } from 'pino';
import { DataSource, type QueryRunner } from 'typeorm';
import { REGISTRY_CONFIG, type RegistryConfig } from '../config';

/** Only one relay publishes at a time, so that messages leave in the order they were written. */
const RELAY_LOCK = 7_214_002;
const BATCH = 200;

interface OutboxRow {
  position: string;
  topic: string;
  envelope: unknown;
}

/**
 * Publishes what the registry wrote to its outbox. A message is marked published only after Kafka
 * acknowledged it; a crash in between re-sends it with the same id, which consumers skip. Nothing
 * written to the outbox is lost, whenever the process dies.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private runner: QueryRunner | undefined;
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly controlPlane: ControlPlane,
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.draining;
    if (this.runner) {
      await this.runner.query('SELECT pg_advisory_unlock($1)', [RELAY_LOCK]).catch(() => undefined);
      await this.runner.release();
    }
  }

  /** Publish everything pending now (also used by tests); returns how many messages left. */
  async drain(): Promise<number> {
    if (!(await this.holdLeadership())) return 0;
    let sent = 0;
    for (;;) {
      const rows = (await this.dataSource.query(
        `SELECT position, topic, envelope FROM registry.outbox WHERE published_at IS NULL ORDER BY position LIMIT $1`,
        [BATCH],
      )) as OutboxRow[];
      if (rows.length === 0) return sent;
      const envelopes: Envelope[] = [];
      for (const row of rows) {
        const decoded = decodeEnvelope(row.topic, JSON.stringify(row.envelope));
        if (decoded.ok) envelopes.push(decoded.envelope);
        else this.logger.error({ position: row.position, reason: decoded.reason }, 'outbox message no longer matches its contract; skipped');
      }
      await this.controlPlane.send(envelopes);
      await this.dataSource.query(`UPDATE registry.outbox SET published_at = now() WHERE position = ANY($1::bigint[])`, [
        rows.map((r) => r.position),
      ]);
      sent += envelopes.length;
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.draining = this.drain()
        .then(() => undefined)
        .catch((error: unknown) => this.logger.warn({ err: error }, 'outbox relay round failed; retrying'))
        .finally(() => this.schedule());
    }, this.config.REGISTRY_OUTBOX_POLL_MS);
  }

  private async holdLeadership(): Promise<boolean> {
    if (!this.runner) {
      const runner = this.dataSource.createQueryRunner();
      await runner.connect();
      const [row] = (await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [RELAY_LOCK])) as { locked: boolean }[];
      if (!row?.locked) {
        await runner.release();
        return false;
      }
      this.runner = runner;
    }
    return true;
  }
}
