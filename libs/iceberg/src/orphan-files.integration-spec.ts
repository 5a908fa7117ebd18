import type { Table } from './table';
import { STACK_CATALOGS, filesUnder, idsRead, stackNamespace } from './testing/stack';

/**
 * Files a writer left behind when it crashed between writing an append's files and committing them
 * (as a killed micro-batch executor can): found and deleted by age, never a file a snapshot reaches,
 * never one younger than the age given. Read back by pyiceberg.
 */
describe.each(STACK_CATALOGS)('orphan files of the $kind catalog', ({ kind, read }) => {
  const { ns, catalog, newTable: table } = stackNamespace(kind, 'it_orphans');
  const newTable = (name: string) => table(name, [{ sourceId: 1, transform: 'bucket[2]' }]);
  const files = async (t: Table): Promise<string[]> => (await filesUnder(catalog(), `${t.metadata.location}/`)).sort();

  it('deletes the files of an append that was written and never committed, and nothing a snapshot reaches', async () => {
    const t = await newTable('crashed');
    await t.append({ rows: [{ id: 0n }, { id: 1n }] });
    const before = await files(t);
    // the object store keeps modification times to the second: a cut-off a second and a half
    // before the crashed write is older than its files still
    const beforeCrash = Date.now() - 1500;
    // a writer wrote these and died before committing them
    await t.writeAppend({ rows: [{ id: 2n }, { id: 3n }, { id: 4n }] });
    const crashed = (await files(t)).filter((f) => !before.includes(f));
    expect(crashed.filter((f) => f.endsWith('.parquet')).length).toBeGreaterThan(0);
    // other writers go on
    await t.append({ rows: [{ id: 5n }] });
    await t.append({ rows: [{ id: 6n }] });
    const live = (await files(t)).filter((f) => !crashed.includes(f));

    // too young for a cut-off before they were written
    expect(await t.removeOrphanFiles({ olderThanMs: beforeCrash })).toEqual([]);
    // a dry run names them and deletes nothing
    const now = Date.now() + 1000;
    expect((await t.removeOrphanFiles({ olderThanMs: now, dryRun: true })).sort()).toEqual(crashed);
    expect(await files(t)).toEqual([...live, ...crashed].sort());

    expect((await t.removeOrphanFiles({ olderThanMs: now })).sort()).toEqual(crashed);
    expect(await files(t)).toEqual(live);
    expect(idsRead(await read(`${ns}.crashed`))).toEqual([0, 1, 5, 6]);
    expect(await t.removeOrphanFiles({ olderThanMs: now })).toEqual([]);
  });

  it('keeps the files of snapshots that are no longer current', async () => {
    const t = await newTable('history');
    for (let i = 0; i < 3; i++) await t.append({ rows: [{ id: BigInt(i) }] });
    const all = await files(t);
    expect(await t.removeOrphanFiles({ olderThanMs: Date.now() + 1000 })).toEqual([]);
    expect(await files(t)).toEqual(all);
    const view = await read(`${ns}.history`);
    expect(idsRead(view)).toEqual([0, 1, 2]);
    expect(view.snapshots).toHaveLength(3);
  });
});
