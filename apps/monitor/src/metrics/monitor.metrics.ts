import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { HEALTH_STATES } from '@matih/contracts';

interface DeploymentLabels {
  readonly id: string;
  readonly pipeline: string;
  readonly engine: string;
}

/** The monitor's Prometheus series: lag, throughput, batches, checkpoints, tables, health. */
@Injectable()
export class MonitorMetrics {
  private readonly lagRecords: Gauge<'deployment' | 'pipeline' | 'topic' | 'partition' | 'source'>;
  private readonly lagRecordsTotal: Gauge<'deployment' | 'pipeline' | 'engine'>;
  private readonly lagSeconds: Gauge<'deployment' | 'pipeline' | 'engine'>;
  private readonly consumed: Counter<'deployment' | 'pipeline' | 'engine'>;
  private readonly batchDuration: Histogram<'deployment' | 'pipeline'>;
  private readonly batchRecords: Counter<'deployment' | 'pipeline'>;
  private readonly deadLetters: Counter<'deployment' | 'pipeline'>;
  private readonly checkpointDuration: Gauge<'deployment' | 'pipeline'>;
  private readonly checkpointSize: Gauge<'deployment' | 'pipeline'>;
  private readonly checkpointAge: Gauge<'deployment' | 'pipeline'>;
  private readonly checkpointsFailed: Gauge<'deployment' | 'pipeline'>;
  private readonly heartbeatAge: Gauge<'deployment' | 'pipeline'>;
  private readonly tableAge: Gauge<'deployment' | 'pipeline' | 'table'>;
  private readonly health: Gauge<'deployment' | 'pipeline' | 'engine' | 'state'>;
  private readonly healthChanges: Counter<'pipeline' | 'state'>;

  constructor(registry: Registry) {
    const registers = [registry];
    const d = ['deployment', 'pipeline'] as const;
    this.lagRecords = new Gauge({ name: 'matih_consumer_lag_records', help: 'Records a deployment is behind, per source partition (source: group or table offsets)', labelNames: [...d, 'topic', 'partition', 'source'], registers });
    this.lagRecordsTotal = new Gauge({ name: 'matih_consumer_lag_records_total', help: 'Records a deployment is behind, summed over partitions', labelNames: [...d, 'engine'], registers });
    this.lagSeconds = new Gauge({ name: 'matih_consumer_lag_seconds', help: 'Age of the oldest record a deployment has not consumed', labelNames: [...d, 'engine'], registers });
    this.consumed = new Counter({ name: 'matih_consumed_records_total', help: 'Records a deployment consumed (advance of its committed offsets)', labelNames: [...d, 'engine'], registers });
    this.batchDuration = new Histogram({ name: 'matih_microbatch_batch_duration_seconds', help: 'Duration of committed micro-batches', labelNames: [...d], buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120], registers });
    this.batchRecords = new Counter({ name: 'matih_microbatch_records_total', help: 'Records in committed micro-batches', labelNames: [...d], registers });
    this.deadLetters = new Counter({ name: 'matih_microbatch_dead_letters_total', help: 'Records micro-batches sent to the dead-letter topic', labelNames: [...d], registers });
    this.checkpointDuration = new Gauge({ name: 'matih_flink_checkpoint_duration_seconds', help: 'End-to-end duration of the last completed Flink checkpoint', labelNames: [...d], registers });
    this.checkpointSize = new Gauge({ name: 'matih_flink_checkpoint_size_bytes', help: 'Size of the last completed Flink checkpoint', labelNames: [...d], registers });
    this.checkpointAge = new Gauge({ name: 'matih_flink_checkpoint_age_seconds', help: 'Time since the last completed Flink checkpoint', labelNames: [...d], registers });
    this.checkpointsFailed = new Gauge({ name: 'matih_flink_checkpoints_failed', help: 'Failed checkpoints of the current Flink job', labelNames: [...d], registers });
    this.heartbeatAge = new Gauge({ name: 'matih_executor_heartbeat_age_seconds', help: 'Time since the last micro-batch executor heartbeat', labelNames: [...d], registers });
    this.tableAge = new Gauge({ name: 'matih_table_freshness_seconds', help: 'Age of the newest snapshot of a sink table', labelNames: [...d, 'table'], registers });
    this.health = new Gauge({ name: 'matih_deployment_health', help: '1 for the health state a running deployment is in, 0 for the others', labelNames: [...d, 'engine', 'state'], registers });
    this.healthChanges = new Counter({ name: 'matih_deployment_health_changes_total', help: 'Health state changes (alerts and recoveries)', labelNames: ['pipeline', 'state'], registers });
  }

  batchCommitted(d: { id: string; pipeline: string }, records: number, deadLetters: number, durationMs: number): void {
    const labels = { deployment: d.id, pipeline: d.pipeline };
    this.batchDuration.observe(labels, durationMs / 1_000);
    this.batchRecords.inc(labels, records);
    if (deadLetters > 0) this.deadLetters.inc(labels, deadLetters);
  }

  lag(d: DeploymentLabels, partitions: readonly { topic: string; partition: number; records: number | null; source: 'group' | 'table' }[], total: number | null, seconds: number | null): void {
    const base = { deployment: d.id, pipeline: d.pipeline };
    for (const p of partitions) if (p.records !== null) this.lagRecords.set({ ...base, topic: p.topic, partition: String(p.partition), source: p.source }, p.records);
    if (total !== null) this.lagRecordsTotal.set({ ...base, engine: d.engine }, total);
    if (seconds !== null) this.lagSeconds.set({ ...base, engine: d.engine }, seconds);
  }

  consumedRecords(d: DeploymentLabels, records: number): void {
    if (records > 0) this.consumed.inc({ deployment: d.id, pipeline: d.pipeline, engine: d.engine }, records);
  }

  checkpoint(d: DeploymentLabels, stats: { durationMs: number; sizeBytes: number; ageMs: number } | null, failed: number): void {
    const labels = { deployment: d.id, pipeline: d.pipeline };
    this.checkpointsFailed.set(labels, failed);
    if (!stats) return;
    this.checkpointDuration.set(labels, stats.durationMs / 1_000);
    this.checkpointSize.set(labels, stats.sizeBytes);
    this.checkpointAge.set(labels, stats.ageMs / 1_000);
  }

  heartbeat(d: DeploymentLabels, ageMs: number | null): void {
    if (ageMs !== null) this.heartbeatAge.set({ deployment: d.id, pipeline: d.pipeline }, ageMs / 1_000);
  }

  table(d: DeploymentLabels, table: string, ageMs: number): void {
    this.tableAge.set({ deployment: d.id, pipeline: d.pipeline, table }, ageMs / 1_000);
  }

  healthState(d: DeploymentLabels, state: string, changed: boolean): void {
    for (const s of HEALTH_STATES) this.health.set({ deployment: d.id, pipeline: d.pipeline, engine: d.engine, state: s }, s === state ? 1 : 0);
    if (changed) this.healthChanges.inc({ pipeline: d.pipeline, state });
  }

  /** A deployment that stopped running: its series go away rather than freeze at their last value. */
  async forget(d: DeploymentLabels): Promise<void> {
    const gauges = [this.lagRecords, this.lagRecordsTotal, this.lagSeconds, this.checkpointDuration, this.checkpointSize, this.checkpointAge, this.checkpointsFailed, this.heartbeatAge, this.tableAge, this.health] as Gauge<string>[];
    for (const gauge of gauges) {
      for (const { labels } of (await gauge.get()).values) if (labels.deployment === d.id) gauge.remove(labels as Record<string, string>);
    }
  }
}
