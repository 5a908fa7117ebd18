import { SqlGatewayClient, type GatewaySession } from '@matih/flink';
import { icebergCatalogDdl, restCatalogDdl, stackEndpoints } from '@matih/stack';
import { randomUUID } from 'node:crypto';
import type { Catalog } from './catalog/catalog';
import type { CreateTableOptions } from './metadata';
import { loadTable, type Table } from './table';
import { pyiceberg, pyicebergRest, stackCatalog, stackRestCatalog } from './testing/stack';
import type { NestedField } from './types';

/** Creates the namespace and, in it, a `clicks` table (user_id, url, ts) partitioned by `partitionBy`. */
async function createClicks(catalog: Catalog, ns: string, partitionBy: CreateTableOptions['partitionBy']): Promise<Table> {
  await catalog.createNamespace([ns]);
  const fields: NestedField[] = [
    { id: 1, name: 'user_id', required: true, type: 'long' },
    { id: 2, name: 'url', required: false, type: 'string' },
    { id: 3, name: 'ts', required: true, type: 'timestamptz' },
  ];
  await catalog.createTable({ namespace: [ns], name: 'clicks' }, { fields, partitionBy });
  return loadTable(catalog, { namespace: [ns], name: 'clicks' });
}

/** Interop with Flink's Iceberg connector (Iceberg Java) through the SQL Gateway of the local stack. */
describe('Flink interop', () => {
  const catalog = stackCatalog();
  const ns = `it_flink_${randomUUID().slice(0, 8)}`;
  let flink: GatewaySession;

  beforeAll(async () => {
    await catalog.initialize();
    flink = await new SqlGatewayClient(stackEndpoints().flink.gatewayUrl).openSession({ 'execution.runtime-mode': 'batch', 'table.dml-sync': 'true' });
    await flink.execute(icebergCatalogDdl());
    await flink.execute('USE CATALOG `matih`');
    await flink.execute(`CREATE DATABASE IF NOT EXISTS \`${ns}\``);
  });
  afterAll(async () => {
    await flink?.close();
    await catalog.close();
  });

  const count = async (table: string) => Number((await flink.execute(`SELECT COUNT(*) AS n FROM \`${ns}\`.\`${table}\``)).rows[0]!['n']);

  it('appends to a table Flink created and wrote, and Flink keeps writing and reading after it', async () => {
    await flink.execute(`CREATE TABLE \`${ns}\`.\`orders\` (id BIGINT, customer STRING, amount DECIMAL(10,2), ts TIMESTAMP(6), d DATE) PARTITIONED BY (d)`);
    await flink.execute(
      `INSERT INTO \`${ns}\`.\`orders\` VALUES (1, 'a', 1.50, TIMESTAMP '2024-01-01 10:00:00', DATE '2024-01-01'), (2, 'b', 2.25, TIMESTAMP '2024-01-02 11:00:00', DATE '2024-01-02')`,
    );
    const t = await loadTable(catalog, { namespace: [ns], name: 'orders' });
    expect(t.snapshots()).toHaveLength(1);
    const res = await t.append(
      {
        rows: Array.from({ length: 100 }, (_, i) => ({
          id: BigInt(100 + i),
          customer: i % 4 === 0 ? null : `c${i}`,
          amount: `${i}.99`,
          ts: `2024-01-0${1 + (i % 3)} 12:00:00`,
          d: `2024-01-0${1 + (i % 3)}`,
        })),
      },
      { summary: { 'matih.offsets': 'orders-0:99' } },
    );
    expect(res.attempts).toBe(1);
    await flink.execute(`INSERT INTO \`${ns}\`.\`orders\` VALUES (3, 'c', 3.00, TIMESTAMP '2024-01-03 09:00:00', DATE '2024-01-03')`);

    expect(await count('orders')).toBe(103);
    const mine = await flink.execute(`SELECT id, customer, CAST(amount AS STRING) AS amount, CAST(d AS STRING) AS d FROM \`${ns}\`.\`orders\` WHERE id = 105`);
    expect(mine.rows).toEqual([{ id: 105, customer: 'c5', amount: '5.99', d: '2024-01-03' }]);
    const nulls = await flink.execute(`SELECT COUNT(*) AS n FROM \`${ns}\`.\`orders\` WHERE customer IS NULL`);
    expect(Number(nulls.rows[0]!['n'])).toBe(25);
    const perDay = await flink.execute(`SELECT CAST(d AS STRING) AS d, COUNT(*) AS n FROM \`${ns}\`.\`orders\` GROUP BY d`);
    expect(Object.fromEntries(perDay.rows.map((r) => [r['d'], Number(r['n'])]))).toEqual({ '2024-01-01': 35, '2024-01-02': 34, '2024-01-03': 34 });

    // the history is linear across both writers, and our summary property survived Flink's next commit
    await t.refresh();
    const snaps = t.snapshots();
    expect(snaps).toHaveLength(3);
    expect(snaps[1]!.summary['matih.offsets']).toBe('orders-0:99');
    expect(snaps[2]!.parentSnapshotId).toBe(snaps[1]!.snapshotId);
    expect(snaps[2]!.summary['total-records']).toBe('103');
    const view = await pyiceberg(`${ns}.orders`);
    expect(view.rows).toHaveLength(103);
  });

  it('Flink reads a partitioned table this library created and wrote, with partition pruning on bucket and day', async () => {
    const t = await createClicks(catalog, ns, [
      { sourceId: 3, transform: 'day' },
      { sourceId: 1, transform: 'bucket[8]' },
    ]);
    const rows = Array.from({ length: 1000 }, (_, i) => ({ user_id: BigInt(i % 50), url: `/p/${i % 13}`, ts: new Date(Date.UTC(2024, 5, 1 + (i % 4), i % 24)) }));
    await t.append({ rows });
    expect(await count('clicks')).toBe(1000);
    // Flink computes bucket[8](user_id) itself from the filter: only rows of that user come back
    const one = await flink.execute(`SELECT COUNT(*) AS n FROM \`${ns}\`.\`clicks\` WHERE user_id = 7`);
    expect(Number(one.rows[0]!['n'])).toBe(rows.filter((r) => r.user_id === 7n).length);
    const day = await flink.execute(`SELECT COUNT(*) AS n FROM \`${ns}\`.\`clicks\` WHERE ts >= TIMESTAMP '2024-06-02 00:00:00' AND ts < TIMESTAMP '2024-06-03 00:00:00'`);
    expect(Number(day.rows[0]!['n'])).toBe(250);
    // and Flink appends to it after us
    await flink.execute(`INSERT INTO \`${ns}\`.\`clicks\` VALUES (7, '/x', TIMESTAMP '2024-06-05 00:00:00')`);
    const view = await pyiceberg(`${ns}.clicks`, 'user_id = 7');
    expect(view.rows).toHaveLength(rows.filter((r) => r.user_id === 7n).length + 1);
    expect(view.planned_files).toBeLessThan(view.total_files);
  });
});

