import { DuckDBConnection } from '@duckdb/node-api';
import { randomBytes, randomUUID } from 'node:crypto';
import { Catalog, LoadedTable, identToString } from './catalog/catalog';
import { CommitConflictError, IcebergError, IcebergErrorCode } from './errors';
import { FileIO } from './io/file-io';
import { DataFile, ManifestFile, readManifestList, writeManifest, writeManifestList } from './manifest';
import { deleteExpiredFiles, findOrphanFiles, manifestMergePolicy, mergeManifests, snapshotsToExpire, type SnapshotRetention } from './maintenance';
import { MetadataUpdate, schemaWithColumn } from './metadata';
import { IcebergType, Schema, Snapshot, TableIdentifier, TableMetadata, currentSchema, currentSnapshot, defaultSpec } from './types';
import { AppendInput, defaultConnection, writeDataFiles } from './write/data-writer';
import { rowsToDuckDB } from './write/rows';

export interface AppendOptions {
  /** Extra snapshot summary properties (e.g. Kafka offsets); the standard ones cannot be overridden. */
  summary?: Record<string, string>;
  /** Commit attempts before giving up (default 20; Java's commit.retry.num-retries is 4). */
  maxAttempts?: number;
  /**
   * Runs before every commit attempt against the table state the append will be applied on; throw to
   * abort (e.g. the offsets in the latest summary show this batch was already committed).
   */
  precondition?: (current: TableMetadata) => void | Promise<void>;
  /**
   * Expire older snapshots in the same commit (and delete the manifest lists and manifests only
   * they referenced). Without it, every snapshot stays, as with Java's appends.
   */
  retain?: SnapshotRetention;
}

export interface AppendResult {
  snapshotId: bigint;
  sequenceNumber: bigint;
  attempts: number;
  dataFiles: number;
  records: bigint;
  bytes: bigint;
  metadataLocation: string;
}

export interface SnapshotInfo {
  snapshotId: bigint;
  parentSnapshotId?: bigint;
  sequenceNumber: bigint;
  timestampMs: bigint;
  operation: string;
  summary: Record<string, string>;
  manifestList: string;
  isCurrent: boolean;
}

const STANDARD_TOTALS = ['total-records', 'total-files-size', 'total-data-files', 'total-delete-files', 'total-position-deletes', 'total-equality-deletes'];

export class Table {
  private state: LoadedTable;
  /** the manifest list this table's last commit wrote (files never change): the next append's parent's, as a rule */
  private lastList: { path: string; manifests: ManifestFile[] } | undefined;

  constructor(
    readonly catalog: Catalog,
    readonly ident: TableIdentifier,
    loaded: LoadedTable,
  ) {
    this.state = loaded;
  }

  get metadata(): TableMetadata {
    return this.state.metadata;
  }

  get metadataLocation(): string {
    return this.state.metadataLocation;
  }

  get schema(): Schema {
    return currentSchema(this.metadata);
  }

  async refresh(): Promise<this> {
    this.state = await this.catalog.loadTable(this.ident);
    return this;
  }

  currentSnapshot(): Snapshot | undefined {
    return currentSnapshot(this.metadata);
  }

  /** Snapshots of the table, oldest first. */
  snapshots(): SnapshotInfo[] {
    const cur = this.currentSnapshot()?.['snapshot-id'];
    return [...this.metadata.snapshots]
      .sort((a, b) => (a['sequence-number'] < b['sequence-number'] ? -1 : a['sequence-number'] > b['sequence-number'] ? 1 : 0))
      .map((s) => ({
        snapshotId: s['snapshot-id'],
        parentSnapshotId: s['parent-snapshot-id'],
        sequenceNumber: s['sequence-number'],
        timestampMs: s['timestamp-ms'],
        operation: s.summary.operation,
        summary: { ...s.summary },
        manifestList: s['manifest-list'],
        isCurrent: s['snapshot-id'] === cur,
      }));
  }

  /** Summary of the current snapshot (after a refresh if asked), or undefined for an empty table. */
  async latestSummary(opts: { refresh?: boolean } = {}): Promise<Record<string, string> | undefined> {
    if (opts.refresh) await this.refresh();
    const s = this.currentSnapshot();
    return s ? { ...s.summary } : undefined;
  }

