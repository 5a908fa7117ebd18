/*
 * Benchmark of the micro-batch executor, end to end on the local stack, in one run:
 *   (a) raw kafkajs consumption of the topic (the ceiling): eachBatch, count bytes, commit group
 *       offsets every 10 000 records;
 *   (b) the executor running the reference page's pipeline (examples/clickstream.yaml, compiled for
 *       the micro-batch engine: its JSON_VALUE transform, partitioned by day): Kafka → DuckDB
 *       (decode, JSON check, the transform, schema check) → Parquet → Iceberg commit with offsets in
 *       the snapshot (exactly-once) → group offsets, max_records 10 000.
 * Each runs in its own process (so peak RSS is its own), the executor with the heap limit its
 * launchers give it, over the same ~250-byte JSON clickstream events, with the same fetch sizes (the
 * executor's defaults, also the fastest for raw consumption here); prints records/s, MB/s (record
 * values), batch commit latency p50/p99, peak RSS and the CPU time each process used. Both clocks
 * run from the partitions' assignment (the group joined) to the last record consumed (raw) or
 * committed to the table (executor); the time before it (the executor: its table, DuckDB and
 * connections) is printed apart, as setup. Both run several rounds, one after the other (a new
 * group, and for the executor a new table, each round), and the ratio is that of the medians: one
 * run of either varies by ±15% on a shared machine.
 * MATIH_BENCH_PHASES=1 also prints each batch's phases and the memory at the executor's RSS peak.
 *
 *   npm run bench:microbatch          (needs the local stack: `npx matih stack up`)
 *   MATIH_BENCH_RECORDS=500000 MATIH_BENCH_PARTITIONS=4 MATIH_BENCH_ROUNDS=3 to change the size.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { MicrobatchPlan } from '@matih/contracts';
import { MicrobatchExecutor, executorNodeOptions } from '@matih/executor';
import { openCatalog } from '@matih/iceberg';
import { loadDefinition } from '@matih/pipeline-spec';
import { compilePlan, localStackCatalogs } from '@matih/planner';
import { repoRoot, stackEndpoints } from '@matih/stack';
import { clickEvent, createTopic, uniq } from '@matih/executor/testing';

const RECORDS = Number(process.env['MATIH_BENCH_RECORDS'] ?? 500_000);
const PARTITIONS = Number(process.env['MATIH_BENCH_PARTITIONS'] ?? 4);
const ROUNDS = Number(process.env['MATIH_BENCH_ROUNDS'] ?? 3);
/** the executor's default fetch sizes */
const FETCH = { maxBytes: 4 * 1024 * 1024, maxBytesPerPartition: 1024 * 1024, minBytes: 1, maxWaitTimeInMs: 500 };

interface Result {
  mode: string;
  records: number;
  bytes: number;
  /** from the partitions' assignment (the group joined) to the last record consumed (raw) or committed (executor) */
  seconds: number;
  /** from creating the client (the executor: tables, DuckDB, connections) to the assignment */
  setupSeconds: number;
  latencies: number[];
  peakRssMb: number;
  batches: number;
  /** CPU seconds (user + system) the process used, all threads */
  cpuSeconds: number;
}

const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

const pct = (xs: number[], p: number): number => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

async function produce(topic: string): Promise<number> {
  const kafka = new Kafka({ clientId: 'bench-producer', brokers: stackEndpoints().kafka.brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  let bytes = 0;
  const chunk = 10_000;
  const inflight: Promise<unknown>[] = [];
  for (let s = 0; s < RECORDS; s += chunk) {
    const messages = [];
    for (let seq = s; seq < Math.min(RECORDS, s + chunk); seq++) {
      const value = clickEvent(seq);
      bytes += Buffer.byteLength(value);
      messages.push({ key: `k${seq}`, value });
    }
    inflight.push(producer.send({ topic, messages, acks: 1 }));
    if (inflight.length >= 4) await inflight.shift();
  }
  await Promise.all(inflight);
  await producer.disconnect();
  return bytes;
}

async function raw(topic: string): Promise<Result> {
  const kafka = new Kafka({ clientId: 'bench-raw', brokers: stackEndpoints().kafka.brokers, logLevel: logLevel.NOTHING });
  const setup = Date.now();
  const consumer = kafka.consumer({ groupId: uniq('bench-raw'), ...FETCH });
  let t0 = 0;
  consumer.on(consumer.events.GROUP_JOIN, () => (t0 ||= Date.now()));
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let records = 0;
  let bytes = 0;
  let sinceCommit = 0;
  const latencies: number[] = [];
  let batches = 0;
  await new Promise<void>((resolve) => {
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) bytes += m.value?.length ?? 0;
        records += batch.messages.length;
        sinceCommit += batch.messages.length;
        if (sinceCommit >= 10_000 || records >= RECORDS) {
          const c0 = Date.now();
          await consumer.commitOffsets([{ topic, partition: batch.partition, offset: (BigInt(batch.lastOffset()) + 1n).toString() }]);
          latencies.push(Date.now() - c0);
          batches++;
          sinceCommit = 0;
        }
        if (records >= RECORDS) resolve();
      },
    });
  });
  const seconds = (Date.now() - t0) / 1000;
  await consumer.disconnect();
  return { mode: 'raw kafkajs', records, bytes, seconds, setupSeconds: (t0 - setup) / 1000, latencies, peakRssMb: process.resourceUsage().maxRSS / 1024, batches, cpuSeconds: cpuSeconds() };
}

