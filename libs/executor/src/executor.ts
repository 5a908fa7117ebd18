import { DuckDBInstance } from '@duckdb/node-api';
import type { MicrobatchPlan } from '@matih/contracts';
import { openCatalog, type PendingAppend, type SnapshotRetention, type Table } from '@matih/iceberg';
import { ensureSinkTable } from '@matih/planner';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Kafka, logLevel, type Admin, type Batch, type Consumer, type EachBatchPayload, type KafkaConfig, type LogEntry, type Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { budgetExceeded, deadLetterMessage, type DeadLetter, type DeadLetterContext } from './dead-letters';
import { createDecoder, type ValueDecoder } from './decode/decoders';
import { SchemaRegistryClient } from './decode/registry';
import { ExecutorError, ExecutorErrorCode, StaleBatchError } from './errors';
import { checkBrokerCertificates, kafkaClientConfig, resolveSecret, type Env } from './kafka-config';
import { Lane, type SourceRecord, type StagedRecord } from './lane';
import { heapWarning } from './memory';
import { Mutex } from './mutex';
import { checkFence, committedOffsets, offsetSummary, type BatchRange } from './offsets';

/** What one committed batch did (published as `batch.committed` in service mode). */
export interface BatchReport {
  records: number;
  rows: number;
  deadLetters: number;
  snapshotIds: string[];
  /** next offset per `topic:partition` */
  offsets: Record<string, string>;
  durationMs: number;
  /** time from sealing the batch to the end of the Kafka offset commit */
  commitMs: number;
  /** milliseconds per phase: decode, load, transform, write (Parquet files and manifests), commit (Iceberg), offsets (Kafka group) */
  phases: Record<string, number>;
}

export type StopReason = 'idle' | 'max-batches' | 'requested' | 'failed';

export interface ExecutorOutcome {
  reason: StopReason;
  batches: number;
  records: number;
  rows: number;
  deadLetters: number;
}

/** kafkajs fetch tuning (the defaults suit ~250-byte records at ≥ 50k records/s). */
export interface FetchTuning {
  maxBytes?: number;
  maxBytesPerPartition?: number;
  minBytes?: number;
  maxWaitTimeInMs?: number;
  /** consumer group session timeout (default 10 s; the broker's minimum is 6 s) */
  sessionTimeoutMs?: number;
}

export interface ExecutorOptions {
  plan: MicrobatchPlan;
  /** the pipeline's name (dead-letter headers, snapshot summary) */
  pipeline: string;
  deploymentId?: string | null;
  instanceId?: string;
  env?: Env;
  logger?: Logger;
  /** stop (exit 0 in task mode) once `idleTimeoutMs` passed without a record */
  untilIdle?: boolean;
  /** stop after this many committed batches */
  maxBatches?: number;
  fetch?: FetchTuning;
  /** DuckDB threads (default 1: the two lanes already run two batches' queries at once, and the consumer needs a core) */
  duckdbThreads?: number;
  onBatch?: (report: BatchReport) => void | Promise<void>;
  onAssignment?: (partitions: number[]) => void;
}

interface Accumulated {
  records: SourceRecord[];
  /** partition → next offset after the last record taken */
  end: Map<number, bigint>;
  openedAt: number;
}

/** A batch ready to commit: its records are in data files written for each sink, or dead letters. */
interface PreparedBatch extends Pick<SealedBatch, 'end' | 'start' | 'sealedAt'> {
  /** records consumed */
  count: number;
  dead: DeadLetter[];
  /** per sink: its data files, written and not committed yet */
  appends: PendingAppend[];
  /** rows written, all sinks */
  rows: number;
  phases: Record<string, number>;
  preparedFrom: number;
}

interface SealedBatch extends Accumulated {
  /** per sink: partition → the table offset this batch starts from (null: none yet) */
  start: Map<number, string | null>[];
  sealedAt: number;
}

const newAccumulator = (): Accumulated => ({ records: [], end: new Map(), openedAt: Date.now() });