/** The same interop through the stack's Iceberg REST catalog, the files on the S3 object store (Flink's S3FileIO). */
describe('Flink interop through the REST catalog on S3', () => {
  const ns = `it_flink_rest_${randomUUID().slice(0, 8)}`;
  let flink: GatewaySession;

  beforeAll(async () => {
    flink = await new SqlGatewayClient(stackEndpoints().flink.gatewayUrl).openSession({ 'execution.runtime-mode': 'batch', 'table.dml-sync': 'true' });
    await flink.execute(restCatalogDdl());
  });
  afterAll(() => flink?.close());

  it('Flink reads a partitioned table this library wrote through the REST catalog, then appends; pyiceberg sees both', async () => {
    const catalog = await stackRestCatalog();
    try {
      const t = await createClicks(catalog, ns, [{ sourceId: 3, transform: 'day' }]);
      const rows = Array.from({ length: 400 }, (_, i) => ({ user_id: BigInt(i % 20), url: i % 9 === 0 ? null : `/p/${i % 13}`, ts: new Date(Date.UTC(2024, 5, 1 + (i % 4), i % 24)) }));
      await t.append({ rows }, { summary: { 'matih.offsets': 'clicks-0:399' } });

      const table = `\`rest\`.\`${ns}\`.\`clicks\``;
      const n = async (where = '') => Number((await flink.execute(`SELECT COUNT(*) AS n FROM ${table} ${where}`)).rows[0]!['n']);
      expect(await n()).toBe(400);
      expect(await n('WHERE url IS NULL')).toBe(rows.filter((r) => r.url === null).length);
      expect(await n("WHERE ts >= TIMESTAMP '2024-06-02 00:00:00' AND ts < TIMESTAMP '2024-06-03 00:00:00'")).toBe(100);
      const byUrl = (a: Record<string, unknown>, b: Record<string, unknown>) => String(a['url'] ?? '').localeCompare(String(b['url'] ?? ''));
      const one = await flink.execute(`SELECT user_id, url FROM ${table} WHERE user_id = 4 AND ts < TIMESTAMP '2024-06-02 00:00:00'`);
      const expected = rows.filter((r) => r.user_id === 4n && r.ts < new Date(Date.UTC(2024, 5, 2))).map((r) => ({ user_id: 4, url: r.url }));
      expect(expected.length).toBeGreaterThan(0);
      expect([...one.rows].sort(byUrl)).toEqual(expected.sort(byUrl));

      await flink.execute(`INSERT INTO ${table} VALUES (7, '/x', TIMESTAMP '2024-06-05 00:00:00')`);
      await t.refresh();
      const snaps = t.snapshots();
      expect(snaps).toHaveLength(2);
      expect(snaps[1]!.parentSnapshotId).toBe(snaps[0]!.snapshotId);
      expect(snaps[0]!.summary['matih.offsets']).toBe('clicks-0:399');
      const view = await pyicebergRest(`${ns}.clicks`);
      expect(view.rows).toHaveLength(401);
    } finally {
      await catalog.close();
    }
  });
});
