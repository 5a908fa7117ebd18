import type { ExecutionPlan, KafkaConnectionPlan } from '@matih/contracts';

/** What a deployment reads: the Kafka topic, its consumer group, and how to reach the cluster. */
export interface SourceRef {
  readonly topic: string;
  readonly group: string;
  readonly connection: KafkaConnectionPlan;
}

/** How to reach a sink's Iceberg catalog, as the compiler wrote it into the plan. */
export type CatalogRef = ExecutionPlan['sinks'][number]['catalog'];

export interface TableRef {
  readonly catalog: string;
  readonly namespace: readonly string[];
  readonly name: string;
  readonly connection: CatalogRef;
}

export interface WatchedPlan {
  readonly engine: 'flink' | 'microbatch';
  readonly sources: readonly SourceRef[];
  readonly tables: readonly TableRef[];
  /** micro-batch exactly-once: the consumed offsets live in the sink tables' snapshot summaries */
  readonly exactlyOnce: boolean;
  /** Flink: the job's name; micro-batch: null */
  readonly jobName: string | null;
  /** Flink: the checkpoint interval in ms, when the plan sets one */
  readonly checkpointIntervalMs: number | null;
}

/** The sources, sink tables and progress markers of a compiled plan, as the monitor watches them. */
export function watchedPlan(plan: ExecutionPlan): WatchedPlan {
  const tables = plan.sinks.map((s) => ({ catalog: s.table.catalog, namespace: s.table.namespace, name: s.table.name, connection: s.catalog }));
  if (plan.engine === 'microbatch') {
    return {
      engine: 'microbatch',
      sources: plan.sources.map((s) => ({ topic: s.topic, group: s.consumerGroup, connection: s.connection })),
      tables,
      exactlyOnce: plan.delivery === 'exactly_once',
      jobName: null,
      checkpointIntervalMs: null,
    };
  }
  return {
    engine: 'flink',
    sources: plan.setup.flatMap((statement) => flinkKafkaSource(statement) ?? []),
    tables,
    exactlyOnce: false,
    jobName: plan.jobName,
    checkpointIntervalMs: parseDurationMs(plan.sessionProperties['execution.checkpointing.interval']),
  };
}

/** The Kafka source a Flink `CREATE [TEMPORARY] TABLE … WITH ('connector' = 'kafka', …)` declares, if it is one. */
export function flinkKafkaSource(statement: string): SourceRef | null {
  if (!/^\s*CREATE\s+(TEMPORARY\s+)?TABLE/i.test(statement)) return null;
  const options = new Map<string, string>();
  for (const match of statement.matchAll(/'((?:[^']|'')*)'\s*=\s*'((?:[^']|'')*)'/g)) {
    options.set(match[1]!.replace(/''/g, "'"), match[2]!.replace(/''/g, "'"));
  }
  if (options.get('connector') !== 'kafka') return null;
  const topic = options.get('topic');
  const group = options.get('properties.group.id');
  const servers = options.get('properties.bootstrap.servers');
  if (!topic || !group || !servers) return null;
  const protocol = (options.get('properties.security.protocol') ?? 'PLAINTEXT').toUpperCase() as KafkaConnectionPlan['securityProtocol'];
  let sasl: KafkaConnectionPlan['sasl'] = null;
  const jaas = options.get('properties.sasl.jaas.config');
  const mechanism = options.get('properties.sasl.mechanism') as NonNullable<KafkaConnectionPlan['sasl']>['mechanism'] | undefined;
  if (jaas && mechanism) {
    const username = /username="([^"]*)"/.exec(jaas)?.[1] ?? '';
    const passwordEnv = /password="\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}"/.exec(jaas)?.[1];
    if (passwordEnv) sasl = { mechanism, username, password: { env: passwordEnv } };
  }
  return {
    topic,
    group,
    connection: {
      bootstrapServers: servers.split(',').map((s) => s.trim()).filter(Boolean),
      securityProtocol: protocol,
      sasl,
      ssl: null,
    },
  };
}

/** Flink durations as plans write them: `30000ms`, `60s`, `5 min`, `1m`, a bare number of ms. */
export function parseDurationMs(value: string | undefined): number | null {
  if (!value) return null;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|milli|millis|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hour|hours)?\s*$/i.exec(value);
  if (!match) return null;
  const n = Number(match[1]);
  const unit = (match[2] ?? 'ms').toLowerCase();
  if (unit.startsWith('ms') || unit.startsWith('milli')) return n;
  if (unit.startsWith('s')) return n * 1_000;
  if (unit.startsWith('h')) return n * 3_600_000;
  return n * 60_000;
}
