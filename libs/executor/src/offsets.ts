import { ancestry, currentSnapshot, type TableMetadata } from '@matih/iceberg';
import { StaleBatchError } from './errors';

/** Offsets of one topic: partition → the next offset to read (a Kafka offset as a decimal string). */
export type PartitionOffsets = Map<number, string>;

const PREFIX = 'matih.offsets.';

/**
 * The snapshot summary key that holds a consumer group's next offset for one topic-partition:
 * `matih.offsets.<consumer_group>.<topic>.<partition>`. Keys are only ever looked up whole, so dots
 * inside group or topic names are harmless.
 */
export function offsetKey(group: string, topic: string, partition: number): string {
  return `${PREFIX}${group}.${topic}.${partition}`;
}

/**
 * The committed offsets of `partitions` as the table records them: from the current snapshot back
 * through its ancestors, the first snapshot that carries a partition's key wins (snapshots written by
 * another engine carry none of ours). A partition with no key anywhere is absent from the result.
 */
export function committedOffsets(metadata: TableMetadata, group: string, topic: string, partitions: Iterable<number>): PartitionOffsets {
  const wanted = new Map<string, number>();
  for (const p of partitions) wanted.set(offsetKey(group, topic, p), p);
  const result: PartitionOffsets = new Map();
  for (const snapshot of ancestry(metadata, currentSnapshot(metadata)?.['snapshot-id'])) {
    if (wanted.size === 0) break;
    for (const [key, partition] of wanted) {
      const value = snapshot.summary[key];
      if (value !== undefined) {
        result.set(partition, value);
        wanted.delete(key);
      }
    }
  }
  return result;
}

/**
 * Every `matih.offsets.*` key the table records, the newest of each (carried forward into the next
 * snapshot): usually all in the current snapshot, but a snapshot another engine wrote carries none,
 * and once its ancestors expire only what the next snapshot carries remains.
 */
export function carriedOffsetKeys(metadata: TableMetadata): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of ancestry(metadata, currentSnapshot(metadata)?.['snapshot-id'])) {
    for (const [k, v] of Object.entries(s.summary)) if (k.startsWith(PREFIX) && !(k in out)) out[k] = v;
  }
  return out;
}

/** What a batch read from one topic: where each partition started (as this instance believed the table said) and where it ends. */
export interface BatchRange {
  group: string;
  topic: string;
  /** partition → the offset the batch starts at; null: the table had no offset for it when the batch started */
  start: Map<number, string | null>;
  /** partition → the next offset after the batch */
  end: PartitionOffsets;
}

/**
 * The zombie fence, run by the Iceberg commit against the table state it would commit on: the batch
 * may commit only if the table's offsets of its partitions are still those it started from.
 * Anything else means another instance (or this one in an earlier generation) moved the partition on.
 */
export function checkFence(metadata: TableMetadata, range: BatchRange): void {
  const current = committedOffsets(metadata, range.group, range.topic, range.start.keys());
  const stale: string[] = [];
  for (const [partition, started] of range.start) {
    const now = current.get(partition) ?? null;
    if (now !== started) stale.push(`${range.topic}[${partition}] is at ${now ?? 'no offset'}, the batch started at ${started ?? 'no offset'}`);
  }
  if (stale.length) throw new StaleBatchError(`stale batch (another consumer committed first): ${stale.join('; ')}`);
}

/**
 * The offset keys of the snapshot that commits a batch: the parent's keys carried forward (other
 * partitions, other groups), then this batch's end offsets. In at-least-once mode an older batch
 * never moves an offset backwards.
 */
export function offsetSummary(parent: TableMetadata, range: BatchRange, opts: { monotonic: boolean }): Record<string, string> {
  const out = carriedOffsetKeys(parent);
  for (const [partition, end] of range.end) {
    const key = offsetKey(range.group, range.topic, partition);
    const prev = out[key];
    out[key] = opts.monotonic && prev !== undefined && BigInt(prev) > BigInt(end) ? prev : end;
  }
  return out;
}