  /**
   * Deletes the files under the table's location that no snapshot or metadata file reaches and that
   * were last written before `olderThanMs` (see `findOrphanFiles`), and returns them; `dryRun` only
   * finds them.
   */
  async removeOrphanFiles(opts: { olderThanMs: number; dryRun?: boolean }): Promise<string[]> {
    await this.refresh();
    const io = this.catalog.io;
    const orphans = await findOrphanFiles(io, this.metadata, this.metadataLocation, opts.olderThanMs);
    if (!opts.dryRun) for (let i = 0; i < orphans.length; i += 16) await Promise.all(orphans.slice(i, i + 16).map((f) => io.delete(f)));
    return orphans;
  }

  /** Adds an optional column at the end of the schema (schema evolution), retrying on conflicts. */
  async addColumn(name: string, type: IcebergType, opts: { doc?: string } = {}): Promise<Schema> {
    for (let attempt = 1; ; attempt++) {
      const base = this.state;
      const { schema, lastColumnId } = schemaWithColumn(base.metadata, currentSchema(base.metadata), { name, type, required: false, doc: opts.doc });
      const updates: MetadataUpdate[] = [
        { action: 'add-schema', schema, 'last-column-id': lastColumnId },
        { action: 'set-current-schema', 'schema-id': schema['schema-id'] },
      ];
      try {
        this.state = await this.catalog.commitTable(
          this.ident,
          base,
          [
            { type: 'assert-table-uuid', uuid: base.metadata['table-uuid'] },
            { type: 'assert-current-schema-id', 'current-schema-id': base.metadata['current-schema-id'] },
            { type: 'assert-last-assigned-field-id', 'last-assigned-field-id': base.metadata['last-column-id'] },
          ],
          updates,
        );
        return schema;
      } catch (e) {
        if (!(e instanceof CommitConflictError) || attempt >= 10) throw e;
        await this.refresh();
      }
    }
  }

  /**
   * Appends a batch: DuckDB writes the Parquet files (partitioned by the table's default spec), one
   * manifest lists them, and a new snapshot is committed. On a conflicting concurrent commit the append
   * is re-applied on the new table state (same data files and manifest, new manifest list) and retried.
   * Files of an attempt that did not commit are deleted.
   */
  async append(input: AppendInput, opts: AppendOptions = {}): Promise<AppendResult> {
    const pending = await this.writeAppend(input);
    try {
      return await pending.commit(opts);
    } catch (e) {
      await pending.abort();
      throw e;
    }
  }

  /**
   * Writes a batch's data files and their manifest without committing them: the returned append is
   * committed later (`commit`, retried on conflicts like `append`) or dropped (`abort` deletes what
   * was written). A writer can so write its next batch while the previous one commits.
   */
  async writeAppend(input: AppendInput): Promise<PendingAppend> {
    const io = this.catalog.io;
    const schema = this.schema;
    const spec = defaultSpec(this.metadata);
    const sortOrder = this.metadata['sort-orders'].find((o) => o['order-id'] === this.metadata['default-sort-order-id']);
    let connection: DuckDBConnection;
    let relationSql: string;
    let relationColumns: readonly string[] | undefined;
    let relationMaterialized = false;
    let cleanupInput: (() => Promise<void>) | undefined;
    let ownConnection = false;
    if ('rows' in input) {
      connection = await defaultConnection();
      ownConnection = true;
      const staged = await rowsToDuckDB(connection, schema.fields, input.rows);
      relationSql = staged.sql;
      relationMaterialized = true;
      cleanupInput = staged.drop;
    } else {
      connection = input.connection;
      relationSql = input.sql;
      relationColumns = input.columns;
      relationMaterialized = input.materialized ?? false;
    }

    const commitId = randomUUID();
    let files: DataFile[] = [];
    try {
      files = await writeDataFiles({
        connection,
        relationSql,
        relationColumns,
        relationMaterialized,
        schema,
        spec,
        sortOrder,
        dataLocation: `${this.metadata.location}/data`,
        io,
        compression: this.metadata.properties['write.parquet.compression-codec'],
      });
    } finally {
      await cleanupInput?.();
      if (ownConnection) connection.closeSync();
    }
    const written = files.map((f) => f.filePath);
    try {
      const snapshotId = this.newSnapshotId();
      let manifest: ManifestFile | undefined;
      if (files.length) {
        const m = await writeManifest({ schema, spec, snapshotId, files });
        const manifestPath = `${this.metadata.location}/metadata/${commitId}-m0.avro`;
        await io.write(manifestPath, m.bytes, { exclusive: true });
        written.push(manifestPath);
        manifest = { ...m.entry, manifest_path: manifestPath, sequence_number: -1n, min_sequence_number: -1n };
      }
      return new PendingAppend({ commitId, snapshotId, schema, files, manifest, written }, (staged, opts, afterUnknown) => this.commitAppend(staged, opts, afterUnknown), io);
    } catch (e) {
      await Promise.all(written.map((p) => io.delete(p).catch(() => undefined)));
      throw e;
    }
  }

