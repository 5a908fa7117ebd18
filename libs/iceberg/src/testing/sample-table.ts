/* The sample table the writer integration tests write through each catalog and read back with pyiceberg:
 * its columns, its rows (with nulls in most columns), and the checks of what pyiceberg reads of them. */
import type { NestedField } from '../types';
import type { PyIcebergView } from './stack';

/** A column of each common type; `id` is required. */
export const SAMPLE_FIELDS: NestedField[] = [
  { id: 1, name: 'id', required: true, type: 'long' },
  { id: 2, name: 'name', required: false, type: 'string' },
  { id: 3, name: 'amount', required: false, type: 'decimal(10,2)' },
  { id: 4, name: 'score', required: false, type: 'double' },
  { id: 5, name: 'ts', required: false, type: 'timestamptz' },
  { id: 6, name: 'day', required: false, type: 'date' },
  { id: 7, name: 'flag', required: false, type: 'boolean' },
];

/** `n` rows with ids from `offset`: `ts` over 3 days of January 2024, `day` on 2024-02-01 or 02. */
export function sampleRows(n: number, offset = 0) {
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
    };
  });
}
export type SampleRow = ReturnType<typeof sampleRows>[number];

/** What the tests append 500 sample rows with: a caller-supplied snapshot summary property. */
export const SAMPLE_SUMMARY = { 'kafka.offsets': '{"events-0":499}' };

/** Checks the first snapshot's summary: the caller-supplied property next to the standard counts of 500 rows. */
export function expectSampleSummary(view: PyIcebergView): void {
  expect(view.snapshots[0]!.summary).toMatchObject({ ...SAMPLE_SUMMARY, 'added-records': '500', 'total-records': '500' });
}

/** Checks that pyiceberg read exactly the rows written, each sample column's value and null; gives each row read with the row written. */
export function expectSampleRowsRead<R extends SampleRow>(view: PyIcebergView, written: R[]): [Record<string, unknown>, R][] {
  expect(view.rows).toHaveLength(written.length);
  const byId = new Map(view.rows.map((r) => [r['id'] as number, r]));
  return written.map((expected) => {
    const got = byId.get(Number(expected.id))!;
    expect(got['name']).toBe(expected.name);
    expect(got['amount']).toBe(expected.amount === null ? null : Number(expected.amount).toFixed(2));
    expect(got['score']).toBe(expected.score);
    expect(got['ts']).toBe(expected.ts.toISOString().replace('.000Z', '+00:00'));
    expect(got['day']).toBe(expected.day);
    expect(got['flag']).toBe(expected.flag);
    return [got, expected];
  });
}

/** Where a partitioned sample table's spec puts its `day(ts)` and `identity(day)` fields in a file's partition tuple. */
export interface SamplePartitionLayout {
  day: number;
  identity: number;
  /** what else a row must match to belong to a file of that partition */
  alsoMatches?: (row: Record<string, unknown>, partition: unknown[]) => boolean;
}

/**
 * Checks pyiceberg's reads of a sample table partitioned by (at least) day(ts) and identity(day), after two
 * commits of 300 sample rows: every row once, partition tuples that agree with the rows of their file,
 * filters on either partition that prune files, two snapshots with running totals. `read` is pyiceberg
 * on that table; gives the unfiltered view and the one filtered on `day`.
 */
export async function expectPartitionedSampleRead(
  read: (filter?: string) => Promise<PyIcebergView>,
  layout: SamplePartitionLayout,
): Promise<{ all: PyIcebergView; byIdent: PyIcebergView }> {
  const all = await read();
  expect(all.rows).toHaveLength(600);
  expect(new Set(all.rows.map((r) => r['id'])).size).toBe(600);
  // partition tuples recorded per file agree with the values of the rows pyiceberg reads from it
  const dayOf = (iso: string) => Math.floor(Date.parse(iso) / 86_400_000);
  for (const file of all.files) {
    // pyiceberg hands date-typed partition values (day transform, identity on a date) as days since epoch
    const day = file.partition[layout.day] as number;
    const ident = file.partition[layout.identity] as number;
    expect(typeof day).toBe('number');
    const inFile = all.rows.filter(
      (r) => dayOf(r['ts'] as string) === day && dayOf(`${r['day'] as string}T00:00:00Z`) === ident && (layout.alsoMatches?.(r, file.partition) ?? true),
    );
    expect(inFile.length).toBeGreaterThan(0);
  }
  // a filter on the day partition prunes files
  const filtered = await read("ts >= '2024-01-02T00:00:00+00:00' and ts < '2024-01-03T00:00:00+00:00'");
  expect(filtered.planned_files).toBeLessThan(filtered.total_files);
  expect(filtered.planned_files).toBeGreaterThan(0);
  expect(filtered.rows).toHaveLength(sampleRows(600).filter((r) => r.ts.getUTCDate() === 2).length);
  // and a filter on the identity partition too
  const byIdent = await read("day = '2024-02-01'");
  expect(byIdent.planned_files).toBeLessThan(byIdent.total_files);
  expect(byIdent.rows).toHaveLength(300);
  // two snapshots, the second with the first as parent and running totals
  expect(all.snapshots).toHaveLength(2);
  expect(all.snapshots[1]!.parent).toBe(all.snapshots[0]!.id);
  expect(all.snapshots[1]!.summary!['total-records']).toBe('600');
  return { all, byIdent };
}
