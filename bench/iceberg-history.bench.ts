/*
 * Benchmark of a table committed to many times, as the micro-batch executor does (once per batch):
 * the cost of a commit as the table's history grows. Appends of 10 rows to a day-partitioned table
 * through the JDBC catalog, each with an executor-like snapshot summary, in two runs:
 *   (a) every snapshot kept (no `retain`; manifests still merge, as Java's appends do),
 *   (b) the executor's retention (the newest 200 snapshots, see snapshotRetention).
 * Prints, every 250 commits: ms per commit, the metadata file's size, the manifests the current
 * snapshot lists and the snapshots in the table.
 *
 *   npm run bench:iceberg:history         (needs the local stack's PostgreSQL: `matih stack up`)
 *   MATIH_BENCH_COMMITS=3000 to change the length.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { JdbcCatalog, loadTable, readManifestList, type SnapshotRetention } from '@matih/iceberg';
import { snapshotRetention } from '@matih/executor';
import { stackEndpoints } from '@matih/stack';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const COMMITS = Number(process.env['MATIH_BENCH_COMMITS'] ?? 2000);
const EVERY = 250;

async function run(label: string, retain: SnapshotRetention | undefined): Promise<void> {
  const warehouse = mkdtempSync(join(tmpdir(), 'iceberg-history-'));
  const catalog = new JdbcCatalog({ name: `history_${randomUUID().slice(0, 8)}`, warehouse: `file:${warehouse}`, pool: { connectionString: stackEndpoints().postgres.url, max: 2 } });
  await catalog.initialize();
  await catalog.createNamespace(['bench']);
  const ident = { namespace: ['bench'], name: 'events' };
  await catalog.createTable(ident, {
    fields: [
      { id: 1, name: 'id', required: true, type: 'long' },
      { id: 2, name: 'ts', required: true, type: 'timestamptz' },
    ],
    partitionBy: [{ sourceId: 2, transform: 'day' }],
    properties: { 'write.metadata.delete-after-commit.enabled': 'true' },
  });
  const table = await loadTable(catalog, ident);
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run(`CREATE TABLE batch AS SELECT i::BIGINT AS id, TIMESTAMPTZ '2024-06-01 00:00:00+00' + to_seconds(i) AS ts FROM range(10) t(i)`);
  console.log(`\n${label}`);
  console.log('commits  ms/commit  metadata KB  manifests  snapshots');
  let t0 = performance.now();
  for (let i = 1; i <= COMMITS; i++) {
    const offsets = Object.fromEntries([0, 1, 2, 3].map((p) => [`matih.offsets.bench-group.bench-topic.${p}`, String(i * 2500)]));
    await table.append({ connection: c, sql: 'batch' }, { retain, summary: { 'matih.pipeline': 'bench', 'matih.executor': randomUUID(), ...offsets } });
    if (i % EVERY === 0) {
      const ms = (performance.now() - t0) / EVERY;
      const manifests = (await readManifestList(await catalog.io.read(table.currentSnapshot()!['manifest-list']))).length;
      const kb = statSync(catalog.io.localPath(table.metadataLocation)!).size / 1024;
      console.log(`${String(i).padEnd(8)} ${ms.toFixed(1).padEnd(10)} ${kb.toFixed(0).padEnd(12)} ${String(manifests).padEnd(10)} ${table.metadata.snapshots.length}`);
      t0 = performance.now();
    }
  }
  c.closeSync();
  await catalog.close();
  rmSync(warehouse, { recursive: true, force: true });
}

async function main(): Promise<void> {
  await run('(a) every snapshot kept', undefined);
  await run('(b) the executor’s retention', snapshotRetention({}));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
