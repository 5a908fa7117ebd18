import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ControlPlane } from '@matih/control-plane';
import type { PayloadOf } from '@matih/contracts';
import { ROOT_LOGGER } from '@matih/service-host';
import type { Logger } from 'pino';
import { FlinkJobsRepository } from '../checkpoints/flink-jobs.repository';
import { MONITOR_CONFIG, type MonitorConfig } from '../config';
import { DeploymentTracker, type TrackedDeployment } from '../deployments/deployment-tracker';
import type { SourceRef } from '../deployments/plan-sources';
import { EndOffsetHistory, topicLag, recordsBehind } from '../lag/lag';
import { KafkaOffsetsRepository } from '../lag/kafka-offsets.repository';
import { MonitorMetrics } from '../metrics/monitor.metrics';
import { IcebergTablesRepository } from '../tables/iceberg-tables.repository';
import { judge, severityOf, type HealthState, type Observation } from './health';
import { thresholdsFor } from './thresholds';

type HealthMetrics = PayloadOf<'deployment.health-changed'>['metrics'];

export interface PartitionReport {
  readonly partition: number;
  readonly end: string;
  /** the group's committed offset */
  readonly groupOffset: string | null;
  /** the offset the latest Iceberg snapshot records (exactly-once micro-batch) */
  readonly tableOffset: string | null;
  /** records behind the consumed position (table offset for exactly-once, group offset otherwise) */
  readonly records: number | null;
  /** records behind the group's committed offset */
  readonly groupRecords: number | null;
  readonly seconds: number | null;
}

/** Everything the monitor knows about one deployment's progress and health. */
export interface DeploymentHealth {
  readonly deploymentId: string;
  readonly pipeline: string;
  readonly version: string;
  readonly engine: 'flink' | 'microbatch';
  readonly lifecycle: string | null;
  readonly state: HealthState | null;
  readonly since: string | null;
  readonly reasons: readonly string[];
  readonly measuredAt: string | null;
  /** why the last measurement was incomplete (a component unreachable) */
  readonly measureErrors: readonly string[];
  readonly metrics: HealthMetrics;
  readonly lag: readonly { topic: string; group: string; records: number; seconds: number; partitions: readonly PartitionReport[] }[];
  readonly checkpoints: {
    readonly jobId: string | null;
    readonly jobState: string | null;
    readonly completed: number;
    readonly failed: number;
    readonly lastCompleted: { id: number; finishedAt: string; durationMs: number; sizeBytes: number } | null;
    readonly lastFailure: { id: number; failedAt: string; message: string | null } | null;
  } | null;
  readonly executors: { readonly instances: readonly { instanceId: string; lastHeartbeat: string }[]; readonly batches: number; readonly lastBatch: { at: string; durationMs: number; records: number; deadLetters: number; snapshotId: string | null } | null } | null;
  readonly tables: readonly { table: string; snapshotId: string | null; snapshotAt: string | null; ageMs: number | null }[];
}

