import { manifestMergePolicy, snapshotsToExpire } from './maintenance';
import type { TableMetadata } from './types';

/** A linear history 1 ← 2 ← … ← n (main at n), snapshot i taken at time i × 1000. */
function history(n: number, refs: Record<string, bigint> = {}): TableMetadata {
  const snapshots = Array.from({ length: n }, (_, i) => ({
    'snapshot-id': BigInt(i + 1),
    ...(i ? { 'parent-snapshot-id': BigInt(i) } : {}),
    'sequence-number': BigInt(i + 1),
    'timestamp-ms': BigInt((i + 1) * 1000),
    'manifest-list': `snap-${i + 1}.avro`,
    summary: { operation: 'append' },
  }));
  const all: Record<string, { 'snapshot-id': bigint; type: 'branch' | 'tag' }> = { main: { 'snapshot-id': BigInt(n), type: 'branch' } };
  for (const [name, id] of Object.entries(refs)) all[name] = { 'snapshot-id': id, type: 'tag' };
  return { snapshots, refs: all, 'current-snapshot-id': BigInt(n) } as unknown as TableMetadata;
}

describe('snapshot expiry on append', () => {
  it('keeps the newest max - 1 (the append adds one), and waits until a tenth over before expiring', () => {
    expect(snapshotsToExpire(history(10), { max: 10 }, 0)).toEqual([]);
    expect(snapshotsToExpire(history(11), { max: 10 }, 0)).toEqual([2n, 1n]);
    expect(snapshotsToExpire(history(12), { max: 10 }, 0)).toEqual([3n, 2n, 1n]);
  });

  it('expires by age too, but never the current snapshot', () => {
    expect(snapshotsToExpire(history(5), { max: 100, maxAgeMs: 2500 }, 5000)).toEqual([2n, 1n]);
    expect(snapshotsToExpire(history(1), { max: 100, maxAgeMs: 0 }, 1e9)).toEqual([]);
  });

  it('keeps what a tag or another branch reaches', () => {
    // 30 … 22 kept by count; 5 and its ancestors by the tag
    expect(snapshotsToExpire(history(30, { release: 5n }), { max: 10 }, 0)).toEqual(Array.from({ length: 16 }, (_, i) => BigInt(21 - i)));
  });
});

describe('manifest merge policy', () => {
  it("reads Java's table properties, with Java's defaults", () => {
    expect(manifestMergePolicy({})).toEqual({ enabled: true, minCount: 100, targetBytes: 8n * 1024n * 1024n });
    expect(manifestMergePolicy({ 'commit.manifest-merge.enabled': 'false', 'commit.manifest.min-count-to-merge': '5' })).toMatchObject({ enabled: false, minCount: 5 });
  });
});
