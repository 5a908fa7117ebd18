import type { TableMetadata } from '@matih/iceberg';
import { StaleBatchError } from './errors';
import { checkFence, committedOffsets, offsetKey, offsetSummary, type BatchRange } from './offsets';

function table(snapshots: { id: bigint; parent?: bigint; summary: Record<string, string> }[]): TableMetadata {
  const last = snapshots[snapshots.length - 1];
  return {
    snapshots: snapshots.map((s, i) => ({ 'snapshot-id': s.id, 'parent-snapshot-id': s.parent, 'sequence-number': BigInt(i + 1), 'timestamp-ms': 0n, 'manifest-list': '', summary: { operation: 'append', ...s.summary } })),
    refs: last ? { main: { 'snapshot-id': last.id, type: 'branch' } } : {},
    'current-snapshot-id': last?.id ?? null,
  } as unknown as TableMetadata;
}
const k = (p: number) => offsetKey('g', 'clicks', p);

describe('offsets in the Iceberg snapshot summary', () => {
  it('namespaces keys by group, topic and partition', () => {
    expect(offsetKey('pipeline-clickstream-v1', 'matih.web.clickstream', 3)).toBe('matih.offsets.pipeline-clickstream-v1.matih.web.clickstream.3');
  });

  it('reads each partition from the newest snapshot that has it, through snapshots of other writers', () => {
    const meta = table([
      { id: 1n, summary: { [k(0)]: '10', [k(1)]: '5' } },
      { id: 2n, parent: 1n, summary: { [k(0)]: '20' } },
      { id: 3n, parent: 2n, summary: {} }, // e.g. a Flink append
    ]);
    expect(committedOffsets(meta, 'g', 'clicks', [0, 1, 2])).toEqual(new Map([[0, '20'], [1, '5']]));
    expect(committedOffsets(table([]), 'g', 'clicks', [0]).size).toBe(0);
  });

  it('fences a batch whose partitions moved on (a zombie), passes one that starts where the table is', () => {
    const meta = table([{ id: 1n, summary: { [k(0)]: '100', [k(1)]: '50' } }]);
    const range = (start: [number, string | null][]): BatchRange => ({ group: 'g', topic: 'clicks', start: new Map(start), end: new Map() });
    expect(() => checkFence(meta, range([[0, '100'], [1, '50']]))).not.toThrow();
    expect(() => checkFence(meta, range([[0, '90']]))).toThrow(StaleBatchError);
    expect(() => checkFence(meta, range([[2, null]]))).not.toThrow();
    expect(() => checkFence(meta, range([[1, null]]))).toThrow(/clicks\[1\] is at 50, the batch started at no offset/);
  });

  it('carries the other partitions forward and never moves an offset back in at-least-once mode', () => {
    const meta = table([{ id: 1n, summary: { [k(0)]: '100', [k(1)]: '50', 'matih.offsets.other.t.0': '7', unrelated: 'x' } }]);
    const range: BatchRange = { group: 'g', topic: 'clicks', start: new Map([[0, '100']]), end: new Map([[0, '180'], [1, '40']]) };
    expect(offsetSummary(meta, range, { monotonic: false })).toEqual({ [k(0)]: '180', [k(1)]: '40', 'matih.offsets.other.t.0': '7' });
    expect(offsetSummary(meta, range, { monotonic: true })[k(1)]).toBe('50');
  });

  it('carries keys forward past a snapshot of another writer, so expiring the older snapshots loses none', () => {
    const meta = table([
      { id: 1n, summary: { [k(0)]: '10', 'matih.offsets.other.t.0': '7' } },
      { id: 2n, parent: 1n, summary: { [k(0)]: '20' } },
      { id: 3n, parent: 2n, summary: {} }, // e.g. a Flink append
    ]);
    const range: BatchRange = { group: 'g', topic: 'clicks', start: new Map([[1, null]]), end: new Map([[1, '5']]) };
    expect(offsetSummary(meta, range, { monotonic: false })).toEqual({ [k(0)]: '20', [k(1)]: '5', 'matih.offsets.other.t.0': '7' });
  });
});
