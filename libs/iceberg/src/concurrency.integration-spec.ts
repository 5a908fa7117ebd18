import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { loadTable } from './table';
import { endpoints, pyiceberg, stackCatalog } from './testing/stack';

/** Two OS processes append to one table at the same time through the JDBC catalog's compare-and-swap. */
describe('concurrent appends from two processes', () => {
  const catalog = stackCatalog();
  const ns = `it_cc_${randomUUID().slice(0, 8)}`;
  afterAll(() => catalog.close());

  function worker(id: number, batches: number, rows: number): Promise<{ worker: number; attempts: number }> {
    const e = endpoints();
    const script = path.join(__dirname, 'testing', 'append-worker.ts');
    const args = ['-r', '@swc-node/register', script, e.postgres.url, e.iceberg.catalogName, e.iceberg.warehouse, ns, 'events', String(id), String(batches), String(rows)];
    return new Promise((resolve, reject) => {
      execFile(process.execPath, args, { cwd: path.resolve(__dirname, '../../..'), timeout: 240_000 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`worker ${id} failed: ${stderr}`));
        else resolve(JSON.parse(stdout) as { worker: number; attempts: number });
      });
    });
  }

  it('loses no commit and duplicates no row', async () => {
    await catalog.initialize();
    await catalog.createNamespace([ns]);
    await catalog.createTable(
      { namespace: [ns], name: 'events' },
      {
        fields: [
          { id: 1, name: 'id', required: true, type: 'long' },
          { id: 2, name: 'worker', required: true, type: 'int' },
          { id: 3, name: 'batch', required: true, type: 'int' },
        ],
        partitionBy: [{ sourceId: 2, transform: 'identity' }],
      },
    );
    const batches = 25;
    const rows = 40;
    const results = await Promise.all([worker(1, batches, rows), worker(2, batches, rows)]);
    const attempts = results.reduce((a, r) => a + r.attempts, 0);

    const t = await loadTable(catalog, { namespace: [ns], name: 'events' });
    const snaps = t.snapshots();
    expect(snaps).toHaveLength(2 * batches);
    // a linear history: every snapshot's parent is the one before it
    snaps.slice(1).forEach((s, i) => expect(s.parentSnapshotId).toBe(snaps[i]!.snapshotId));
    // each (worker, batch) committed exactly once
    const keys = snaps.map((s) => `${s.summary['matih.worker']}/${s.summary['matih.batch']}`);
    expect(new Set(keys).size).toBe(2 * batches);

    const view = await pyiceberg(`${ns}.events`);
    expect(view.rows).toHaveLength(2 * batches * rows);
    expect(new Set(view.rows.map((r) => r['id'])).size).toBe(2 * batches * rows);
    expect(view.snapshots.at(-1)!.summary!['total-records']).toBe(String(2 * batches * rows));
    // report how contended it was (retries happened when attempts > commits)
    process.stdout.write(`concurrency: ${2 * batches} commits took ${attempts} attempts\n`);
  });
});
