import { randomUUID } from 'node:crypto';
import { loadTable, Table } from './table';
import { expectPartitionedSampleRead, expectSampleRowsRead, expectSampleSummary, SAMPLE_FIELDS, SAMPLE_SUMMARY, sampleRows } from './testing/sample-table';
import { filesUnder, pyiceberg, stackCatalog } from './testing/stack';
import { NestedField } from './types';

/** Tables written by this library, read back by pyiceberg (an independent reader) on the local stack. */
describe('tables written by @matih/iceberg, read by pyiceberg', () => {
  const catalog = stackCatalog();
  const ns = `it_${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    await catalog.initialize();
    await catalog.createNamespace([ns]);
  });
  afterAll(() => catalog.close());

  const fields: NestedField[] = [...SAMPLE_FIELDS, { id: 8, name: 'qty', required: false, type: 'int' }, { id: 9, name: 'local_ts', required: false, type: 'timestamp' }];

  /** the sample rows, and values for `qty` and `local_ts` */
  function rows(n: number, offset = 0) {
    return sampleRows(n, offset).map((r) => {
      const i = Number(r.id);
      return { ...r, qty: i % 11 === 0 ? null : i * 3, local_ts: `2024-03-01 0${i % 10}:00:00.123456` };
    });
  }

  async function create(name: string, partitionBy: Parameters<typeof catalog.createTable>[1]['partitionBy']): Promise<Table> {
    await catalog.createTable({ namespace: [ns], name }, { fields, partitionBy, sortBy: [{ sourceId: 1 }], properties: { owner: 'it' } });
    return loadTable(catalog, { namespace: [ns], name });
  }

  it('reads every row with its types and nulls from an unpartitioned table', async () => {
    const t = await create('plain', []);
    const res = await t.append({ rows: rows(500) }, { summary: SAMPLE_SUMMARY });
    expect(res.records).toBe(500n);
    const view = await pyiceberg(`${ns}.plain`);
    for (const [got, expected] of expectSampleRowsRead(view, rows(500))) {
      expect(got['qty']).toBe(expected.qty);
      expect(got['local_ts']).toBe(expected.local_ts.replace(' ', 'T'));
    }
    expect(view.schema.map((f) => [f.id, f.name, f.type])).toEqual([
      [1, 'id', 'long'],
      [2, 'name', 'string'],
      [3, 'amount', 'decimal(10, 2)'],
      [4, 'score', 'double'],
      [5, 'ts', 'timestamptz'],
      [6, 'day', 'date'],
      [7, 'flag', 'boolean'],
      [8, 'qty', 'int'],
      [9, 'local_ts', 'timestamp'],
    ]);
    expect(view.arrow_types['ts']).toContain('tz=');
    expect(view.arrow_types['local_ts']).not.toContain('tz=');
    // metrics in the manifest entry, as pyiceberg decodes them
    const f = view.files[0]!;
    expect(f.record_count).toBe(500);
    expect(f.value_counts['2']).toBe(500);
    expect(f.null_value_counts['2']).toBe(rows(500).filter((r) => r.name === null).length);
    expect(f.null_value_counts['4']).toBe(rows(500).filter((r) => r.score === null).length);
    expect(f.has_bounds).toEqual(expect.arrayContaining([1, 2, 3, 4, 5, 6, 8, 9]));
    // caller-supplied summary properties next to the standard ones
    expectSampleSummary(view);
  });

  it('writes identity, day, month, year, hour, bucket and truncate partitions that pyiceberg decodes and prunes on', async () => {
    const t = await create('parted', [
      { sourceId: 5, transform: 'day' },
      { sourceId: 1, transform: 'bucket[4]' },
      { sourceId: 6, transform: 'identity' },
      { sourceId: 2, transform: 'truncate[6]' },
      { sourceId: 9, transform: 'month' },
      { sourceId: 9, transform: 'year' },
      { sourceId: 5, transform: 'hour' },
      { sourceId: 8, transform: 'truncate[10]' },
    ]);
    await t.append({ rows: rows(300) });
    await t.append({ rows: rows(300, 300) });
    const { all } = await expectPartitionedSampleRead((filter) => pyiceberg(`${ns}.parted`, filter), {
      day: 0,
      identity: 2,
      alsoMatches: (r, [, , , trunc]) => (trunc === null ? r['name'] === null : String(r['name']).startsWith(trunc as string)),
    });
    // bucket values are in range and spread
    const buckets = new Set(all.files.map((f) => f.partition[1] as number));
    expect([...buckets].every((b) => b >= 0 && b < 4)).toBe(true);
    expect(buckets.size).toBeGreaterThan(1);
  });

  it('appends a DuckDB relation, adds a column, and pyiceberg reads old rows with null in it', async () => {
    const t = await create('evolve', [{ sourceId: 6, transform: 'identity' }]);
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    await c.run(`CREATE TABLE batch AS SELECT i::BIGINT AS id, 'r' || i AS name, DATE '2024-05-01' + (i % 2)::INT AS day FROM range(100) t(i)`);
    await t.append({ connection: c, sql: 'SELECT * FROM batch' });
    await t.addColumn('country', 'string');
    await c.run(`CREATE TABLE batch2 AS SELECT (100 + i)::BIGINT AS id, 'FR' AS country, DATE '2024-05-03' AS day FROM range(10) t(i)`);
    await t.append({ connection: c, sql: 'batch2' });
    c.closeSync();
    const view = await pyiceberg(`${ns}.evolve`);
    expect(view.schema.map((f) => f.name)).toEqual([...fields.map((f) => f.name), 'country']);
    expect(view.schema.find((f) => f.name === 'country')!.id).toBe(10);
    expect(view.rows).toHaveLength(110);
    expect(view.rows.filter((r) => r['country'] === 'FR')).toHaveLength(10);
    expect(view.rows.filter((r) => r['country'] === null)).toHaveLength(100);
    // snapshot helpers see both appends
    const fresh = await loadTable(catalog, { namespace: [ns], name: 'evolve' });
    expect(fresh.snapshots().map((s) => s.summary['added-records'])).toEqual(['100', '10']);
    expect((await fresh.latestSummary())!['total-records']).toBe('110');
  });

  it('refuses a batch with nulls in a required column and leaves no files behind', async () => {
    const t = await create('strict', []);
    await expect(t.append({ rows: [{ id: null, name: 'x' }] })).rejects.toThrow(/required column id/);
    const view = await pyiceberg(`${ns}.strict`);
    expect(view.rows).toHaveLength(0);
    expect((await filesUnder(catalog, `${t.metadata.location}/data/`)).filter((f) => f.endsWith('.parquet'))).toEqual([]);
  });
});