/** The reference page's pipeline on the benchmark's topic and a table of its own, as the micro-batch engine runs it. */
function seedPlan(topic: string, table: string): MicrobatchPlan {
  const file = path.join(repoRoot(), 'examples', 'clickstream.yaml');
  let text = readFileSync(file, 'utf8');
  const edits: [string | RegExp, string][] = [
    ['topic: matih.web.clickstream', `topic: ${topic}`],
    ['consumer_group: pipeline-clickstream-v1', `consumer_group: ${table}-group`],
    ['start_offset: latest', 'start_offset: earliest'],
    ['table: analytics.web.clickstream_events', `table: analytics.bench.${table}`],
    [/orchestration:[\s\S]*$/, 'orchestration:\n  engine: airflow\n  max_records: 10000\n'],
  ];
  for (const [from, to] of edits) {
    if (!text.match(from)) throw new Error(`${file} no longer has ${String(from)}: update the benchmark`);
    text = text.replace(from, to);
  }
  const loaded = loadDefinition(text, { file, env: { KAFKA_CONNECTION: stackEndpoints().kafka.brokers.join(','), SCHEMA_REGISTRY_URL: 'http://127.0.0.1:18999' } });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.diagnostics));
  const compiled = compilePlan(loaded.definition, { target: 'microbatch', deploymentId: randomUUID(), catalogs: localStackCatalogs(stackEndpoints().stateDir) });
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.diagnostics));
  return compiled.plan as MicrobatchPlan;
}

async function executor(topic: string, table: string): Promise<Result> {
  const plan = seedPlan(topic, table);
  let records = 0;
  const latencies: number[] = [];
  let batches = 0;
  let t0 = 0;
  let finished!: () => void;
  const done = new Promise<void>((r) => (finished = r));
  const ex = new MicrobatchExecutor({
    plan,
    pipeline: 'bench',
    env: { ...process.env, MATIH_ICEBERG_JDBC_PASSWORD: stackEndpoints().postgres.password },
    onAssignment: () => (t0 ||= Date.now()),
    onBatch: (r) => {
      records += r.records;
      latencies.push(r.commitMs);
      if (process.env['MATIH_BENCH_PHASES']) process.stderr.write(`${JSON.stringify(r.phases)} ${r.commitMs}\n`);
      batches++;
      if (records >= RECORDS) finished();
    },
  });
  let peak = process.memoryUsage();
  const sampler = process.env['MATIH_BENCH_PHASES']
    ? setInterval(() => {
        const m = process.memoryUsage();
        if (m.rss > peak.rss) peak = m;
      }, 50)
    : undefined;
  const start = Date.now();
  await ex.start();
  if (process.env['MATIH_BENCH_PHASES']) process.stderr.write(`executor started in ${Date.now() - start} ms, rss ${Math.round(process.memoryUsage().rss / 2 ** 20)} MB\n`);
  await done;
  const end = Date.now();
  await ex.stop();
  if (sampler) {
    clearInterval(sampler);
    const mb = (n: number) => Math.round(n / 2 ** 20);
    process.stderr.write(`memory at the RSS peak (MB): rss ${mb(peak.rss)}, heap ${mb(peak.heapUsed)}/${mb(peak.heapTotal)}, external ${mb(peak.external)}, array buffers ${mb(peak.arrayBuffers)}\n`);
  }
  const seconds = (end - t0) / 1000;
  return { mode: 'executor e2e', records, bytes: 0, seconds, setupSeconds: (t0 - start) / 1000, latencies, peakRssMb: process.resourceUsage().maxRSS / 1024, batches, cpuSeconds: cpuSeconds() };
}

