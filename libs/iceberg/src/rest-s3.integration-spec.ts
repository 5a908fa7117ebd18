import { randomUUID } from 'node:crypto';
import { RestCatalog } from './catalog/rest-catalog';
import { S3FileIO } from './io/s3-file-io';
import { loadTable, Table } from './table';
import { expectPartitionedSampleRead, expectSampleRowsRead, expectSampleSummary, SAMPLE_FIELDS, SAMPLE_SUMMARY, sampleRows } from './testing/sample-table';
import { endpoints, filesUnder, pyicebergRest, stackRestCatalog } from './testing/stack';

/**
 * Tables written through the stack's Iceberg REST catalog (Iceberg's reference server) with their
 * files on the stack's S3-compatible object store, read back by pyiceberg through the same catalog.
 */
describe('tables written through the REST catalog onto S3, read by pyiceberg', () => {
  let catalog: RestCatalog;
  const ns = `it_rest_${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    catalog = await stackRestCatalog();
    await catalog.createNamespace([ns]);
  });
  afterAll(() => catalog.close());

  async function create(name: string, partitionBy: Parameters<RestCatalog['createTable']>[1]['partitionBy']): Promise<Table> {
    await catalog.createTable({ namespace: [ns], name }, { fields: SAMPLE_FIELDS, partitionBy, properties: { owner: 'it' } });
    return loadTable(catalog, { namespace: [ns], name });
  }

  it('keeps the table on the object store and pyiceberg reads every row, type and null', async () => {
    const t = await create('plain', []);
    expect(t.metadataLocation).toMatch(new RegExp(`^${endpoints().restCatalog.warehouse}/${ns}/plain/metadata/`));
    const res = await t.append({ rows: sampleRows(500) }, { summary: SAMPLE_SUMMARY });
    expect(res.records).toBe(500n);
    // the data file, manifest and manifest list are objects in the bucket
    const keys = await filesUnder(catalog, `${t.metadata.location}/`);
    expect(keys.filter((k) => k.endsWith('.parquet'))).toHaveLength(1);
    expect(keys.filter((k) => /\/metadata\/snap-.*\.avro$/.test(k))).toHaveLength(1);

    const view = await pyicebergRest(`${ns}.plain`);
    expectSampleRowsRead(view, sampleRows(500));
    expect(view.schema.map((f) => [f.name, f.type, f.required])).toEqual([
      ['id', 'long', true],
      ['name', 'string', false],
      ['amount', 'decimal(10, 2)', false],
      ['score', 'double', false],
      ['ts', 'timestamptz', false],
      ['day', 'date', false],
      ['flag', 'boolean', false],
    ]);
    expect(view.files[0]!.null_value_counts[String(t.schema.fields.find((f) => f.name === 'name')!.id)]).toBe(sampleRows(500).filter((r) => r.name === null).length);
    // caller-supplied summary properties next to the standard ones
    expectSampleSummary(view);
  });

  it('writes partitions that pyiceberg decodes and prunes on, over two commits', async () => {
    const t = await create('parted', [
      { sourceId: 5, transform: 'day' },
      { sourceId: 6, transform: 'identity' },
    ]);
    await t.append({ rows: sampleRows(300) });
    await t.append({ rows: sampleRows(300, 300) });
    const { all, byIdent } = await expectPartitionedSampleRead((filter) => pyicebergRest(`${ns}.parted`, filter), { day: 0, identity: 1 });
    // 3 days × 2 dates, in each of 2 commits
    expect(all.total_files).toBe(12);
    expect(byIdent.planned_files).toBe(6);
  });

  it('adds a column through the REST protocol (add-schema) and pyiceberg reads old rows with null in it', async () => {
    const t = await create('evolve', []);
    await t.append({ rows: sampleRows(20) });
    await t.addColumn('country', 'string');
    await t.append({ rows: sampleRows(5, 20).map((r) => ({ ...r, country: 'FR' })) });
    const view = await pyicebergRest(`${ns}.evolve`);
    expect(view.schema.map((f) => f.name)).toEqual([...SAMPLE_FIELDS.map((f) => f.name), 'country']);
    expect(view.rows.filter((r) => r['country'] === 'FR')).toHaveLength(5);
    expect(view.rows.filter((r) => r['country'] === null)).toHaveLength(20);
  });

  it('turns a stale commit into a conflict, re-applies the append on the fresh state, and leaves no orphan files', async () => {
    const t = await create('stale', []);
    const other = await loadTable(catalog, { namespace: [ns], name: 'stale' });
    await other.append({ rows: sampleRows(10) });
    // t still holds the state from before that commit: its first attempt gets 409 and is retried
    const res = await t.append({ rows: sampleRows(10, 10) });
    expect(res.attempts).toBe(2);
    const view = await pyicebergRest(`${ns}.stale`);
    expect(view.rows).toHaveLength(20);
    expect(view.snapshots).toHaveLength(2);
    // the manifest list of the failed attempt was deleted: one per snapshot remains
    const lists = (await filesUnder(catalog, `${t.metadata.location}/metadata/snap-`)).length;
    expect(lists).toBe(2);
  });

  it('refuses a batch with nulls in a required column and leaves no object behind', async () => {
    const t = await create('strict', []);
    await expect(t.append({ rows: [{ id: null, name: 'x' }] })).rejects.toThrow(/required column id/);
    expect((await filesUnder(catalog, `${t.metadata.location}/data/`)).length).toBe(0);
    expect((await pyicebergRest(`${ns}.strict`)).rows).toHaveLength(0);
  });

  it('S3FileIO: exclusive writes refuse an existing key, reads of a missing key say so, deletes are idempotent', async () => {
    const io = catalog.io as S3FileIO;
    const loc = `${endpoints().restCatalog.warehouse}/${ns}/io-check/${randomUUID()}.bin`;
    await io.write(loc, Buffer.from('first'), { exclusive: true });
    await expect(io.write(loc, Buffer.from('second'), { exclusive: true })).rejects.toThrow(`${loc} already exists`);
    expect((await io.read(loc)).toString()).toBe('first');
    await io.write(loc, Buffer.from('replaced'));
    expect((await io.read(loc)).toString()).toBe('replaced');
    await io.delete(loc);
    await io.delete(loc);
    expect(await io.exists(loc)).toBe(false);
    await expect(io.read(loc)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('names the missing table in the error', async () => {
    await expect(catalog.loadTable({ namespace: [ns], name: 'nope' })).rejects.toThrow(/NoSuchTableException/);
    expect(await catalog.tableExists({ namespace: [ns], name: 'nope' })).toBe(false);
    expect(await catalog.namespaceExists([ns])).toBe(true);
    expect((await catalog.listTables([ns])).map((i) => i.name)).toEqual(expect.arrayContaining(['plain', 'parted']));
  });
});
