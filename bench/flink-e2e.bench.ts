/*
 * End-to-end benchmark of the Flink engine: the seed's clickstream job (Kafka JSON source → SQL
 * transform → Iceberg sink, exactly-once checkpoints) on the local stack. Produces N ~250-byte JSON
 * events to a new topic, starts the job from the earliest offset through the SQL Gateway, and times
 * from submission until every record is committed in the Iceberg table (snapshot `total-records`).
 *
 *   SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register bench/flink-e2e.bench.ts
 *   MATIH_BENCH_EVENTS (1000000) MATIH_BENCH_PARALLELISM (2) MATIH_BENCH_CHECKPOINT_INTERVAL (5s)
 * Needs the local stack (`matih stack up`); the job is cancelled and the topic deleted at the end.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { isTerminal, JobManagerClient, SqlGatewayClient } from '@matih/flink';
import { currentSnapshot, JdbcCatalog } from '@matih/iceberg';
import { clickEvent, icebergCatalogDdl, stackEndpoints } from '@matih/stack';

const N = Number(process.env['MATIH_BENCH_EVENTS'] ?? 1_000_000);
const PARALLELISM = Number(process.env['MATIH_BENCH_PARALLELISM'] ?? 2);
const CHECKPOINT = process.env['MATIH_BENCH_CHECKPOINT_INTERVAL'] ?? '5s';
async function main(): Promise<void> {
  const e = stackEndpoints();
  const run = randomUUID().slice(0, 8);
  const topic = `matih.bench.clickstream.${run}`;
  const table = `bench_clickstream_${run}`;
  const kafka = new Kafka({ clientId: 'bench-flink', brokers: e.kafka.brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: PARALLELISM }] });

  // 1. the data
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  let bytes = 0;
  const p0 = performance.now();
  for (let start = 0; start < N; start += 5_000) {
    const messages = [];
    for (let i = start; i < Math.min(N, start + 5_000); i++) {
      const value = clickEvent(run, i);
      bytes += value.length;
      messages.push({ value });
    }
    await producer.send({ topic, messages, acks: -1 });
  }
  const produceSeconds = (performance.now() - p0) / 1000;
  await producer.disconnect();
  console.log(`produced ${N} events (avg ${(bytes / N).toFixed(0)} B) in ${produceSeconds.toFixed(1)} s`);

  // 2. the job, as the submitter runs it
  const gateway = new SqlGatewayClient(e.flink.gatewayUrl);
  const jobManager = new JobManagerClient(e.flink.restUrl);
  const catalog = new JdbcCatalog({ name: e.iceberg.catalogName, warehouse: e.iceberg.warehouse, pool: { connectionString: e.postgres.url, max: 2 } });
  const session = await gateway.openSession(
    {
      'execution.runtime-mode': 'streaming',
      'pipeline.name': `matih-bench-clickstream-${run}`,
      'parallelism.default': String(PARALLELISM),
      'execution.checkpointing.interval': CHECKPOINT,
      'execution.checkpointing.mode': 'EXACTLY_ONCE',
      'execution.checkpointing.externalized-checkpoint-retention': 'RETAIN_ON_CANCELLATION',
    },
    `bench-${run}`,
  );
  let jobId: string | null = null;
  try {
    for (const statement of [
      icebergCatalogDdl(e),
      'CREATE DATABASE IF NOT EXISTS `matih`.`bench`',
      `CREATE TEMPORARY TABLE kafka_source (\`value\` STRING, event_timestamp TIMESTAMP(3) METADATA FROM 'timestamp',
         WATERMARK FOR event_timestamp AS event_timestamp - INTERVAL '10' SECOND)
       WITH ('connector' = 'kafka', 'topic' = '${topic}', 'properties.bootstrap.servers' = '${e.kafka.brokers.join(',')}',
             'properties.group.id' = 'bench-${run}', 'scan.startup.mode' = 'earliest-offset', 'format' = 'raw')`,
      `CREATE TABLE \`matih\`.\`bench\`.\`${table}\` (user_id STRING, event_type STRING, page_url STRING, event_timestamp TIMESTAMP(6), \`date\` DATE) PARTITIONED BY (\`date\`)`,
    ]) {
      await session.execute(statement);
    }
    const t0 = performance.now();
    ({ jobId } = await session.execute(
      `INSERT INTO \`matih\`.\`bench\`.\`${table}\`
       SELECT JSON_VALUE(\`value\`, '$.user_id'), JSON_VALUE(\`value\`, '$.event_type'), JSON_VALUE(\`value\`, '$.page_url'), event_timestamp, CAST(event_timestamp AS DATE)
       FROM kafka_source`,
    ));
    if (!jobId) throw new Error('the INSERT started no job');
    // 3. until every record is committed
    let firstCommit: { at: number; records: number } | null = null;
    let committed = 0;
    while (committed < N) {
      const loaded = await catalog.loadTable({ namespace: ['bench'], name: table });
      committed = Number(currentSnapshot(loaded.metadata)?.summary['total-records'] ?? 0);
      if (committed > 0 && !firstCommit) firstCommit = { at: performance.now(), records: committed };
      const job = await jobManager.job(jobId);
      if (isTerminal(job.state)) throw new Error(`job ${jobId} ended ${job.state}: ${await jobManager.rootException(jobId)}`);
      if (performance.now() - t0 > 600_000) throw new Error(`only ${committed} of ${N} records committed after 10 minutes`);
      if (committed < N) await new Promise((r) => setTimeout(r, 250));
    }
    const seconds = (performance.now() - t0) / 1000;
    const steady = firstCommit && committed > firstCommit.records ? (committed - firstCommit.records) / ((performance.now() - firstCommit.at) / 1000) : NaN;
    console.log(`first commit after ${firstCommit ? ((firstCommit.at - t0) / 1000).toFixed(1) : '?'} s (${firstCommit?.records ?? 0} records); committed ${committed} records`);
    console.log(
      `flink-e2e: ${N} events (~${(bytes / N).toFixed(0)} B JSON) Kafka → Flink SQL → Iceberg, parallelism ${PARALLELISM}, checkpoint ${CHECKPOINT}: ` +
        `${Math.round(N / seconds)} records/s end to end (${seconds.toFixed(1)} s from submission to last commit; ${Number.isNaN(steady) ? 'n/a' : Math.round(steady)} records/s between first and last commit)`,
    );
  } finally {
    if (jobId) await jobManager.cancel(jobId).catch(() => undefined);
    await session.close();
    await catalog.close();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
