import { FileIO, localPathOf } from './io/file-io';
import { ManifestFile, manifestFilePaths, mergeDataManifests, readManifestList } from './manifest';
import { Schema, Snapshot, TableMetadata, ancestry, currentSnapshot } from './types';

/**
 * What keeps a table that is appended to many times a minute cheap to commit to and to read:
 * manifests merged as they accumulate (as Java's appends do), and old snapshots expired in the
 * append's own commit.
 */

/** Java's manifest merging on append, from the table's properties (same names and defaults). */
export interface ManifestMergePolicy {
  enabled: boolean;
  /** merge once a partition spec has this many data manifests */
  minCount: number;
  /** manifests at least this large are left alone; merged ones stay below it */
  targetBytes: bigint;
}

export function manifestMergePolicy(properties: Record<string, string>): ManifestMergePolicy {
  return {
    enabled: (properties['commit.manifest-merge.enabled'] ?? 'true') !== 'false',
    minCount: Number(properties['commit.manifest.min-count-to-merge'] ?? 100),
    targetBytes: BigInt(properties['commit.manifest.target-size-bytes'] ?? 8 * 1024 * 1024),
  };
}

export interface MergedManifests {
  /** the parent's manifests with the merged ones in place of those they replace */
  manifests: ManifestFile[];
  /** paths of the manifests this merge wrote (to delete if the commit does not happen) */
  written: string[];
}

/**
 * Merges the parent's small data manifests of each partition spec that has `minCount` or more of
 * them (counting the one the append adds) into manifests of at most `targetBytes`, for the snapshot
 * being committed with `sequenceNumber`. Delete manifests and large manifests stay as they are.
 */
export async function mergeManifests(args: {
  io: FileIO;
  metadata: TableMetadata;
  schema: Schema;
  manifests: ManifestFile[];
  snapshotId: bigint;
  sequenceNumber: bigint;
  addedSpecId: number | undefined;
  newManifestPath: (i: number) => string;
  policy: ManifestMergePolicy;
}): Promise<MergedManifests> {
  const { policy } = args;
  const kept: ManifestFile[] = [];
  const bySpec = new Map<number, ManifestFile[]>();
  for (const m of args.manifests) {
    if (m.content !== 0 || m.manifest_length >= policy.targetBytes) kept.push(m);
    else bySpec.set(m.partition_spec_id, [...(bySpec.get(m.partition_spec_id) ?? []), m]);
  }
  const merged: ManifestFile[] = [];
  const written: string[] = [];
  for (const [specId, small] of bySpec) {
    const count = small.length + (args.addedSpecId === specId ? 1 : 0);
    const spec = args.metadata['partition-specs'].find((s) => s['spec-id'] === specId);
    if (!policy.enabled || count < policy.minCount || small.length < 2 || !spec) {
      kept.push(...small);
      continue;
    }
    // bins of consecutive manifests (newest first, as listed) up to the target size
    const bins: ManifestFile[][] = [[]];
    let size = 0n;
    for (const m of small) {
      if (size + m.manifest_length > policy.targetBytes && bins[bins.length - 1]!.length) {
        bins.push([]);
        size = 0n;
      }
      bins[bins.length - 1]!.push(m);
      size += m.manifest_length;
    }
    for (const bin of bins) {
      if (bin.length < 2) {
        kept.push(...bin);
        continue;
      }
      const inputs = await Promise.all(bin.map(async (file) => ({ file, bytes: await args.io.read(file.manifest_path) })));
      const m = await mergeDataManifests({ schema: args.schema, spec, snapshotId: args.snapshotId, manifests: inputs });
      const path = args.newManifestPath(written.length);
      await args.io.write(path, m.bytes, { exclusive: true });
      written.push(path);
      merged.push({ ...m.entry, manifest_path: path, sequence_number: args.sequenceNumber, min_sequence_number: m.minSequenceNumber });
    }
  }
  return { manifests: [...merged, ...kept], written };
}

/** How many snapshots an append keeps: the newest `max`, none older than `maxAgeMs` (but always the current one). */
export interface SnapshotRetention {
  max: number;
  maxAgeMs?: number;
}

/**
 * The snapshots to expire before the snapshot being added becomes current: ancestors of `main`
 * beyond the newest `max - 1` (the new one makes `max`) or older than `maxAgeMs`. Snapshots a
 * tag or another branch reaches are kept. Expires in steps (once a tenth over `max`), so that most
 * appends remove nothing.
 */
