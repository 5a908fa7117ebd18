import { loadTable, openCatalog } from '@matih/iceberg';
import { LOCAL_CATALOG_PASSWORD_ENV, localStackCatalogs } from '@matih/planner';
import { readIcebergTable, stackEndpoints } from '@matih/stack';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';

const root = path.resolve(__dirname, '..', '..', '..', '..');
const bin = path.join(root, 'apps', 'cli', 'bin', 'matih.js');
const kafka = () => new Kafka({ clientId: 'run-it', brokers: stackEndpoints().kafka.brokers, logLevel: logLevel.NOTHING });

function matih(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env, LOG_LEVEL: 'warn' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

async function setup(budget: number): Promise<{ file: string; table: string; topic: string }> {
  const id = randomUUID().replace(/-/g, '').slice(0, 10);
  const topic = `it_run_${id}`;
  const table = `run_${id}`;
  const admin = kafka().admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 2 }] });
  await admin.disconnect();
  const producer = kafka().producer({ idempotent: true });
  await producer.connect();
  const messages = Array.from({ length: 500 }, (_, i) => ({ key: `k${i}`, value: i % 100 === 99 ? '{broken' : JSON.stringify({ user_id: `u${i}`, event_type: 'click', page_url: `/p/${i}` }) }));
  await producer.send({ topic, messages, acks: -1 });
  await producer.disconnect();
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'matih-run-')), 'pipeline.yaml');
  writeFileSync(
    file,
    `metadata: { name: run-it-${id}, version: "1.0.0", owner: tests }
sources:
  clickstream: { type: kafka, connection: "${stackEndpoints().kafka.brokers.join(',')}", topic: ${topic}, consumer_group: run-it-${id}, format: json, start_offset: earliest }
transformations:
  - name: parse_events
    type: sql_transform
    input: clickstream
    sql: |
      SELECT JSON_VALUE(value, '$.user_id') AS user_id, JSON_VALUE(value, '$.event_type') AS event_type, event_timestamp FROM {{ input }}
sinks:
  lake: { type: iceberg, table: matih.executor_it.${table}, mode: append, partition_by: [date] }
orchestration: { engine: airflow, idle_timeout: 3s, max_records: 200, error_budget: ${budget} }
`,
  );
  return { file, table, topic };
}

describe('matih run (Airflow task mode) on the local stack', () => {
  it('consumes until idle and exits 0, the rows in the table and the bad records in the dead-letter topic', async () => {
    const { file, table } = await setup(0.1);
    const result = await matih(['run', file, '--until-idle']);
    expect(result.stderr).not.toMatch(/matih run:/);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout.trim().split('\n').pop()!)).toMatchObject({ reason: 'idle', records: 500, rows: 495, deadLetters: 5 });
    const rows = await readIcebergTable(`executor_it.${table}`);
    expect(rows).toHaveLength(495);
    expect(new Set(rows.map((r) => r['user_id'])).size).toBe(495);
  });

  it('exits 1 when a batch exceeds the error budget, and commits nothing of it', async () => {
    const { file, table } = await setup(0);
    const result = await matih(['run', file, '--until-idle']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error budget/);
    // batches before the first bad record may have committed; none holds a record past it
    const rows = await readIcebergTable(`executor_it.${table}`).catch(() => []);
    expect(rows.length).toBeLessThan(495);
  });

  it('remove-orphans deletes the files of a batch written and never committed, and keeps every row', async () => {
    const { file, table } = await setup(0.1);
    expect((await matih(['run', file, '--until-idle'])).code).toBe(0);
    // an executor killed between writing a batch's files and committing them leaves these behind
    const catalog = await openCatalog({ name: 'matih', ...localStackCatalogs(stackEndpoints().stateDir)['matih']! }, { [LOCAL_CATALOG_PASSWORD_ENV]: stackEndpoints().postgres.password });
    const t = await loadTable(catalog, { namespace: ['executor_it'], name: table });
    const pending = await t.writeAppend({ rows: [{ user_id: 'never-committed', event_type: null, event_timestamp: null }] });
    expect(pending.records).toBe(1n);

    const young = await matih(['remove-orphans', file]);
    expect(young.code).toBe(0);
    expect(young.stdout).toContain(`matih.executor_it.${table}: 0 orphan file(s) older than 3d deleted`);
    const dry = await matih(['remove-orphans', file, '--older-than', '0s', '--dry-run']);
    expect(dry.stdout).toContain(`matih.executor_it.${table}: 2 orphan file(s) older than 0ms found (dry run: none deleted)`);
    const listed = dry.stdout.split('\n').filter((l) => /\.(parquet|avro)$/.test(l));
    expect(listed).toHaveLength(2);
    expect(listed.every((f) => existsSync(f.replace(/^file:/, '')))).toBe(true);
    const removed = await matih(['remove-orphans', file, '--older-than', '0s']);
    expect(removed.stdout).toContain(`matih.executor_it.${table}: 2 orphan file(s) older than 0ms deleted`);
    expect(listed.some((f) => existsSync(f.replace(/^file:/, '')))).toBe(false);
    const rows = await readIcebergTable(`executor_it.${table}`);
    expect(rows).toHaveLength(495);
    expect((await matih(['remove-orphans', file, '--older-than', 'soon'])).code).toBe(2);
  });

  it('stops after --max-batches N and writes an Airflow DAG with --airflow-dag', async () => {
    const { file } = await setup(0.1);
    const result = await matih(['run', file, '--max-batches', '1']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout.trim().split('\n').pop()!)).toMatchObject({ reason: 'max-batches', batches: 1 });
    const dag = path.join(path.dirname(file), 'dag.py');
    expect((await matih(['run', file, '--airflow-dag', dag, '--schedule', '*/10 * * * *'])).code).toBe(0);
    const text = readFileSync(dag, 'utf8');
    expect(text).toMatch(/BashOperator/);
    expect(text).toContain(`node --max-old-space-size=256 --initial-old-space-size=160 node_modules/.bin/matih run ${file} --until-idle`);
    expect(text).toContain('schedule="*/10 * * * *"');
  });
});