  /** Commits written files as a new snapshot; a failed attempt deletes only what it wrote itself. */
  private async commitAppend(staged: StagedAppend, opts: AppendOptions, afterUnknown: boolean): Promise<AppendResult> {
    const io = this.catalog.io;
    const { commitId, snapshotId, files, manifest } = staged;
    const records = files.reduce((a, f) => a + f.recordCount, 0n);
    const bytes = files.reduce((a, f) => a + f.fileSizeInBytes, 0n);
    if (afterUnknown) {
      // an earlier attempt's outcome was unknown: its snapshot in the table says it landed
      await this.refresh();
      const landed = this.metadata.snapshots.find((s) => s['snapshot-id'] === snapshotId);
      if (landed) {
        return { snapshotId, sequenceNumber: landed['sequence-number'], attempts: 0, dataFiles: files.length, records, bytes, metadataLocation: this.state.metadataLocation };
      }
    }
    const partitions = new Set(files.map((f) => JSON.stringify(f.partition, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))));
    const maxAttempts = opts.maxAttempts ?? 20;
    /** what the current commit attempt wrote beyond the data files and their manifest */
    let attemptFiles: string[] = [];
    try {
      for (let attempt = 1; ; attempt++) {
        const base = this.state;
        await opts.precondition?.(base.metadata);
        const parent = currentSnapshot(base.metadata);
        const seq = base.metadata['last-sequence-number'] + 1n;
        let parentManifests: ManifestFile[];
        try {
          const listed = parent?.['manifest-list'];
          parentManifests = !listed ? [] : this.lastList?.path === listed ? this.lastList.manifests : await readManifestList(await io.read(listed));
        } catch (e) {
          // another writer may have expired this (stale) parent since the table was loaded: retry on fresh state
          const stale = base.metadataLocation;
          await this.refresh();
          if (this.state.metadataLocation === stale) throw e;
          continue;
        }
        const merged = await mergeManifests({
          io,
          metadata: base.metadata,
          schema: staged.schema,
          manifests: parentManifests,
          snapshotId,
          sequenceNumber: seq,
          addedSpecId: manifest?.partition_spec_id,
          newManifestPath: (i) => `${base.metadata.location}/metadata/${commitId}-${attempt}-merged-m${i}.avro`,
          policy: manifestMergePolicy(base.metadata.properties),
        });
        attemptFiles = merged.written;
        const manifests = manifest ? [{ ...manifest, sequence_number: seq, min_sequence_number: seq }, ...merged.manifests] : merged.manifests;
        const listPath = `${base.metadata.location}/metadata/snap-${snapshotId}-${attempt}-${commitId}.avro`;
        await io.write(listPath, await writeManifestList({ snapshotId, parentSnapshotId: parent?.['snapshot-id'], sequenceNumber: seq, manifests }), {
          exclusive: true,
        });
        attemptFiles = [...merged.written, listPath];
        const expired = opts.retain ? snapshotsToExpire(base.metadata, opts.retain, Date.now()) : [];
        const summary: Record<string, string> = { ...(opts.summary ?? {}) };
        Object.assign(summary, {
          operation: 'append',
          'added-data-files': String(files.length),
          'added-records': records.toString(),
          'added-files-size': bytes.toString(),
          'changed-partition-count': String(partitions.size),
        });
        const ps = parent?.summary;
        if (ps && STANDARD_TOTALS.every((k) => ps[k] !== undefined)) {
          summary['total-records'] = (BigInt(ps['total-records']!) + records).toString();
          summary['total-files-size'] = (BigInt(ps['total-files-size']!) + bytes).toString();
          summary['total-data-files'] = (BigInt(ps['total-data-files']!) + BigInt(files.length)).toString();
          for (const k of ['total-delete-files', 'total-position-deletes', 'total-equality-deletes']) summary[k] = ps[k]!;
        } else if (!parent) {
          Object.assign(summary, {
            'total-records': records.toString(),
            'total-files-size': bytes.toString(),
            'total-data-files': String(files.length),
            'total-delete-files': '0',
            'total-position-deletes': '0',
            'total-equality-deletes': '0',
          });
        }
        const snapshot: Snapshot = {
          'snapshot-id': snapshotId,
          'sequence-number': seq,
          'timestamp-ms': BigInt(Date.now()),
          'manifest-list': listPath,
          summary: summary as Snapshot['summary'],
          'schema-id': staged.schema['schema-id'],
        };
        if (parent) snapshot['parent-snapshot-id'] = parent['snapshot-id'];
        try {
          this.state = await this.catalog.commitTable(
            this.ident,
            base,
            [
              { type: 'assert-table-uuid', uuid: base.metadata['table-uuid'] },
              { type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': parent?.['snapshot-id'] ?? null },
            ],
            [
              { action: 'add-snapshot', snapshot },
              { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': snapshotId },
              ...(expired.length ? [{ action: 'remove-snapshots' as const, 'snapshot-ids': expired }] : []),
            ],
          );
          this.lastList = { path: listPath, manifests };
          // committed: what only the expired snapshots used can go (best effort)
          if (expired.length) await deleteExpiredFiles(io, base.metadata, this.state.metadata, manifests).catch(() => undefined);
          return {
            snapshotId,
            sequenceNumber: seq,
            attempts: attempt,
            dataFiles: files.length,
            records,
            bytes,
            metadataLocation: this.state.metadataLocation,
          };
        } catch (e) {
          if (!(e instanceof CommitConflictError)) {
            // a commit in an unknown state may be live: keep what it references
            if (e instanceof IcebergError && e.code === IcebergErrorCode.CommitStateUnknown) attemptFiles = [];
            throw e;
          }
          await Promise.all(attemptFiles.map((p) => io.delete(p)));
          attemptFiles = [];
          if (attempt >= maxAttempts) {
            throw new IcebergError(IcebergErrorCode.RetriesExhausted, `append to ${identToString(this.ident)} conflicted ${attempt} times`, { cause: e });
          }
          await new Promise((r) => setTimeout(r, Math.min(1000, 5 * 2 ** attempt) * Math.random()));
          await this.refresh();
        }
      }
    } catch (e) {
      await Promise.all(attemptFiles.map((p) => io.delete(p).catch(() => undefined)));
      throw e;
    }
  }

  private newSnapshotId(): bigint {
    for (;;) {
      const id = randomBytes(8).readBigUInt64BE() & 0x7fffffffffffffffn;
      if (id !== 0n && !this.metadata.snapshots.some((s) => s['snapshot-id'] === id)) return id;
    }
  }
}

interface StagedAppend {
  commitId: string;
  snapshotId: bigint;
  schema: Schema;
  files: DataFile[];
  manifest: ManifestFile | undefined;
  /** the data files and the manifest */
  written: string[];
}

/**
 * Data files written for a table and not committed yet (`Table.writeAppend`). `commit` can be called
 * again after a failure; after one whose outcome was unknown it first reads the table back and, if
 * its snapshot is there, reports it committed. `abort` deletes the files unless a commit may have
 * landed (the files may be live).
 */
export class PendingAppend {
  private state: 'pending' | 'committed' | 'unknown' | 'aborted' = 'pending';

