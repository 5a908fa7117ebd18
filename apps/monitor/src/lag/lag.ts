/**
 * Consumer lag: how many records a consumer group is behind the end of each partition, and how long
 * ago the first record it has not consumed was written. Pure logic: the repository reads offsets.
 */

export interface PartitionLag {
  readonly partition: number;
  /** the offset the next produced record gets (log end offset) */
  readonly end: bigint;
  /** the next offset the group will read, or null when it has committed none on this partition */
  readonly committed: bigint | null;
  /** records behind; null when the group has no position here */
  readonly records: number | null;
  /** seconds since the first unconsumed record was written (0 when caught up); null when unknown */
  readonly seconds: number | null;
}

export interface TopicLag {
  readonly topic: string;
  readonly group: string;
  readonly partitions: readonly PartitionLag[];
  /** sum of the partitions' lag (partitions without a position left out) */
  readonly records: number;
  /** the worst partition's seconds behind */
  readonly seconds: number;
}

/** Records behind on one partition: end − committed, never negative (a committed offset past a truncated end). */
export function recordsBehind(end: bigint, committed: bigint | null): number | null {
  if (committed === null) return null;
  return end > committed ? Number(end - committed) : 0;
}

/**
 * Where a partition's end offset was at past moments. The record at offset `o` was written when the
 * end first passed `o`; between two samples the time is interpolated linearly. This is how lag in
 * records becomes lag in time without reading any record.
 */
export class EndOffsetHistory {
  private readonly samples: { at: number; end: bigint }[] = [];

  constructor(
    /** how far back samples are kept */
    private readonly retainMs = 3_600_000,
    private readonly maxSamples = 2_000,
  ) {}

  record(at: number, end: bigint): void {
    const last = this.samples.at(-1);
    if (last && end < last.end) this.samples.length = 0; // the topic was recreated: start over
    // only changes matter, but keep the time the end was last seen unchanged too
    if (last && last.end === end && this.samples.length >= 2 && this.samples.at(-2)!.end === end) last.at = at;
    else this.samples.push({ at, end });
    while (this.samples.length > this.maxSamples || (this.samples.length > 2 && this.samples[0]!.at < at - this.retainMs)) this.samples.shift();
  }

  /** Seconds between when the record at `offset` was written and `now` (0 when `offset` is at the end). */
  secondsBehind(offset: bigint, now: number): number | null {
    const latest = this.samples.at(-1);
    if (!latest) return null;
    if (offset >= latest.end) return 0;
    const first = this.samples[0]!;
    // older than every sample: at least as old as the first one
    if (offset < first.end) return Math.max(0, (now - first.at) / 1_000);
    for (let i = 1; i < this.samples.length; i++) {
      const before = this.samples[i - 1]!;
      const after = this.samples[i]!;
      if (offset >= before.end && offset < after.end) {
        // the record was written in (before.at, after.at]
        const share = Number(offset - before.end + 1n) / Number(after.end - before.end);
        const writtenAt = before.at + share * (after.at - before.at);
        return Math.max(0, (now - writtenAt) / 1_000);
      }
    }
    return 0;
  }
}

/** The lag of a group on a topic, given each partition's end and committed offsets. */
export function topicLag(
  topic: string,
  group: string,
  ends: ReadonlyMap<number, bigint>,
  committed: ReadonlyMap<number, bigint | null>,
  history: (partition: number) => EndOffsetHistory | undefined,
  now: number,
): TopicLag {
  const partitions = [...ends.keys()]
    .sort((a, b) => a - b)
    .map((partition): PartitionLag => {
      const end = ends.get(partition)!;
      const position = committed.get(partition) ?? null;
      const records = recordsBehind(end, position);
      const seconds = position === null ? null : records === 0 ? 0 : (history(partition)?.secondsBehind(position, now) ?? null);
      return { partition, end, committed: position, records, seconds };
    });
  return {
    topic,
    group,
    partitions,
    records: partitions.reduce((sum, p) => sum + (p.records ?? 0), 0),
    seconds: partitions.reduce((worst, p) => Math.max(worst, p.seconds ?? 0), 0),
  };
}