export function snapshotsToExpire(metadata: TableMetadata, retention: SnapshotRetention, now: number): bigint[] {
  const main = ancestry(metadata, currentSnapshot(metadata)?.['snapshot-id']);
  const protectedIds = new Set<bigint>();
  for (const [name, ref] of Object.entries(metadata.refs)) if (name !== 'main') for (const s of ancestry(metadata, ref['snapshot-id'])) protectedIds.add(s['snapshot-id']);
  const keep = Math.max(1, retention.max - 1);
  const oldest = retention.maxAgeMs === undefined ? -Infinity : now - retention.maxAgeMs;
  const overCount = main.length > keep + Math.max(1, Math.floor(retention.max / 10));
  return main
    .filter((s, i) => i > 0 && ((overCount && i >= keep) || Number(s['timestamp-ms']) < oldest) && !protectedIds.has(s['snapshot-id']))
    .map((s) => s['snapshot-id']);
}

/**
 * Deletes what only expired snapshots referenced: their manifest lists, and manifests no kept
 * snapshot lists. Data files are never deleted here (an append-only table's files all stay live).
 * Best effort: a file left behind is an orphan, never a loss.
 */
export async function deleteExpiredFiles(io: FileIO, before: TableMetadata, after: TableMetadata, current: ManifestFile[]): Promise<void> {
  const kept = new Set(after.snapshots.map((s) => s['snapshot-id']));
  const expired = before.snapshots.filter((s) => !kept.has(s['snapshot-id']));
  if (!expired.length) return;
  const lists = async (snapshots: Snapshot[]) => (await Promise.all(snapshots.map(async (s) => readManifestList(await io.read(s['manifest-list'])).catch(() => [])))).flat();
  const live = new Set(current.map((m) => m.manifest_path));
  let candidates = [...new Set((await lists(expired)).map((m) => m.manifest_path))].filter((p) => !live.has(p));
  if (candidates.length) {
    // only after a merge: a kept snapshot older than the merge may still list them. Along main a
    // manifest is listed by consecutive snapshots (from the one that adds it to the one before the
    // one that merges or drops it), so of main's kept snapshots only the oldest can list one of
    // these; snapshots off main (other branches, tags, rolled-back ones) are looked at too.
    const main = ancestry(after, currentSnapshot(after)?.['snapshot-id']);
    const onMain = new Set(main.map((s) => s['snapshot-id']));
    const check = after.snapshots.filter((s) => !onMain.has(s['snapshot-id']) || s === main[main.length - 1]);
    const listed = new Set((await lists(check)).map((m) => m.manifest_path));
    candidates = candidates.filter((p) => !listed.has(p));
  }
  await Promise.all([...expired.map((s) => s['manifest-list']), ...candidates].map((p) => io.delete(p).catch(() => undefined)));
}

/** One name per file whatever the writer spelled: `file:/a`, `file:///a` and `/a`; `s3a://` and `s3://`. */
const sameFile = (location: string): string => localPathOf(location) ?? location.replace(/^s3[an]:\/\//, 's3://');

/**
 * Files under the table's location that its metadata does not reach, last written before
 * `olderThanMs` (epoch milliseconds): what a writer that crashed between writing its files and
 * committing them left behind, and metadata files that fell out of the metadata log. Reached are the
 * current and logged metadata files, statistics files, and for every snapshot its manifest list,
 * the manifests it lists and every file they name (in any status). The age keeps files a writer is
 * about to commit: make it far longer than any writer's time between writing and committing (a
 * Flink job writes for a whole checkpoint interval).
 */
export async function findOrphanFiles(io: FileIO, metadata: TableMetadata, metadataLocation: string, olderThanMs: number): Promise<string[]> {
  const reached = new Set<string>([metadataLocation, ...metadata['metadata-log'].map((e) => e['metadata-file'])].map(sameFile));
  for (const stats of [...(metadata.statistics ?? []), ...(metadata['partition-statistics'] ?? [])] as { 'statistics-path'?: string }[]) {
    if (stats['statistics-path']) reached.add(sameFile(stats['statistics-path']));
  }
  const lists = metadata.snapshots.map((s) => s['manifest-list']);
  // snapshots share most of their manifests: each is read once, all at the same time
  const manifests = [...new Set((await Promise.all(lists.map(async (l) => readManifestList(await io.read(l))))).flat().map((m) => m.manifest_path))];
  const files = (await Promise.all(manifests.map(async (m) => manifestFilePaths(await io.read(m))))).flat();
  for (const f of [...lists, ...manifests, ...files]) reached.add(sameFile(f));
  const stored = await io.list(metadata.location);
  return stored.filter((f) => f.modifiedMs < olderThanMs && !reached.has(sameFile(f.location)) && !/\/metadata\/version-hint\.text$/.test(f.location)).map((f) => f.location);
}
