import { readFileSync } from 'node:fs';
import path from 'node:path';
import { flinkKafkaSource, parseDurationMs, watchedPlan } from './plan-sources';

describe('what a plan reads', () => {
  it('finds the Kafka source of a compiled Flink script, with its group and SASL password by variable', () => {
    const script = readFileSync(path.resolve(__dirname, '../../../../libs/planner/src/__golden__/secure-chain.flink.sql'), 'utf8');
    const sources = script.split(/;\s*\n/).flatMap((s) => flinkKafkaSource(s) ?? []);
    expect(sources).toEqual([
      {
        topic: 'matih.commerce.orders',
        group: 'orders-secure-v2',
        connection: {
          bootstrapServers: ['127.0.0.1:19094'],
          securityProtocol: 'SASL_PLAINTEXT',
          sasl: { mechanism: 'SCRAM-SHA-512', username: 'matih', password: { env: 'KAFKA_PASSWORD' } },
          ssl: null,
        },
      },
    ]);
  });

  it('ignores statements that are not Kafka tables', () => {
    expect(flinkKafkaSource("CREATE CATALOG c WITH ('type' = 'iceberg')")).toBeNull();
    expect(flinkKafkaSource("CREATE TABLE t (a INT) WITH ('connector' = 'datagen')")).toBeNull();
  });

  it('reads a micro-batch plan and the checkpoint interval of a Flink plan', () => {
    const plan = JSON.parse(readFileSync(path.resolve(__dirname, '../../../../libs/planner/src/__golden__/seed.microbatch.json'), 'utf8'));
    const watched = watchedPlan(plan.plan ?? plan);
    expect(watched.engine).toBe('microbatch');
    expect(watched.sources[0]).toMatchObject({ topic: expect.any(String), group: expect.any(String) });
    expect(watched.tables.length).toBeGreaterThan(0);
    expect([parseDurationMs('30000ms'), parseDurationMs('60s'), parseDurationMs('5 min'), parseDurationMs('250'), parseDurationMs('soon')]).toEqual([30_000, 60_000, 300_000, 250, null]);
  });
});
