import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { loadTable } from './table';
import { filesUnder, openStackCatalog, pyiceberg, pyicebergRest, type PyIcebergView, type StackCatalogKind } from './testing/stack';

/**
 * Two OS processes append to one table at the same time: through the JDBC catalog's compare-and-swap,
 * and through the REST catalog (409 → re-apply → retry) with the table's files on S3.
 */
const CATALOGS: { kind: StackCatalogKind; batches: number; read: (identifier: string) => Promise<PyIcebergView> }[] = [
  { kind: 'jdbc', batches: 25, read: (identifier) => pyiceberg(identifier) },
  { kind: 'rest', batches: 20, read: (identifier) => pyicebergRest(identifier) },
];

describe.each(CATALOGS)('concurrent appends from two processes through the $kind catalog', ({ kind, batches, read }) => {
  const ns = `it_cc_${kind}_${randomUUID().slice(0, 8)}`;
  let catalog: Awaited<ReturnType<typeof openStackCatalog>>;
  beforeAll(async () => {
    catalog = await openStackCatalog(kind);
  });
  afterAll(() => catalog.close());

  function worker(id: number, rows: number): Promise<{ worker: number; attempts: number }> {
    const script = path.join(__dirname, 'testing', 'append-worker.ts');
    const args = ['-r', '@swc-node/register', script, kind, ns, 'events', String(id), String(batches), String(rows)];
    const env = { ...process.env, SWC_NODE_PROJECT: path.resolve(__dirname, '../../../tsconfig.base.json') };
    return new Promise((resolve, reject) => {
      execFile(process.execPath, args, { cwd: path.resolve(__dirname, '../../..'), env, timeout: 240_000 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`worker ${id} failed: ${stderr}`));
        else resolve(JSON.parse(stdout) as { worker: number; attempts: number });
      });
    });
  }

  it('loses no commit and duplicates no row', async () => {
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
    const rows = 40;
    const results = await Promise.all([worker(1, rows), worker(2, rows)]);
    const attempts = results.reduce((a, r) => a + r.attempts, 0);

    const t = await loadTable(catalog, { namespace: [ns], name: 'events' });
    const snaps = t.snapshots();
    expect(snaps).toHaveLength(2 * batches);
    // a linear history: every snapshot's parent is the one before it
    snaps.slice(1).forEach((s, i) => expect(s.parentSnapshotId).toBe(snaps[i]!.snapshotId));
    // each (worker, batch) committed exactly once
    const keys = snaps.map((s) => `${s.summary['matih.worker']}/${s.summary['matih.batch']}`);
    expect(new Set(keys).size).toBe(2 * batches);

    const view = await read(`${ns}.events`);
    expect(view.rows).toHaveLength(2 * batches * rows);
    expect(new Set(view.rows.map((r) => r['id'])).size).toBe(2 * batches * rows);
    expect(view.snapshots.at(-1)!.summary!['total-records']).toBe(String(2 * batches * rows));
    // the manifest lists of attempts that lost were deleted: one per snapshot remains
    expect(await filesUnder(catalog, `${t.metadata.location}/metadata/snap-`)).toHaveLength(2 * batches);
    // report how contended it was (retries happened when attempts > commits)
    process.stdout.write(`${kind} concurrency: ${2 * batches} commits took ${attempts} attempts\n`);
  });
});
