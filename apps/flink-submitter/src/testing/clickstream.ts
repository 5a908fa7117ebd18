/*
 * Test fixtures: the seed's clickstream pipeline as a Flink plan, built by hand exactly as the
 * contract describes it (until libs/planner produces it), on the local stack's Kafka and catalog.
 */
import type { FlinkPlan } from '@matih/contracts';
import { localStackCatalogs } from '@matih/planner';
import { icebergCatalogDdl, stackEndpoints } from '@matih/stack';

export interface ClickstreamPlanOptions {
  readonly deploymentId: string;
  readonly topic: string;
  /** the table in namespace `web` of the stack's catalog */
  readonly table: string;
  readonly checkpointInterval?: string;
  readonly parallelism?: number;
  /** read Kafka over SASL/SCRAM with the password taken from this environment variable (a plan secret) */
  readonly passwordSecret?: string;
}

export function clickstreamPlan(o: ClickstreamPlanOptions): FlinkPlan {
  const endpoints = stackEndpoints();
  const kafka = o.passwordSecret
    ? [
        `'properties.bootstrap.servers' = '${endpoints.kafka.scram.brokers.join(',')}'`,
        `'properties.security.protocol' = 'SASL_PLAINTEXT'`,
        `'properties.sasl.mechanism' = 'SCRAM-SHA-256'`,
        `'properties.sasl.jaas.config' = 'org.apache.flink.kafka.shaded.org.apache.kafka.common.security.scram.ScramLoginModule required username="${endpoints.kafka.scram.username}" password="\${env:${o.passwordSecret}}";'`,
      ]
    : [`'properties.bootstrap.servers' = '${endpoints.kafka.brokers.join(',')}'`];
  const table = `\`matih\`.\`web\`.\`${o.table}\``;
  return {
    engine: 'flink',
    jobName: `matih-realtime-clickstream-${o.deploymentId}`,
    sessionProperties: {
      'execution.checkpointing.interval': o.checkpointInterval ?? '2s',
      'execution.checkpointing.mode': 'EXACTLY_ONCE',
      'parallelism.default': String(o.parallelism ?? 2),
      'restart-strategy.type': 'fixed-delay',
      'restart-strategy.fixed-delay.attempts': '20',
      'restart-strategy.fixed-delay.delay': '2s',
    },
    setup: [
      icebergCatalogDdl(),
      'CREATE DATABASE IF NOT EXISTS `matih`.`web`',
      `CREATE TEMPORARY TABLE kafka_source (
    \`value\` STRING,
    event_timestamp TIMESTAMP(3) METADATA FROM 'timestamp',
    WATERMARK FOR event_timestamp AS event_timestamp - INTERVAL '10' SECOND
) WITH (
    'connector' = 'kafka',
    'topic' = '${o.topic}',
    ${kafka.join(',\n    ')},
    'properties.group.id' = 'pipeline-clickstream-${o.deploymentId}',
    'scan.startup.mode' = 'earliest-offset',
    'format' = 'raw'
)`,
      `CREATE TEMPORARY VIEW parse_events AS
SELECT
  JSON_VALUE(\`value\`, '$.user_id') AS user_id,
  JSON_VALUE(\`value\`, '$.event_type') AS event_type,
  JSON_VALUE(\`value\`, '$.page_url') AS page_url,
  event_timestamp
FROM kafka_source`,
      `CREATE TABLE IF NOT EXISTS ${table} (
  user_id STRING,
  event_type STRING,
  page_url STRING,
  event_timestamp TIMESTAMP(6),
  \`date\` DATE
) PARTITIONED BY (\`date\`)`,
    ],
    job: `INSERT INTO ${table} SELECT user_id, event_type, page_url, event_timestamp, CAST(event_timestamp AS DATE) AS \`date\` FROM parse_events`,
    sinks: [
      {
        name: 'analytics_lake',
        table: { catalog: 'matih', namespace: ['web'], name: o.table },
        catalog: { name: 'matih', ...stackCatalog(endpoints.stateDir) },
        mode: 'append',
        columns: [
          { name: 'user_id', type: 'string', required: false },
          { name: 'event_type', type: 'string', required: false },
          { name: 'page_url', type: 'string', required: false },
          { name: 'event_timestamp', type: 'timestamp', required: false },
          { name: 'date', type: 'date', required: false },
        ],
        partitionBy: [{ transform: 'identity', sourceColumn: 'date', width: null, name: 'date' }],
      },
    ],
    secrets: o.passwordSecret ? [o.passwordSecret] : [],
  };
}

function stackCatalog(stateDir: string) {
  const catalog = localStackCatalogs(stateDir)['matih'];
  if (!catalog) throw new Error('the local stack has no catalog matih');
  return catalog;
}