/**
 * The micro-batch executor of one pipeline: consumes its Kafka source as a member of the source's
 * consumer group, runs the plan's DuckDB stages on each batch, appends the result to the Iceberg
 * sink(s) and commits.
 *
 * Exactly-once: the next offset of every topic-partition is stored in the Iceberg snapshot summary of
 * the commit that writes the batch (`matih.offsets.<group>.<topic>.<partition>`); on every
 * (re)assignment each partition is sought to the table's offset, and a batch commits only if the
 * table's offsets of its partitions are still those it started from (the zombie fence, checked by the
 * Iceberg commit itself against the state it commits on). Group offsets are committed to Kafka after
 * each table commit too, for lag tools. At-least-once: positions come from the group's offsets.
 *
 * Backpressure: at most three batches are in the writer (two on their lanes, one preparing while the
 * other commits, and one waiting for a lane) while the next accumulates (≤ `maxRecords` each); when
 * the next is full, kafkajs' fetch loop waits.
 */
export class MicrobatchExecutor {
  readonly instanceId: string;
  private readonly plan: MicrobatchPlan;
  private readonly source: MicrobatchPlan['sources'][number];
  private readonly env: Env;
  private readonly log: Logger | undefined;
  private readonly kafka: Kafka;
  private readonly kafkaConfig: KafkaConfig;
  private consumer: Consumer | undefined;
  private producer: Producer | undefined;
  private admin: Admin | undefined;
  private duck: DuckDBInstance | undefined;
  private spillDir: string | undefined;
  private lanes: Lane[] = [];
  /** batches sealed so far */
  private sealed = 0;
  /** the writes of the last batches sealed, by batch number modulo the number of lanes plus one */
  private written: Promise<void>[] = [];
  private tables: Table[] = [];
  private decoder: ValueDecoder | undefined;
  private readonly exactlyOnce: boolean;
  private readonly lock = new Mutex();

  private assigned: number[] = [];
  /** next offset to fetch per partition in this generation (undefined: not positioned yet) */
  private positions = new Map<number, bigint>();
  /** partitions whose first batch in this generation came from the expected position */
  private verified = new Set<number>();
  /** per sink: partition → the table offset after every sealed batch commits */
  private believed: Map<number, string | null>[] = [];
  private lags = new Map<number, bigint>();
  private ready: Promise<void> = Promise.resolve();
  private acc: Accumulated = newAccumulator();
  private inflight: Promise<void> = Promise.resolve();
  /** group offset commits, in batch order, behind the table commits */
  private groupCommits: Promise<void> = Promise.resolve();
  private generation = 0;
  private timer: NodeJS.Timeout | undefined;
  private lastRecordAt = Date.now();
  private rebalancing = false;
  private stopping: Promise<ExecutorOutcome> | undefined;
  private settle!: { resolve: (o: ExecutorOutcome) => void; reject: (e: unknown) => void };
  readonly done: Promise<ExecutorOutcome>;
  private readonly totals = { batches: 0, records: 0, rows: 0, deadLetters: 0 };
  private recordsSinceLast = 0;

  constructor(private readonly options: ExecutorOptions) {
    this.plan = options.plan;
    this.source = options.plan.sources[0]!;
    this.env = options.env ?? process.env;
    this.log = options.logger?.child({ pipeline: options.pipeline, deploymentId: options.deploymentId ?? undefined });
    this.instanceId = options.instanceId ?? `microbatch-${randomUUID().slice(0, 8)}`;
    this.exactlyOnce = options.plan.delivery === 'exactly_once';
    const log = this.log;
    this.kafkaConfig = kafkaClientConfig(this.source.connection, `matih-executor-${this.instanceId}`, this.env);
    this.kafka = new Kafka({
      ...this.kafkaConfig,
      logLevel: logLevel.WARN,
      logCreator: () => (entry: LogEntry) => {
        const { message, ...extra } = entry.log;
        if (entry.level <= logLevel.ERROR) log?.error({ kafka: extra, namespace: entry.namespace }, message);
        else log?.warn({ kafka: extra, namespace: entry.namespace }, message);
      },
      retry: { retries: 8 },
    });
    this.done = new Promise<ExecutorOutcome>((resolve, reject) => (this.settle = { resolve, reject }));
    this.done.catch(() => undefined);
  }

  /** Partitions this instance owns now, as `topic:partition`. */
  partitions(): string[] {
    return this.assigned.map((p) => `${this.source.topic}:${p}`);
  }

  /** Records taken since the last call (heartbeats). */
  takeRecordsSinceLast(): number {
    const n = this.recordsSinceLast;
    this.recordsSinceLast = 0;
    return n;
  }

