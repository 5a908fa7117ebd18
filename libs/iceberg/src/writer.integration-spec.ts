import { randomUUID } from 'node:crypto';
import { loadTable, Table } from './table';
import { pyiceberg, stackCatalog } from './testing/stack';
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

  const fields: NestedField[] = [
    { id: 1, name: 'id', required: true, type: 'long' },
    { id: 2, name: 'name', required: false, type: 'string' },
    { id: 3, name: 'amount', required: false, type: 'decimal(10,2)' },
    { id: 4, name: 'score', required: false, type: 'double' },
    { id: 5, name: 'ts', required: false, type: 'timestamptz' },
    { id: 6, name: 'day', required: false, type: 'date' },
    { id: 7, name: 'flag', required: false, type: 'boolean' },
    { id: 8, name: 'qty', required: false, type: 'int' },
    { id: 9, name: 'local_ts', required: false, type: 'timestamp' },
  ];

  function rows(n: number, offset = 0) {
    return Array.from({ length: n }, (_, k) => {
      const i = k + offset;
      return {
        id: BigInt(i),
        name: i % 7 === 0 ? null : `name-${i}`,
        amount: i % 5 === 0 ? null : `${i}.${String(i % 100).padStart(2, '0')}`,
        score: i % 3 === 0 ? null : i / 4,
        ts: new Date(Date.UTC(2024, 0, 1 + (i % 3), i % 24, 30)),
        day: `2024-02-0${1 + (i % 2)}`,
        flag: i % 2 === 0,
        qty: i % 11 === 0 ? null : i * 3,
        local_ts: `2024-03-01 0${i % 10}:00:00.123456`,
      };
    });
  }

  async function create(name: string, partitionBy: Parameters<typeof catalog.createTable>[1]['partitionBy']): Promise<Table> {
    await catalog.createTable({ namespace: [ns], name }, { fields, partitionBy, sortBy: [{ sourceId: 1 }], properties: { owner: 'it' } });
    return loadTable(catalog, { namespace: [ns], name });
  }

  it('reads every row with its types and nulls from an unpartitioned table', async () => {
    const t = await create('plain', []);
    const res = await t.append({ rows: rows(500) }, { summary: { 'kafka.offsets': '{"events-0":499}' } });
    expect(res.records).toBe(500n);
    const view = await pyiceberg(`${ns}.plain`);
    expect(view.rows).toHaveLength(500);
    const byId = new Map(view.rows.map((r) => [r['id'] as number, r]));
    for (const expected of rows(500)) {
      const got = byId.get(Number(expected.id))!;
      expect(got['name']).toBe(expected.name);
      expect(got['amount']).toBe(expected.amount === null ? null : Number(expected.amount).toFixed(2));
      expect(got['score']).toBe(expected.score);
      expect(got['ts']).toBe(expected.ts.toISOString().replace('.000Z', '+00:00'));
      expect(got['day']).toBe(expected.day);
      expect(got['flag']).toBe(expected.flag);
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
    const summary = view.snapshots[0]!.summary!;
    expect(summary['kafka.offsets']).toBe('{"events-0":499}');
    expect(summary['added-records']).toBe('500');
    expect(summary['total-records']).toBe('500');
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
    const all = await pyiceberg(`${ns}.parted`);
    expect(all.rows).toHaveLength(600);
    expect(new Set(all.rows.map((r) => r['id'])).size).toBe(600);
    // partition tuples recorded per file agree with the values of the rows pyiceberg reads from it
    const dayOf = (iso: string) => Math.floor(Date.parse(iso) / 86_400_000);
    for (const file of all.files) {
      // pyiceberg hands date-typed partition values (day transform, identity on a date) as days since epoch
      const [day, , ident, trunc] = file.partition as [number, number, number, string | null];
      expect(typeof day).toBe('number');
      const inFile = all.rows.filter(
        (r) =>
          dayOf(r['ts'] as string) === day &&
          dayOf(`${r['day'] as string}T00:00:00Z`) === ident &&
          (trunc === null ? r['name'] === null : String(r['name']).startsWith(trunc)),
      );
      expect(inFile.length).toBeGreaterThan(0);
    }
    // bucket values are in range and spread
    const buckets = new Set(all.files.map((f) => f.partition[1] as number));
    expect([...buckets].every((b) => b >= 0 && b < 4)).toBe(true);
    expect(buckets.size).toBeGreaterThan(1);
    // a filter on the day partition prunes files
    const filtered = await pyiceberg(`${ns}.parted`, "ts >= '2024-01-02T00:00:00+00:00' and ts < '2024-01-03T00:00:00+00:00'");
    expect(filtered.planned_files).toBeLessThan(filtered.total_files);
    expect(filtered.planned_files).toBeGreaterThan(0);
    expect(filtered.rows).toHaveLength(rows(600).filter((r) => r.ts.getUTCDate() === 2).length);
    // and a filter on the identity partition too
    const byIdent = await pyiceberg(`${ns}.parted`, "day = '2024-02-01'");
    expect(byIdent.planned_files).toBeLessThan(byIdent.total_files);
    expect(byIdent.rows).toHaveLength(300);
    // two snapshots, the second with the first as parent and running totals
    expect(all.snapshots).toHaveLength(2);
    expect(all.snapshots[1]!.parent).toBe(all.snapshots[0]!.id);
    expect(all.snapshots[1]!.summary!['total-records']).toBe('600');
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
    const fs = await import('node:fs');
    const dataDir = new URL(`${t.metadata.location}/data`.replace('file:/', 'file:///').replace('file:////', 'file:///'));
    expect(fs.existsSync(dataDir) ? fs.readdirSync(dataDir, { recursive: true }).filter((f) => String(f).endsWith('.parquet')) : []).toEqual([]);
  });
});
