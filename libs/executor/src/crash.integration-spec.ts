import { readIcebergTable } from '@matih/stack';
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { loadTable, openCatalog } from '@matih/iceberg';
import { catalogEnv, clickstreamPlan, createTopic, produceClickstream, readTopic, uniq } from './testing/fixtures';
import type { MicrobatchPlan } from '@matih/contracts';

const root = path.resolve(__dirname, '..', '..', '..');

interface Worker {
  child: ChildProcess;
  exited: Promise<number | string>;
  output: () => string;
}

function startWorker(plan: MicrobatchPlan): Worker {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', path.join(__dirname, 'testing', 'run-worker.ts')], {
    cwd: root,
    env: { ...process.env, SWC_NODE_PROJECT: 'tsconfig.base.json', MATIH_TEST_PLAN: JSON.stringify(plan), LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (out += String(d)));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return { child, exited, output: () => out };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const committedBatches = (w: Worker) => (w.output().match(/"msg":"batch committed"/g) ?? []).length;

/** Asserts the table holds each valid event exactly once and the dead-letter topic every malformed one. */
async function expectExactly(table: string, topic: string, valid: number[], malformed: number[]): Promise<void> {
  const rows = await readIcebergTable(`executor_it.${table}`);
  const seqs = rows.map((r) => Number(r['seq'])).sort((a, b) => a - b);
  const dupes = seqs.filter((s, i) => i > 0 && seqs[i - 1] === s);
  expect(dupes).toEqual([]);
  expect(seqs.length).toBe(valid.length);
  expect(seqs).toEqual([...valid].sort((a, b) => a - b));
  const dead = await readTopic(`${topic}.dlq`);
  // dead letters are at-least-once (produced before the commit they belong to): every malformed record is there
  expect([...new Set(dead.map((d) => d.key))].sort()).toEqual(malformed.map((s) => `k${s}`).sort());
}

describe('exactly-once under crashes (worker processes on the local stack)', () => {
  it('SIGKILLed again and again during ingestion, restarted: still exactly the N valid rows', async () => {
    const topic = uniq('it_crash');
    const table = uniq('crash');
    await createTopic(topic, 4);
    const plan = clickstreamPlan({ topic, table, maxRecords: 1500, idleTimeoutMs: 4000, pollTimeoutMs: 1000 });
    const valid: number[] = [];
    const malformed: number[] = [];
    // producing goes on while the executor is killed and restarted
    const producing = (async () => {
      for (let i = 0; i < 12; i++) {
        const r = await produceClickstream(topic, 4000, { malformedEvery: 97, from: i * 4000 });
        valid.push(...r.valid);
        malformed.push(...r.malformed);
        await sleep(700);
      }
    })();
    let kills = 0;
    let committedBeforeKill = 0;
    for (let i = 0; i < 7; i++) {
      const w = startWorker(plan);
      // kill at a random moment once it is consuming (after 0–3 committed batches)
      const deadline = Date.now() + 60_000;
      const target = Math.floor(Math.random() * 4);
      while (committedBatches(w) < target && Date.now() < deadline && w.child.exitCode === null) await sleep(50);
      await sleep(Math.random() * 900);
      committedBeforeKill += committedBatches(w);
      w.child.kill('SIGKILL');
      const code = await w.exited;
      if (code !== 'SIGKILL') throw new Error(`worker ${i} exited ${code} before the kill:\n${w.output().slice(-3000)}`);
      kills++;
    }
    await producing;
    const last = startWorker(plan);
    const code = await last.exited;
    if (code !== 0) throw new Error(`final run exited ${code}:\n${last.output().slice(-3000)}`);
    expect(kills).toBe(7);
    expect(committedBeforeKill).toBeGreaterThan(0);
    await expectExactly(table, topic, valid, malformed);

    // what the killed workers wrote and never committed (data files, manifests, manifest lists,
    // metadata files) goes, and no row with it
    const sink = plan.sinks[0]!;
    const t = await loadTable(await openCatalog(sink.catalog, catalogEnv()), { namespace: sink.table.namespace, name: sink.table.name });
    const orphans = await t.removeOrphanFiles({ olderThanMs: Date.now() });
    expect(orphans.filter((f) => !/\/(data\/.+\.parquet|metadata\/[^/]+\.(avro|metadata\.json))$/.test(f))).toEqual([]);
    await expectExactly(table, topic, valid, malformed);
  });

  it('two instances share the partitions, one joins late and the other is killed: exactly the N valid rows', async () => {
    const topic = uniq('it_rebal');
    const table = uniq('rebal');
    await createTopic(topic, 6);
    // idle for longer than the group's session timeout (10 s), so B is still there to take A's partitions
    const plan = clickstreamPlan({ topic, table, maxRecords: 1000, idleTimeoutMs: 20_000, pollTimeoutMs: 1000 });
    const valid: number[] = [];
    const malformed: number[] = [];
    const produce = async (from: number) => {
      const r = await produceClickstream(topic, 6000, { malformedEvery: 101, from });
      valid.push(...r.valid);
      malformed.push(...r.malformed);
    };
    await produce(0);
    const a = startWorker(plan);
    while (committedBatches(a) < 2) await sleep(50);
    const b = startWorker(plan); // joins: the group rebalances while A writes
    const producing = (async () => {
      for (let i = 1; i <= 5; i++) {
        await produce(i * 6000);
        await sleep(500);
      }
    })();
    while (committedBatches(b) < 2) await sleep(50);
    a.child.kill('SIGKILL'); // B takes over A's partitions after the session timeout
    await producing;
    const code = await b.exited;
    if (code !== 0) throw new Error(`B exited ${code}:\n${b.output().slice(-3000)}`);
    expect(b.output()).toMatch(/partitions assigned/);
    // B owned a share first, then all six partitions
    const assignments = [...b.output().matchAll(/"partitions":\[([\d,]*)\].*"msg":"partitions assigned"/g)].map((m) => m[1]!.split(',').length);
    expect(Math.min(...assignments)).toBeLessThan(6);
    expect(assignments[assignments.length - 1]).toBe(6);
    await expectExactly(table, topic, valid, malformed);
  });
});