function child(mode: string, topic: string, table: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    // each process as it runs in production: the executor with the heap it is launched with (see executorNodeOptions)
    const nodeOptions = mode === 'executor' ? executorNodeOptions(10_000) : [];
    const p = spawn(process.execPath, [...nodeOptions, '-r', '@swc-node/register', __filename, mode, topic, table], {
      env: { ...process.env, SWC_NODE_PROJECT: 'tsconfig.base.json' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    p.stdout.on('data', (d) => (out += String(d)));
    p.once('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (code === 0 && line) resolve(JSON.parse(line) as Result);
      else reject(new Error(`${mode} exited ${code}: ${out}`));
    });
  });
}

/** Deletes the run's topics and tables (and their files): runs leave the stack as they found it, so they compare. */
async function removeBenchData(topic: string, tables: string[]): Promise<void> {
  const admin = new Kafka({ clientId: 'bench-cleanup', brokers: stackEndpoints().kafka.brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    await admin.deleteTopics({ topics: [topic, `${topic}.dlq`].filter((t) => existing.has(t)) });
  } finally {
    await admin.disconnect();
  }
  const sink = seedPlan(topic, 'any').sinks[0]!;
  const catalog = await openCatalog(sink.catalog, { MATIH_ICEBERG_JDBC_PASSWORD: stackEndpoints().postgres.password });
  try {
    for (const name of tables) {
      const ident = { namespace: sink.table.namespace, name };
      const location = (await catalog.loadTable(ident).catch(() => undefined))?.metadata.location;
      await catalog.dropTable(ident);
      const dir = location ? catalog.io.localPath(location) : undefined;
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    await catalog.close();
  }
}

async function main(): Promise<void> {
  const [mode, topicArg, tableArg] = process.argv.slice(2);
  if (mode === 'raw' || mode === 'executor') {
    const r = mode === 'raw' ? await raw(topicArg!) : await executor(topicArg!, tableArg!);
    process.stdout.write(`${JSON.stringify(r)}\n`);
    process.exit(0);
  }
  const topic = uniq('bench_click');
  await createTopic(topic, PARTITIONS);
  const p0 = Date.now();
  const bytes = await produce(topic);
  console.log(`produced ${RECORDS} events (${(bytes / RECORDS).toFixed(0)} bytes each, ${(bytes / 1e6).toFixed(1)} MB) into ${PARTITIONS} partitions in ${((Date.now() - p0) / 1000).toFixed(1)} s`);
  const raws: Result[] = [];
  const executors: Result[] = [];
  const tables: string[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      raws.push(await child('raw', topic, ''));
      tables.push(uniq('bench'));
      executors.push({ ...(await child('executor', topic, tables.at(-1)!)), bytes });
    }
  } finally {
    await removeBenchData(topic, tables);
  }
  console.log('round  mode           records   seconds   records/s     MB/s   batches  commit p50 ms  commit p99 ms  peak RSS MB  CPU s  setup s');
  const rate = (r: Result) => r.records / r.seconds;
  raws.forEach((raw, round) => {
    for (const r of [raw, executors[round]!]) {
      console.log(
        [
          String(round + 1).padEnd(6),
          r.mode.padEnd(13),
          String(r.records).padStart(8),
          r.seconds.toFixed(2).padStart(9),
          Math.round(rate(r)).toString().padStart(11),
          (r.bytes / 1e6 / r.seconds).toFixed(1).padStart(8),
          String(r.batches).padStart(9),
          pct(r.latencies, 50).toFixed(0).padStart(14),
          pct(r.latencies, 99).toFixed(0).padStart(14),
          r.peakRssMb.toFixed(0).padStart(12),
          r.cpuSeconds.toFixed(1).padStart(6),
          r.setupSeconds.toFixed(2).padStart(8),
        ].join(' '),
      );
    }
  });
  const median = (xs: number[]) => pct(xs, 50);
  const rawRate = median(raws.map(rate));
  const exRate = median(executors.map(rate));
  const rss = Math.max(...executors.map((r) => r.peakRssMb));
  console.log(
    `medians of ${ROUNDS} rounds: raw ${Math.round(rawRate)} records/s, end to end ${Math.round(exRate)} records/s, end to end / raw ceiling: ${((exRate / rawRate) * 100).toFixed(0)}% (target ≥ 50%); ` +
      `end to end ${Math.round(exRate)} records/s (target ≥ 50000); executor peak RSS ${rss.toFixed(0)} MB at most (target < 512)`,
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
