import type { Catalog } from './catalog/catalog';
import { IcebergError, IcebergErrorCode } from './errors';
import { Table, loadTable } from './table';
import { STACK_CATALOGS, filesUnder, idsRead as ids, stackNamespace } from './testing/stack';

/**
 * An append written now and committed later (as the micro-batch executor writes a batch while the
 * one before it commits): invisible until committed, committed on top of what others committed
 * meanwhile, gone without a trace when aborted, and never applied twice when a commit's outcome was
 * unknown. Read back by pyiceberg.
 */
describe.each(STACK_CATALOGS)('an append written now and committed later, through the $kind catalog', ({ kind, read }) => {
  const { ns, catalog, newTable } = stackNamespace(kind, 'it_pa');
  const files = async (t: Table): Promise<string[]> => (await filesUnder(catalog(), `${t.metadata.location}/`)).filter((f) => !f.endsWith('.metadata.json')).sort();

  it('is invisible until committed, and commits on top of what another writer committed meanwhile', async () => {
    const t = await newTable('later');
    await t.append({ rows: [{ id: 0n }] });
    const pending = await t.writeAppend({ rows: [{ id: 1n }, { id: 2n }] });
    expect(pending.records).toBe(2n);
    expect(ids(await read(`${ns}.later`))).toEqual([0]);

    const other = await loadTable(catalog(), t.ident);
    await other.append({ rows: [{ id: 3n }] });

    const committed = await pending.commit({ summary: { 'test.writer': 'later' } });
    expect(committed.attempts).toBe(2); // the first attempt met the other writer's commit
    expect(committed.snapshotId).toBe(pending.snapshotId);
    const view = await read(`${ns}.later`);
    expect(ids(view)).toEqual([0, 1, 2, 3]);
    expect(view.snapshots.at(-1)!.summary!['test.writer']).toBe('later');
    await expect(pending.commit()).rejects.toThrow(/committed/);
  });

  it('leaves no file behind when aborted', async () => {
    const t = await newTable('aborted');
    await t.append({ rows: [{ id: 0n }] });
    const before = await files(t);
    const pending = await t.writeAppend({ rows: [{ id: 1n }] });
    expect((await files(t)).length).toBe(before.length + 2); // a data file and its manifest
    await pending.abort();
    expect(await files(t)).toEqual(before);
    await expect(pending.commit()).rejects.toThrow(/aborted/);
    expect(ids(await read(`${ns}.aborted`))).toEqual([0]);
  });

  it('is applied once when the answer to a commit that landed was lost', async () => {
    const t = await newTable('unknown');
    // the catalog commits, then the answer is lost on the way back
    let lose = true;
    const lossy = new Proxy(catalog() as Catalog, {
      get(target, prop, receiver) {
        if (prop !== 'commitTable') return Reflect.get(target, prop, receiver) as unknown;
        return async (...args: Parameters<Catalog['commitTable']>) => {
          const r = await target.commitTable(...args);
          if (!lose) return r;
          lose = false;
          throw new IcebergError(IcebergErrorCode.CommitStateUnknown, 'the connection dropped before the answer');
        };
      },
    });
    const writer = new Table(lossy, t.ident, await catalog().loadTable(t.ident));
    const pending = await writer.writeAppend({ rows: [{ id: 7n }] });
    await expect(pending.commit()).rejects.toThrow(/dropped/);
    await pending.abort(); // its files may be live: kept
    const again = await pending.commit();
    expect(again.snapshotId).toBe(pending.snapshotId);
    const view = await read(`${ns}.unknown`);
    expect(ids(view)).toEqual([7]);
    expect(view.snapshots).toHaveLength(1);
  });
});