  /** Opens tables, DuckDB, the dead-letter producer, and joins the consumer group. */
  async start(): Promise<void> {
    const source = this.source;
    const registry = source.schemaRegistry
      ? new SchemaRegistryClient({
          url: source.schemaRegistry.url,
          username: source.schemaRegistry.username,
          password: source.schemaRegistry.password ? resolveSecret(source.schemaRegistry.password, this.env) : null,
        })
      : null;
    this.decoder = createDecoder(source.format, registry);
    // each sink's catalog is where the plan says; its password comes from this executor's environment
    for (const sink of this.plan.sinks) {
      this.tables.push(await ensureSinkTable(await openCatalog(sink.catalog, this.env), sink, { 'matih.created-by': 'microbatch-executor', 'write.metadata.delete-after-commit.enabled': 'true' }));
    }
    this.believed = this.plan.sinks.map(() => new Map());

    // two lanes' batches, transform outputs and staged Parquet; beyond its limit DuckDB spills to its own temp folder
    const memoryMb = Math.max(96, Math.ceil((this.plan.maxRecords * 8) / 1024));
    this.spillDir = path.join(os.tmpdir(), `matih-duckdb-${this.instanceId}`);
    this.duck = await DuckDBInstance.create(':memory:', { threads: String(this.options.duckdbThreads ?? 1), memory_limit: `${memoryMb}MB`, temp_directory: this.spillDir });
    for (let i = 0; i < 2; i++) {
      const lane = new Lane(await this.duck.connect(), this.plan);
      await lane.init();
      this.lanes.push(lane);
    }

    await checkBrokerCertificates(this.kafkaConfig, source.connection);
    this.admin = this.kafka.admin();
    await this.admin.connect();
    await this.ensureTopics();
    this.producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await this.producer.connect();

    const f = this.options.fetch ?? {};
    const consumer = this.kafka.consumer({
      groupId: source.consumerGroup,
      // a dead instance's partitions move to the others within seconds
      sessionTimeout: f.sessionTimeoutMs ?? 10_000,
      rebalanceTimeout: 60_000,
      heartbeatInterval: 3_000,
      // a fetch is decoded at once and its records live until their batch is loaded: smaller fetches
      // keep fewer of them alive through collections (1 MB a partition was fastest, raw consumption too)
      maxBytes: f.maxBytes ?? 4 * 1024 * 1024,
      maxBytesPerPartition: f.maxBytesPerPartition ?? 1024 * 1024,
      minBytes: f.minBytes ?? 1,
      maxWaitTimeInMs: f.maxWaitTimeInMs ?? Math.min(this.plan.pollTimeoutMs, 500),
      allowAutoTopicCreation: false,
      readUncommitted: false,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.REBALANCING, () => (this.rebalancing = true));
    consumer.on(consumer.events.GROUP_JOIN, (event) => this.onAssignment(event.payload.memberAssignment[source.topic] ?? []));
    consumer.on(consumer.events.CRASH, (event) => {
      if (!event.payload.restart) void this.fail(event.payload.error);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [source.topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: (payload) => this.onBatch(payload),
    });
    this.timer = setInterval(() => void this.tick(), 250);
    this.log?.info({ topic: source.topic, group: source.consumerGroup, delivery: this.plan.delivery, instanceId: this.instanceId }, 'executor started');
    const heap = heapWarning(this.plan.maxRecords);
    if (heap) this.log?.warn(heap);
  }

  /** Drains (the batch in hand is committed), leaves the group and closes everything. */
  stop(reason: StopReason = 'requested'): Promise<ExecutorOutcome> {
    this.stopping ??= this.drain(reason);
    return this.stopping;
  }

  // ── assignment and positions ───────────────────────────────────────────────────────────────

  private onAssignment(partitions: number[]): void {
    this.rebalancing = false;
    this.lastRecordAt = Date.now(); // idle time counts from when this member has its partitions
    this.generation++;
    this.assigned = [...partitions].sort((a, b) => a - b);
    this.positions = new Map();
    this.verified = new Set();
    this.acc = newAccumulator(); // records of the previous generation may belong to another member now
    this.lags.clear();
    const generation = this.generation;
    this.log?.info({ partitions: this.assigned, generation }, 'partitions assigned');
    this.options.onAssignment?.(this.assigned);
    this.ready = this.inflight.catch(() => undefined).then(() => this.resolvePositions(generation));
    this.ready.catch((e: unknown) => void this.fail(e));
  }

  /** Reads where each assigned partition stands (table or group offsets, else start_offset) and seeks there. */
  private async resolvePositions(generation: number): Promise<void> {
    const topic = this.source.topic;
    const group = this.source.consumerGroup;
    const parts = this.assigned;
    for (const t of this.tables) await t.refresh();
    const perSink = this.tables.map((t) => committedOffsets(t.metadata, group, topic, parts));
    this.believed = perSink.map((m) => new Map(parts.map((p) => [p, m.get(p) ?? null])));
    const positions = new Map<number, bigint>();
    const lowest = (offsets: bigint[]) => offsets.reduce((a, b) => (a < b ? a : b));
    /** the offsets the sinks' tables have for a partition (exactly-once) */
    const known = (p: number) => (this.exactlyOnce ? perSink.flatMap((m) => (m.has(p) ? [BigInt(m.get(p)!)] : [])) : []);
    let missing: number[] = [];
    if (this.exactlyOnce) {
      // a sink without an offset for a partition starts it at start_offset: a sink added to the plan,
      // or one whose first commit a crash prevented while another sink committed
      for (const p of parts) {
        if (perSink.every((m) => m.has(p))) positions.set(p, lowest(known(p)));
        else missing.push(p);
      }
    } else {
      missing = [...parts];
      const committed = await this.admin!.fetchOffsets({ groupId: group, topics: [topic] });
      for (const { partition, offset } of committed[0]?.partitions ?? []) {
        if (parts.includes(partition) && Number(offset) >= 0) {
          positions.set(partition, BigInt(offset));
          missing = missing.filter((m) => m !== partition);
        }
      }
    }
    if (missing.length) {
      for (const [p, o] of await this.startOffsets(missing)) positions.set(p, lowest([o, ...known(p)]));
    }
    if (generation !== this.generation) return;
    this.positions = positions;
    this.verified = new Set();
    for (const [partition, offset] of positions) this.consumer!.seek({ topic, partition, offset: offset.toString() });
    this.log?.info({ positions: Object.fromEntries([...positions].map(([p, o]) => [p, o.toString()])), generation }, 'positions resolved');
  }

  /** `start_offset` for partitions neither the table nor (in group_offsets mode) the group has an offset for. */
  private async startOffsets(partitions: number[]): Promise<Map<number, bigint>> {
    const topic = this.source.topic;
    const admin = this.admin!;
    const mode = this.source.startOffset;
    const bounds = await admin.fetchTopicOffsets(topic);
    const out = new Map<number, bigint>();
    let byTime: Map<number, string> | undefined;
    if (mode.mode === 'timestamp') {
      byTime = new Map((await admin.fetchTopicOffsetsByTimestamp(topic, mode.epochMillis)).map((e) => [e.partition, e.offset]));
    }
    let groupOffsets: Map<number, string> | undefined;
    if (mode.mode === 'group_offsets') {
      const committed = await admin.fetchOffsets({ groupId: this.source.consumerGroup, topics: [topic] });
      groupOffsets = new Map((committed[0]?.partitions ?? []).map((e) => [e.partition, e.offset]));
    }
    for (const p of partitions) {
      const b = bounds.find((x) => x.partition === p);
      const low = BigInt(b?.low ?? '0');
      const high = BigInt(b?.high ?? '0');
      let o: bigint;
      if (mode.mode === 'earliest') o = low;
      else if (mode.mode === 'latest') o = high;
      else if (mode.mode === 'timestamp') {
        const t = BigInt(byTime?.get(p) ?? '-1');
        o = t < 0n ? high : t;
      } else {
        const g = BigInt(groupOffsets?.get(p) ?? '-1');
        o = g < 0n ? low : g;
      }
      out.set(p, o < low ? low : o);
    }
    return out;
  }

  // ── consuming ──────────────────────────────────────────────────────────────────────────────

  private async onBatch({ batch, resolveOffset, heartbeat, isStale }: EachBatchPayload): Promise<void> {
    const pacemaker = setInterval(() => void heartbeat().catch(() => undefined), 2_000);
    try {
      await this.ready;
      await this.lock.run(() => this.take(batch, resolveOffset, isStale));
    } finally {
      clearInterval(pacemaker);
    }
  }

  private async take(batch: Batch, resolveOffset: (offset: string) => void, isStale: () => boolean): Promise<void> {
    if (this.stopping || isStale()) return;
    const p = batch.partition;
    const expected = this.positions.get(p);
    if (expected === undefined) return; // not (yet) positioned in this generation: the seek is pending
    const fetched = BigInt((batch as Batch & { fetchedOffset: string }).fetchedOffset);
    if (fetched !== expected && !(fetched > expected && this.verified.has(p))) {
      // fetched from somewhere else than where the table says (a fetch issued before our seek): refetch
      this.log?.debug({ partition: p, fetched: fetched.toString(), expected: expected.toString() }, 'batch from an unexpected position dropped');
      this.consumer!.seek({ topic: batch.topic, partition: p, offset: expected.toString() });
      return;
    }
    this.verified.add(p);
    const messages = batch.messages;
    const max = this.plan.maxRecords;
    const generation = this.generation;
    let i = 0;
    while (i < messages.length) {
      const room = max - this.acc.records.length;
      const n = Math.min(room, messages.length - i);
      for (let k = i; k < i + n; k++) {
        const m = messages[k]!;
        this.acc.records.push({ topic: batch.topic, partition: p, offset: m.offset, timestamp: m.timestamp, key: m.key ?? null, value: m.value ?? null, headers: m.headers });
      }
      i += n;
      const last = messages[i - 1]!;
      const next = i === messages.length ? BigInt(batch.lastOffset()) + 1n : BigInt(last.offset) + 1n;
      this.acc.end.set(p, next);
      this.positions.set(p, next);
      this.recordsSinceLast += n;
      this.lastRecordAt = Date.now();
      if (this.acc.records.length >= max) await this.seal();
      if (this.stopping) break;
      // the group rebalanced (or a batch failed the fence) while the sealed batch waited for its lane:
      // the rest of this fetch belongs to the old generation, whose positions are gone; the new one
      // seeks to the table's offsets and reads it again
      if (generation !== this.generation) return;
    }
    if (messages.length && i === messages.length) resolveOffset(messages[messages.length - 1]!.offset);
    this.lags.set(p, BigInt(batch.offsetLag()));
    const caughtUp = [...this.lags.values()].every((l) => l <= 0n);
    if (caughtUp && this.acc.records.length > 0) await this.seal();
  }

  private async tick(): Promise<void> {
    if (this.stopping) return;
    const now = Date.now();
    if (this.acc.records.length > 0 && now - this.acc.openedAt >= this.plan.pollTimeoutMs) {
      await this.lock.run(async () => {
        if (this.acc.records.length > 0 && !this.stopping) {
          this.consumer?.pause([{ topic: this.source.topic }]);
          try {
            await this.seal();
          } finally {
            this.consumer?.resume([{ topic: this.source.topic }]);
          }
        }
      });
    }
    if (this.rebalancing) this.lastRecordAt = now;
    if (this.options.untilIdle && this.acc.records.length === 0 && now - this.lastRecordAt >= this.plan.idleTimeoutMs) {
      this.log?.info({ idleMs: now - this.lastRecordAt }, 'idle: stopping');
      void this.stop('idle');
    }
  }

  /**
   * Closes the batch in hand and starts writing it. Writing is a two-stage pipeline: a batch is
   * prepared (decoded, loaded, transformed, and its data files written) on its own DuckDB lane while
   * the previous one commits; commits (dead letters, then a snapshot per sink) happen one at a time,
   * in order. At most two batches are in the writer while the next accumulates: a batch waits for its
   * lane, i.e. for the commit of the batch before the previous one. Files of a batch that does not
   * commit (rebalance, fence, stop) are deleted.
   */
  private async seal(): Promise<void> {
    const sealed: SealedBatch = { ...this.acc, start: [], sealedAt: Date.now() };
    this.acc = newAccumulator();
    if (sealed.records.length === 0) return;
    const generation = this.generation;
    const n = this.sealed++;
    const turn = n % this.lanes.length;
    // backpressure: one sealed batch may wait for a lane; the next waits here, and with it kafkajs' fetch loop
    const depth = this.lanes.length + 1;
    await this.written[n % depth];
    // a batch failed the fence, or the group rebalanced: this one started from a stale position
    if (generation !== this.generation || this.failedError || this.stopping) return;
    for (let s = 0; s < this.believed.length; s++) {
      const b = this.believed[s]!;
      const start = new Map<number, string | null>();
      for (const [p, end] of sealed.end) {
        const from = b.get(p) ?? null;
        start.set(p, from);
        if (from === null || BigInt(from) < end) b.set(p, end.toString());
      }
      sealed.start.push(start);
    }
    // its lane is free once the batch before the previous one (the last to use it) is written
    const laneFree = this.written[(n + depth - this.lanes.length) % depth];
    const prepared = (async () => {
      await laneFree;
      // the group rebalanced, or a batch failed, while this one waited
      if (generation !== this.generation || this.failedError) return null;
      return this.prepare(sealed, this.lanes[turn]!);
    })();
    prepared.catch(() => undefined); // handled in order, below
    const previous = this.inflight;
    this.inflight = (async () => {
      await previous;
      const batch = await prepared;
      if (!batch) return;
      // the previous batch failed the fence, or the group rebalanced meanwhile, or the run has its batches
      if (generation !== this.generation || this.failedError || this.batchLimitReached()) {
        await Promise.all(batch.appends.map((a) => a.abort()));
        return;
      }
      await this.commit(batch, generation);
    })().catch((e: unknown) => this.onWriteError(e, generation));
    this.written[n % depth] = this.inflight;
  }

  private failedError: unknown;

  private async onWriteError(e: unknown, generation: number): Promise<void> {
    if (e instanceof StaleBatchError) {
      this.log?.warn({ reason: e.message }, 'batch not committed: the table moved on; repositioning from the table');
      if (generation === this.generation) {
        // everything accumulated since started from offsets that are not the table's: start over from the table
        this.generation++;
        this.acc = newAccumulator();
        this.positions = new Map();
        const g = this.generation;
        this.ready = this.resolvePositions(g);
        this.ready.catch((err: unknown) => void this.fail(err));
      }
      return;
    }
    // not awaited: stopping waits for the batch in flight, which is this one
    void this.fail(e);
  }

  // ── writing a batch ────────────────────────────────────────────────────────────────────────

  /** Stage one: decode, load, transform and check a batch on its lane; nothing leaves the executor. */
  private async prepare(batch: SealedBatch, lane: Lane): Promise<PreparedBatch> {
    const t0 = Date.now();
    const phases: Record<string, number> = {};
    let tp = performance.now();
    const phase = (name: string) => {
      const now = performance.now();
      phases[name] = Math.round(now - tp);
      tp = now;
    };
    const records = batch.records;
    const dead: DeadLetter[] = [];
    const letter = (index: number, stage: DeadLetter['stage'], reason: string): DeadLetter => {
      const r = records[index]!;
      return { topic: r.topic, partition: r.partition, offset: r.offset, timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers, stage, reason };
    };

    // 1. decode (Avro/protobuf through the registry); JSON validity is checked by DuckDB
    const decoder = this.decoder!;
    await decoder.prepare(records.map((r) => r.value));
    const staged: StagedRecord[] = [];
    for (let i = 0; i < records.length; i++) {
      const d = decoder.decode(records[i]!.value);
      if (d.ok) staged.push({ index: i, text: d.text });
      else dead.push(letter(i, 'decode', d.reason));
    }
    phase('decode');
    // 2. load, validate, transform, check against the table schemas
    await lane.load(records, staged);
    phase('load');
    const result = await lane.run(this.source.format === 'json');
    phase('transform');
    for (const f of result.failed) dead.push(letter(f.index, f.stage, f.reason));

    // 3. the error budget, before anything leaves the executor
    const over = budgetExceeded(records.length, dead.length, this.plan.errorBudget);
    if (over) throw new ExecutorError(ExecutorErrorCode.ErrorBudgetExceeded, `${over}; first failure at ${dead[0]!.topic}[${dead[0]!.partition}]@${dead[0]!.offset}: ${dead[0]!.reason}`);

    // 4. each sink's data files, written while the batch before commits; none is visible until its commit
    const first = new Map<number, bigint>();
    for (const r of records) if (!first.has(r.partition)) first.set(r.partition, BigInt(r.offset));
    const appends: PendingAppend[] = [];
    let rows = 0;
    try {
      for (let s = 0; s < this.tables.length; s++) {
        // records below a table's offsets were committed to it already (only after a partial multi-sink commit)
        const behind = new Map([...batch.start[s]!].filter((e): e is [number, string] => e[1] !== null && first.has(e[0]) && first.get(e[0])! < BigInt(e[1])));
        await lane.startAt(behind.size ? behind : null);
        const pending = await this.withRetries(() => this.tables[s]!.writeAppend(lane.sinkInput(s)));
        appends.push(pending);
        rows += Number(pending.records);
      }
      await lane.startAt(null);
    } catch (e) {
      await Promise.all(appends.map((a) => a.abort()));
      throw e;
    }
    phase('write');
    return { end: batch.end, start: batch.start, sealedAt: batch.sealedAt, count: records.length, dead, appends, rows, phases, preparedFrom: t0 };
  }

  /** Stage two, one batch at a time and in order: dead letters, the fenced table commit(s); then group offsets. */
  private async commit(batch: PreparedBatch, generation: number): Promise<void> {
    const { dead, appends, phases } = batch;
    let tp = performance.now();
    const phase = (name: string) => {
      const now = performance.now();
      phases[name] = Math.round(now - tp);
      tp = now;
    };

    // 5. dead letters are acknowledged by Kafka before the batch commits: they never vanish
    if (dead.length) {
      const ctx: DeadLetterContext = { pipeline: this.options.pipeline, deploymentId: this.options.deploymentId ?? null, consumerGroup: this.source.consumerGroup };
      dead.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
      await this.producer!.send({ topic: this.source.deadLetterTopic, acks: -1, messages: dead.map((d) => deadLetterMessage(d, ctx)) });
    }

    // 6. commit each sink's files with the offsets in the same commit, fenced
    const snapshotIds: string[] = [];
    let s = 0;
    try {
      for (; s < this.tables.length; s++) {
        const table = this.tables[s]!;
        const range: BatchRange = { group: this.source.consumerGroup, topic: this.source.topic, start: batch.start[s]!, end: new Map() };
        for (const [p, end] of batch.end) {
          const from = range.start.get(p);
          range.end.set(p, from !== null && from !== undefined && BigInt(from) > end ? from : end.toString());
        }
        const summary: Record<string, string> = {
          'matih.pipeline': this.options.pipeline,
          'matih.executor': this.instanceId,
          'matih.batch.records': String(batch.count),
          'matih.batch.dead-letters': String(dead.length),
        };
        if (this.options.deploymentId) summary['matih.deployment'] = this.options.deploymentId;
        const exactlyOnce = this.exactlyOnce;
        const committed = await this.withRetries(() =>
          appends[s]!.commit({
            summary,
            retain: snapshotRetention(table.metadata.properties),
            precondition: (meta) => {
              if (exactlyOnce) checkFence(meta, range);
              Object.assign(summary, offsetSummary(meta, range, { monotonic: !exactlyOnce }));
            },
          }),
        );
        snapshotIds.push(committed.snapshotId.toString());
      }
    } catch (e) {
      await Promise.all(appends.slice(s).map((a) => a.abort()));
      throw e;
    }
    phase('commit');
    this.totals.batches++;
    this.totals.records += batch.count;
    this.totals.rows += batch.rows;
    this.totals.deadLetters += dead.length;

    // 7. group offsets for lag tools (and the position itself in at-least-once mode), in order, while the next batch commits
    const offsets: Record<string, string> = {};
    for (const [p, end] of batch.end) offsets[`${this.source.topic}:${p}`] = end.toString();
    const previous = this.groupCommits;
    this.groupCommits = (async () => {
      await previous;
      if (generation === this.generation && !this.failedError) {
        try {
          await this.consumer!.commitOffsets([...batch.end].map(([partition, end]) => ({ topic: this.source.topic, partition, offset: end.toString() })));
        } catch (e) {
          this.log?.warn({ err: e }, 'group offsets not committed (the table holds them)');
        }
      }
      phase('offsets');
      const report: BatchReport = { records: batch.count, rows: batch.rows, deadLetters: dead.length, snapshotIds, offsets, durationMs: Date.now() - batch.preparedFrom, commitMs: Date.now() - batch.sealedAt, phases };
      this.log?.info(report, 'batch committed');
      await this.options.onBatch?.(report);
    })().catch((e: unknown) => void this.fail(e));
    if (this.batchLimitReached()) void this.stop('max-batches');
  }

  private batchLimitReached(): boolean {
    return this.options.maxBatches !== undefined && this.totals.batches >= this.options.maxBatches;
  }

  /** Retries transient failures of a commit (catalog or storage); the fence makes a retry safe. */
  private async withRetries<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        if (e instanceof ExecutorError || attempt >= 4) throw e;
        this.log?.warn({ err: e, attempt }, 'append failed; retrying');
        await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
      }
    }
  }

  // ── stopping ───────────────────────────────────────────────────────────────────────────────

  private async fail(error: unknown): Promise<void> {
    if (this.failedError) return;
    this.failedError = error;
    this.log?.error({ err: error }, 'executor failed');
    await this.stop('failed').catch(() => undefined);
  }

  private async drain(reason: StopReason): Promise<ExecutorOutcome> {
    if (this.timer) clearInterval(this.timer);
    try {
      this.consumer?.pause([{ topic: this.source.topic }]);
      if (!this.failedError) {
        await this.lock.run(async () => {
          if (reason !== 'max-batches' && reason !== 'failed' && this.acc.records.length > 0) {
            const stopping = this.stopping;
            this.stopping = undefined; // let seal() run
            try {
              await this.seal();
            } finally {
              this.stopping = stopping;
            }
          }
        });
      }
      await this.inflight.catch(() => undefined);
      await this.groupCommits;
    } finally {
      await this.close();
    }
    const outcome: ExecutorOutcome = { reason: this.failedError ? 'failed' : reason, ...this.totals };
    if (this.failedError) this.settle.reject(this.failedError);
    else this.settle.resolve(outcome);
    this.log?.info(outcome, 'executor stopped');
    return outcome;
  }

  private async close(): Promise<void> {
    const quietly = async (f: (() => Promise<unknown>) | undefined) => {
      try {
        await f?.();
      } catch (e) {
        this.log?.warn({ err: e }, 'error while closing');
      }
    };
    await quietly(this.consumer ? () => this.consumer!.disconnect() : undefined);
    await quietly(this.producer ? () => this.producer!.disconnect() : undefined);
    await quietly(this.admin ? () => this.admin!.disconnect() : undefined);
    for (const lane of this.lanes) lane.connection.closeSync();
    this.lanes = [];
    this.duck?.closeSync();
    if (this.spillDir) fs.rmSync(this.spillDir, { recursive: true, force: true });
  }

  /**
   * The source topic must exist (the executor never creates it): a missing one fails the start with
   * the reason, rather than the consumer waiting for it. The dead-letter topic is created if missing,
   * with the source's partition count.
   */
  private async ensureTopics(): Promise<void> {
    const admin = this.admin!;
    const existing = new Set(await admin.listTopics());
    if (!existing.has(this.source.topic)) {
      throw new ExecutorError(
        ExecutorErrorCode.SourceTopicMissing,
        `the source topic ${this.source.topic} does not exist on ${this.source.connection.bootstrapServers.join(',')}: create it, or correct sources.${this.source.name}.topic`,
      );
    }
    const topic = this.source.deadLetterTopic;
    if (existing.has(topic)) return;
    const meta = await admin.fetchTopicMetadata({ topics: [this.source.topic] });
    const partitions = meta.topics[0]?.partitions.length ?? 1;
    try {
      await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions }] });
    } catch (e) {
      if (!/already exists/i.test((e as Error).message)) throw e;
    }
  }
}

/**
 * The snapshots the executor keeps in a table it appends to: it commits every batch, many times a
 * minute, so history is bounded by count (`matih.history.max-snapshots`, default 200) as well as by
 * Iceberg's age property (`history.expire.max-snapshot-age-ms`, default five days).
 */
export function snapshotRetention(properties: Record<string, string>): SnapshotRetention {
  return { max: Number(properties['matih.history.max-snapshots'] ?? 200), maxAgeMs: Number(properties['history.expire.max-snapshot-age-ms'] ?? 5 * 24 * 3600 * 1000) };
}