interface Memory {
  readonly histories: Map<string, EndOffsetHistory>;
  positionSum: bigint | null;
  movedAt: number;
  checkpointBaseline: { completedId: number | null; failed: number } | null;
  report: DeploymentHealth | null;
}

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());
const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Measures every running deployment on a timer — consumer lag from the broker (and, for exactly-once
 * micro-batch, from the table's snapshot), Flink checkpoints, executor heartbeats and batches, table
 * freshness — judges its health against its pipeline's thresholds, and publishes
 * `deployment.health-changed` when the state changes.
 */
@Injectable()
export class HealthService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly memory = new Map<string, Memory>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | null = null;

  constructor(
    private readonly tracker: DeploymentTracker,
    private readonly kafka: KafkaOffsetsRepository,
    private readonly flink: FlinkJobsRepository,
    private readonly tables: IcebergTablesRepository,
    private readonly metrics: MonitorMetrics,
    private readonly controlPlane: ControlPlane,
    @Inject(MONITOR_CONFIG) private readonly config: MonitorConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.poll(), this.config.MONITOR_POLL_INTERVAL_MS);
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.polling;
  }

  list(): DeploymentHealth[] {
    return this.tracker
      .all()
      .map((d) => this.memory.get(d.id)?.report ?? this.blank(d))
      .sort((a, b) => a.pipeline.localeCompare(b.pipeline) || a.deploymentId.localeCompare(b.deploymentId));
  }

  get(id: string): DeploymentHealth | null {
    const d = this.tracker.get(id);
    return d ? (this.memory.get(id)?.report ?? this.blank(d)) : null;
  }

  /** One round: measure and judge every running deployment (rounds never overlap). */
  poll(): Promise<void> {
    this.polling ??= this.round().finally(() => (this.polling = null));
    return this.polling;
  }

  private async round(): Promise<void> {
    const running = this.tracker.running();
    await Promise.all(running.map((d) => this.check(d).catch((error: unknown) => this.logger.warn({ err: error, deploymentId: d.id }, 'health check failed'))));
    for (const d of this.tracker.all()) {
      if (d.state === 'running' || !this.memory.has(d.id)) continue;
      await this.ended(d);
    }
  }

  /** A judged deployment left `running`: a failure is the last health change; its series go away. */
  private async ended(d: TrackedDeployment): Promise<void> {
    const memory = this.memory.get(d.id)!;
    this.memory.delete(d.id);
    const previous = memory.report?.state ?? null;
    if (d.state === 'failed' && previous !== 'failing' && memory.report) {
      await this.publish(d, previous, 'failing', [`the deployment failed: ${d.engineFailure ?? 'no reason given'}`], memory.report.metrics);
    }
    await this.metrics.forget({ id: d.id, pipeline: d.pipeline, engine: d.engine });
  }

  private async check(d: TrackedDeployment): Promise<void> {
    const plan = d.plan!;
    const now = Date.now();
    let memory = this.memory.get(d.id);
    if (!memory) {
      memory = { histories: new Map(), positionSum: null, movedAt: now, checkpointBaseline: null, report: null };
      this.memory.set(d.id, memory);
    }
    const labels = { id: d.id, pipeline: d.pipeline, engine: d.engine };
    const errors: string[] = [];

    // ── broker offsets (and the table's, for exactly-once) ──
    const offsets = new Map<SourceRef, Awaited<ReturnType<KafkaOffsetsRepository['read']>>>();
    await Promise.all(
      plan.sources.map(async (source) => {
        try {
          const read = await this.kafka.read(source);
          offsets.set(source, read);
          for (const [partition, end] of read.ends) {
            const key = `${source.topic}:${partition}`;
            let history = memory.histories.get(key);
            if (!history) memory.histories.set(key, (history = new EndOffsetHistory()));
            history.record(now, end);
          }
        } catch (error) {
          errors.push(`Kafka offsets of ${source.topic} (group ${source.group}): ${describe(error)}`);
        }
      }),
    );
    const tableReports: DeploymentHealth['tables'][number][] = [];
    const tableOffsets = new Map<string, Map<number, bigint>>();
    await Promise.all(
      plan.tables.map(async (table) => {
        try {
          const seen = await this.tables.observe(table, plan.exactlyOnce ? plan.sources : [], (s) => offsets.get(s)?.ends.keys() ?? []);
          const ageMs = seen.snapshotAt === null ? null : Math.max(0, now - seen.snapshotAt);
          tableReports.push({ table: seen.table, snapshotId: seen.snapshotId, snapshotAt: iso(seen.snapshotAt), ageMs });
          if (ageMs !== null) this.metrics.table(labels, seen.table, ageMs);
          // several sinks each record the offsets: the least advanced one is what is safely consumed
          for (const [topic, byPartition] of seen.offsets) {
            const merged = tableOffsets.get(topic) ?? new Map<number, bigint>();
            for (const [p, o] of byPartition) merged.set(p, merged.has(p) && merged.get(p)! < o ? merged.get(p)! : o);
            tableOffsets.set(topic, merged);
          }
        } catch (error) {
          errors.push(`table ${table.catalog}.${[...table.namespace, table.name].join('.')}: ${describe(error)}`);
        }
      }),
    );

    const lag: DeploymentHealth['lag'][number][] = [];
    const lagByPartition: Record<string, number> = {};
    let positionSum = 0n;
    for (const [source, read] of offsets) {
      const fromTable = plan.exactlyOnce ? tableOffsets.get(source.topic) : undefined;
      const positions = new Map<number, bigint | null>();
      for (const p of read.ends.keys()) positions.set(p, fromTable?.get(p) ?? read.committed.get(p) ?? null);
      const computed = topicLag(source.topic, source.group, read.ends, positions, (p) => memory.histories.get(`${source.topic}:${p}`), now);
      const partitions = computed.partitions.map((p): PartitionReport => {
        const group = read.committed.get(p.partition) ?? null;
        const table = fromTable?.get(p.partition) ?? null;
        if (p.records !== null) lagByPartition[`${source.topic}:${p.partition}`] = p.records;
        if (p.committed !== null) positionSum += p.committed;
        return { partition: p.partition, end: String(p.end), groupOffset: group === null ? null : String(group), tableOffset: table === null ? null : String(table), records: p.records, groupRecords: recordsBehind(p.end, group), seconds: p.seconds };
      });
      lag.push({ topic: source.topic, group: source.group, records: computed.records, seconds: computed.seconds, partitions });
      this.metrics.lag(
        labels,
        partitions.flatMap((p) => [
          { topic: source.topic, partition: p.partition, records: p.groupRecords, source: 'group' as const },
          ...(plan.exactlyOnce ? [{ topic: source.topic, partition: p.partition, records: p.records, source: 'table' as const }] : []),
        ]),
        null,
        null,
      );
    }
    const measuredLag = offsets.size > 0;
    const lagRecords = measuredLag ? lag.reduce((sum, l) => sum + l.records, 0) : null;
    const lagSeconds = measuredLag ? lag.reduce((worst, l) => Math.max(worst, l.seconds), 0) : null;
    this.metrics.lag(labels, [], lagRecords, lagSeconds);
    if (measuredLag) {
      if (memory.positionSum !== null && positionSum > memory.positionSum) this.metrics.consumedRecords(labels, Number(positionSum - memory.positionSum));
      if (memory.positionSum === null || positionSum !== memory.positionSum || lagRecords === 0) memory.movedAt = now;
      memory.positionSum = positionSum;
    }

    // ── the engine ──
    let checkpoints: DeploymentHealth['checkpoints'] = null;
    let jobState: string | null = null;
    let consecutiveFailures: number | null = null;
    let progressAgeMs: number | null = null;
    let runningSince = d.runningSince ?? now;
    let heartbeatAgeMs: number | null = null;
    if (plan.engine === 'flink') {
      try {
        const { job, checkpoints: stats } = await this.flink.observe(d.jobId, plan.jobName);
        jobState = job?.state ?? null;
        if (job) runningSince = Math.max(runningSince, job.startTime);
        if (stats) {
          const completedId = stats.latestCompleted?.id ?? null;
          const baseline = memory.checkpointBaseline;
          const failedAfterCompleted = stats.latestFailure !== null && (stats.latestCompleted === null || stats.latestFailure.failedAt > stats.latestCompleted.finishedAt);
          if (!baseline || baseline.completedId !== completedId) {
            memory.checkpointBaseline = { completedId, failed: baseline || !failedAfterCompleted ? stats.failed : stats.failed - 1 };
          }
          consecutiveFailures = failedAfterCompleted ? stats.failed - memory.checkpointBaseline!.failed : 0;
          progressAgeMs = stats.latestCompleted ? Math.max(0, now - stats.latestCompleted.finishedAt) : null;
          checkpoints = {
            jobId: job!.id,
            jobState,
            completed: stats.completed,
            failed: stats.failed,
            lastCompleted: stats.latestCompleted && { id: stats.latestCompleted.id, finishedAt: iso(stats.latestCompleted.finishedAt)!, durationMs: stats.latestCompleted.durationMs, sizeBytes: stats.latestCompleted.sizeBytes },
            lastFailure: stats.latestFailure && { id: stats.latestFailure.id, failedAt: iso(stats.latestFailure.failedAt)!, message: stats.latestFailure.message },
          };
          this.metrics.checkpoint(labels, stats.latestCompleted && { durationMs: stats.latestCompleted.durationMs, sizeBytes: stats.latestCompleted.sizeBytes, ageMs: progressAgeMs ?? 0 }, stats.failed);
        } else {
          checkpoints = { jobId: null, jobState: null, completed: 0, failed: 0, lastCompleted: null, lastFailure: null };
        }
      } catch (error) {
        errors.push(`Flink job: ${describe(error)}`);
      }
    } else {
      const last = Math.max(0, ...d.heartbeats.values());
      heartbeatAgeMs = last > 0 ? Math.max(0, now - last) : null;
      progressAgeMs = d.lastBatch ? Math.max(0, now - d.lastBatch.at) : null;
      this.metrics.heartbeat(labels, heartbeatAgeMs);
    }

    const freshest = tableReports.reduce<number | null>((best, t) => (t.ageMs === null ? best : best === null ? t.ageMs : Math.min(best, t.ageMs)), null);
    const observation: Observation = {
      engine: plan.engine,
      runningForMs: Math.max(0, now - runningSince),
      lagRecords,
      lagSeconds,
      stuckForMs: lagRecords !== null && lagRecords > 0 ? now - memory.movedAt : null,
      heartbeatAgeMs,
      progressAgeMs,
      jobState,
      consecutiveCheckpointFailures: consecutiveFailures,
      checkpointIntervalMs: plan.checkpointIntervalMs,
      engineFailure: d.engineFailure,
      tableFreshnessMs: freshest,
    };
    const verdict = judge(observation, thresholdsFor(d.pipeline, this.config.thresholds, this.config.MONITOR_PIPELINE_THRESHOLDS));
    const metrics: HealthMetrics = {
      lagRecords,
      lagSeconds,
      lagByPartition,
      heartbeatAgeMs,
      progressAgeMs,
      checkpointFailures: consecutiveFailures,
      jobState,
      tableFreshnessMs: freshest,
    };
    const previous = memory.report?.state ?? null;
    const changed = previous !== verdict.state;
    memory.report = {
      deploymentId: d.id,
      pipeline: d.pipeline,
      version: d.version,
      engine: d.engine,
      lifecycle: d.state,
      state: verdict.state,
      since: changed ? iso(now) : memory.report!.since,
      reasons: verdict.reasons,
      measuredAt: iso(now),
      measureErrors: errors,
      metrics,
      lag,
      checkpoints,
      executors:
        plan.engine === 'microbatch'
          ? {
              instances: [...d.heartbeats].map(([instanceId, at]) => ({ instanceId, lastHeartbeat: iso(at)! })),
              batches: d.batches,
              lastBatch: d.lastBatch && { ...d.lastBatch, at: iso(d.lastBatch.at)! },
            }
          : null,
      tables: tableReports.sort((a, b) => a.table.localeCompare(b.table)),
    };
    this.metrics.healthState(labels, verdict.state, changed);
    if (changed) await this.publish(d, previous, verdict.state, verdict.reasons, metrics);
  }

  private async publish(d: TrackedDeployment, previous: HealthState | null, state: HealthState, reasons: readonly string[], metrics: HealthMetrics): Promise<void> {
    const log = state === 'healthy' ? 'info' : 'warn';
    this.logger[log]({ deploymentId: d.id, pipeline: d.pipeline, previous, state, reasons }, `deployment ${d.pipeline}/${d.id} is ${state}`);
    await this.controlPlane.publish('deployment.health-changed', d.id, {
      deploymentId: d.id,
      pipeline: d.pipeline,
      version: d.version,
      engine: d.engine,
      previous,
      state,
      severity: severityOf(state),
      reasons: [...reasons],
      metrics,
    });
  }

  private blank(d: TrackedDeployment): DeploymentHealth {
    return {
      deploymentId: d.id,
      pipeline: d.pipeline,
      version: d.version,
      engine: d.engine,
      lifecycle: d.state,
      state: null,
      since: null,
      reasons: [],
      measuredAt: null,
      measureErrors: [],
      metrics: { lagRecords: null, lagSeconds: null, lagByPartition: {}, heartbeatAgeMs: null, progressAgeMs: null, checkpointFailures: null, jobState: null, tableFreshnessMs: null },
      lag: [],
      checkpoints: null,
      executors: null,
      tables: [],
    };
  }
}
