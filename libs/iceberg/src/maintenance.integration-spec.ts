import { randomUUID } from 'node:crypto';
import { readManifestList } from './manifest';
import { loadTable } from './table';
import { filesUnder, openStackCatalog, pyiceberg, pyicebergRest, type PyIcebergView, type StackCatalogKind } from './testing/stack';

/**
 * A table appended to many times (as the micro-batch executor does, once per batch) stays cheap:
 * manifests merge once 8 accumulate, snapshots beyond the newest 10 expire in the append's own
 * commit with the files only they used, and old metadata files go. Read back by pyiceberg.
 */
const CATALOGS: { kind: StackCatalogKind; read: (identifier: string, filter?: string) => Promise<PyIcebergView> }[] = [
  { kind: 'jdbc', read: (identifier, filter) => pyiceberg(identifier, filter) },
  { kind: 'rest', read: (identifier, filter) => pyicebergRest(identifier, filter) },
];

describe.each(CATALOGS)('a table appended to many times, through the $kind catalog', ({ kind, read }) => {
  const ns = `it_mt_${kind}_${randomUUID().slice(0, 8)}`;
  let catalog: Awaited<ReturnType<typeof openStackCatalog>>;
  beforeAll(async () => {
    catalog = await openStackCatalog(kind);
  });
  afterAll(() => catalog.close());

  it('merges manifests, expires snapshots and their files, and reads back every row', async () => {
    const ident = { namespace: [ns], name: 'events' };
    await catalog.createNamespace([ns]);
    await catalog.createTable(ident, {
      fields: [
        { id: 1, name: 'id', required: true, type: 'long' },
        { id: 2, name: 'part', required: true, type: 'int' },
      ],
      partitionBy: [{ sourceId: 2, transform: 'identity' }],
      properties: { 'commit.manifest.min-count-to-merge': '8', 'write.metadata.delete-after-commit.enabled': 'true', 'write.metadata.previous-versions-max': '5' },
    });
    const t = await loadTable(catalog, ident);
    const batches = 45;
    const perBatch = 6;
    for (let b = 0; b < batches; b++) {
      const rows = Array.from({ length: perBatch }, (_, i) => ({ id: BigInt(b * perBatch + i), part: i % 2 }));
      await t.append({ rows }, { retain: { max: 10 }, summary: { 'test.batch': String(b) } });
    }

    const snaps = t.snapshots();
    expect(snaps.length).toBeGreaterThanOrEqual(10);
    expect(snaps.length).toBeLessThanOrEqual(11);
    expect(snaps.at(-1)!.summary['test.batch']).toBe(String(batches - 1));
    snaps.slice(1).forEach((s, i) => expect(s.parentSnapshotId).toBe(snaps[i]!.snapshotId));
    const manifests = await readManifestList(await catalog.io.read(snaps.at(-1)!.manifestList));
    expect(manifests.length).toBeLessThan(8);
    expect(manifests.some((m) => m.existing_files_count > 0)).toBe(true); // a merged manifest

    const view = await read(`${ns}.events`);
    expect(view.rows).toHaveLength(batches * perBatch);
    expect(new Set(view.rows.map((r) => Number(r['id'])))).toEqual(new Set(Array.from({ length: batches * perBatch }, (_, i) => i)));
    expect(view.total_files).toBe(batches * 2);
    expect(view.snapshots.map((s) => s.summary!['test.batch'])).toEqual(snaps.map((s) => s.summary['test.batch']));
    expect(view.snapshots.at(-1)!.summary!['total-records']).toBe(String(batches * perBatch));
    // the merged manifests keep partition summaries: a filter still prunes files
    const one = await read(`${ns}.events`, 'part = 1');
    expect(one.planned_files).toBe(batches);
    expect(one.rows).toHaveLength((batches * perBatch) / 2);

    // no file only expired snapshots used is left: manifest lists, manifests, metadata files
    const metadataDir = `${t.metadata.location}/metadata/`;
    const listed = new Set<string>();
    for (const s of snaps) for (const m of await readManifestList(await catalog.io.read(s.manifestList))) listed.add(m.manifest_path);
    const onDisk = await filesUnder(catalog, metadataDir);
    const name = (p: string) => p.slice(p.lastIndexOf('/') + 1);
    expect(onDisk.filter((f) => name(f).startsWith('snap-')).map(name).sort()).toEqual(snaps.map((s) => name(s.manifestList)).sort());
    expect(onDisk.filter((f) => f.endsWith('.avro') && !name(f).startsWith('snap-')).map(name).sort()).toEqual([...listed].map(name).sort());
    expect(onDisk.filter((f) => f.endsWith('.metadata.json')).length).toBeLessThanOrEqual(6);
  });

  it('a writer whose view of the table is older than what another writer expired still appends', async () => {
    const ident = { namespace: [ns], name: 'two_writers' };
    await catalog.createTable(ident, { fields: [{ id: 1, name: 'id', required: true, type: 'long' }] });
    const busy = await loadTable(catalog, ident);
    await busy.append({ rows: [{ id: 0n }] });
    const idle = await loadTable(catalog, ident); // its parent will be expired, its manifest list deleted
    for (let b = 1; b <= 15; b++) await busy.append({ rows: [{ id: BigInt(b) }] }, { retain: { max: 5 } });
    expect(busy.snapshots().some((s) => s.snapshotId === idle.currentSnapshot()!['snapshot-id'])).toBe(false);
    const r = await idle.append({ rows: [{ id: 16n }] }, { retain: { max: 5 } });
    expect(r.attempts).toBe(2);
    const view = await read(`${ns}.two_writers`);
    expect(view.rows.map((row) => Number(row['id'])).sort((a, b) => a - b)).toEqual(Array.from({ length: 17 }, (_, i) => i));
  });
});