  constructor(
    private readonly staged: StagedAppend,
    private readonly committer: (staged: StagedAppend, opts: AppendOptions, afterUnknown: boolean) => Promise<AppendResult>,
    private readonly io: FileIO,
  ) {}

  get snapshotId(): bigint {
    return this.staged.snapshotId;
  }

  get dataFiles(): number {
    return this.staged.files.length;
  }

  get records(): bigint {
    return this.staged.files.reduce((a, f) => a + f.recordCount, 0n);
  }

  async commit(opts: AppendOptions = {}): Promise<AppendResult> {
    if (this.state === 'committed' || this.state === 'aborted') throw new Error(`this append is ${this.state}: it cannot be committed again`);
    try {
      const result = await this.committer(this.staged, opts, this.state === 'unknown');
      this.state = 'committed';
      return result;
    } catch (e) {
      if (e instanceof IcebergError && e.code === IcebergErrorCode.CommitStateUnknown) this.state = 'unknown';
      throw e;
    }
  }

  /** Deletes the written files (once; nothing once committed or possibly committed). */
  async abort(): Promise<void> {
    if (this.state !== 'pending') return;
    this.state = 'aborted';
    await Promise.all(this.staged.written.map((p) => this.io.delete(p).catch(() => undefined)));
  }
}

/** Opens a table of a catalog as a Table. */
export async function loadTable(catalog: Catalog, ident: TableIdentifier): Promise<Table> {
  return new Table(catalog, ident, await catalog.loadTable(ident));
}
