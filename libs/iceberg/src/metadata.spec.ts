import { decodeContainer } from './avro';
import { parseJson, stringifyJson } from './json';
import { readManifest, readManifestList, writeManifest, writeManifestList } from './manifest';
import { applyUpdates, newMetadataLocation, newTableMetadata, parseTableMetadata, schemaWithColumn, serializeTableMetadata } from './metadata';
import { currentSchema, defaultSpec } from './types';
import { toBytes } from './values';

const fields = [
  { id: 1, name: 'id', required: true, type: 'long' as const },
  { id: 2, name: 'ts', required: false, type: 'timestamptz' as const },
  { id: 3, name: 'amount', required: false, type: 'decimal(12,3)' as const },
  { id: 4, name: 'tags', required: false, type: { type: 'list' as const, 'element-id': 5, element: 'string' as const, 'element-required': false } },
];

describe('table metadata JSON', () => {
  it('keeps 63-bit snapshot ids exact through parse and stringify', () => {
    const text = '{"a":9223372036854775807,"b":[1.5,-42],"c":"12345678901234567890","d":1e21}';
    const v = parseJson(text) as Record<string, unknown>;
    expect(v['a']).toBe(9223372036854775807n);
    expect(v['c']).toBe('12345678901234567890');
    expect(stringifyJson(v)).toBe('{"a":9223372036854775807,"b":[1.5,-42],"c":"12345678901234567890","d":1e+21}');
  });

  it('creates v2 metadata with assigned partition field ids and a sort order, and round-trips it', () => {
    const m = newTableMetadata('file:/wh/db/t', {
      fields,
      partitionBy: [{ sourceId: 2, transform: 'day' }, { sourceId: 1, transform: 'bucket[16]' }],
      sortBy: [{ sourceId: 1, direction: 'desc' }],
      properties: { owner: 'me' },
    });
    expect(m['format-version']).toBe(2);
    expect(m['last-column-id']).toBe(5);
    expect(defaultSpec(m).fields).toEqual([
      { 'source-id': 2, 'field-id': 1000, name: 'ts_day', transform: 'day' },
      { 'source-id': 1, 'field-id': 1001, name: 'id_bucket', transform: 'bucket[16]' },
    ]);
    expect(m['last-partition-id']).toBe(1001);
    expect(m['sort-orders'][0]).toEqual({ 'order-id': 1, fields: [{ transform: 'identity', 'source-id': 1, direction: 'desc', 'null-order': 'nulls-last' }] });
    const back = parseTableMetadata(serializeTableMetadata(m));
    expect(back).toEqual(m);
  });

  it('rejects duplicate field ids and transforms a type does not allow', () => {
    expect(() => newTableMetadata('/t', { fields: [...fields, { id: 1, name: 'x', required: false, type: 'int' }] })).toThrow(/unique/);
    expect(() => newTableMetadata('/t', { fields, partitionBy: [{ sourceId: 3, transform: 'day' }] })).toThrow(/cannot be applied/);
  });

  it('applies snapshot and schema updates and records the previous metadata file', () => {
    const m = newTableMetadata('/t', { fields });
    const id = (1n << 62n) + 3n;
    const next = applyUpdates(
      m,
      [
        { action: 'add-snapshot', snapshot: { 'snapshot-id': id, 'sequence-number': 1n, 'timestamp-ms': 5n, 'manifest-list': '/t/metadata/snap.avro', summary: { operation: 'append' } } },
        { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': id },
      ],
      '/t/metadata/00000-a.metadata.json',
    );
    expect(next['current-snapshot-id']).toBe(id);
    expect(next.refs['main']).toEqual({ 'snapshot-id': id, type: 'branch' });
    expect(next['last-sequence-number']).toBe(1n);
    expect(next['metadata-log']).toEqual([{ 'timestamp-ms': m['last-updated-ms'], 'metadata-file': '/t/metadata/00000-a.metadata.json' }]);
    expect(newMetadataLocation('/t', '/t/metadata/00007-x.metadata.json')).toMatch(/^\/t\/metadata\/00008-[0-9a-f-]{36}\.metadata\.json$/);
    const { schema, lastColumnId } = schemaWithColumn(next, currentSchema(next), { name: 'country', required: false, type: 'string' });
    expect(schema.fields.at(-1)).toEqual({ id: 6, name: 'country', required: false, type: 'string' });
    expect(lastColumnId).toBe(6);
  });

  it('leaves the metadata it updates as it was, and serializes what it shares with it as a whole document would', () => {
    let m = newTableMetadata('/t', { fields, properties: { owner: 'me' } });
    const versions = [m];
    for (let i = 1; i <= 3; i++) {
      const id = (1n << 62n) + BigInt(i);
      m = applyUpdates(
        m,
        [
          { action: 'add-snapshot', snapshot: { 'snapshot-id': id, 'sequence-number': BigInt(i), 'timestamp-ms': BigInt(i), 'manifest-list': `/t/metadata/snap-${i}.avro`, summary: { operation: 'append', n: String(i) } } },
          { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': id },
          { action: 'set-properties', updates: { round: String(i) } },
          ...(i === 3 ? [{ action: 'remove-snapshots' as const, 'snapshot-ids': [(1n << 62n) + 1n] }] : []),
        ],
        `/t/metadata/0000${i}-a.metadata.json`,
      );
      versions.push(m);
    }
    // every version still says what it said when it was made
    expect(versions.map((v) => [v.snapshots.length, v['snapshot-log'].length, v['metadata-log'].length, v.properties['round'], v.refs['main']?.['snapshot-id']])).toEqual([
      [0, 0, 0, undefined, undefined],
      [1, 1, 1, '1', (1n << 62n) + 1n],
      [2, 2, 2, '2', (1n << 62n) + 2n],
      [2, 2, 3, '3', (1n << 62n) + 3n],
    ]);
    // snapshots serialized for an earlier version are reused, byte for byte what the whole document gives
    for (const v of versions) expect(serializeTableMetadata(v)).toBe(stringifyJson(v));
    expect(parseTableMetadata(serializeTableMetadata(m))).toEqual(m);
  });
});

describe('Avro manifests and manifest lists', () => {
  const m = newTableMetadata('/t', { fields, partitionBy: [{ sourceId: 2, transform: 'day' }, { sourceId: 3, transform: 'identity' }] });
  const schema = currentSchema(m);
  const spec = defaultSpec(m);

  it('writes the spec field ids and Iceberg metadata into the header, and reads back every entry', async () => {
    const snapshotId = 9_000_000_000_000_000_001n;
    const files = [
      {
        content: 0 as const,
        filePath: '/t/data/a.parquet',
        fileFormat: 'PARQUET' as const,
        partition: [19723, 12_345n],
        recordCount: 10n,
        fileSizeInBytes: 1234n,
        valueCounts: new Map([[1, 10n]]),
        nullValueCounts: new Map([[1, 0n]]),
        lowerBounds: new Map([[1, toBytes('long', -3n)]]),
        upperBounds: new Map([[1, toBytes('long', 99n)]]),
      },
      { content: 0 as const, filePath: '/t/data/b.parquet', fileFormat: 'PARQUET' as const, partition: [null, -5n], recordCount: 2n, fileSizeInBytes: 10n },
    ];
    const written = await writeManifest({ schema, spec, snapshotId, files });
    const decoded = await decodeContainer<Record<string, unknown>>(written.bytes);
    expect(decoded.metadata['format-version']).toBe('2');
    expect(decoded.metadata['content']).toBe('data');
    expect(JSON.parse(decoded.metadata['partition-spec']!)).toEqual(spec.fields);
    const header = decoded.metadata['avro.schema']!;
    for (const id of [0, 1, 2, 3, 4, 100, 101, 102, 103, 104, 108, 109, 110, 117, 118, 125, 126, 127, 128, 134, 137, 1000, 1001]) {
      expect(header).toContain(`"field-id":${id}`);
    }
    expect(header).toContain('"logicalType":"map"');
    expect(header).toContain('"logicalType":"decimal"');
    expect(header).toContain('"logicalType":"date"');
    const entries = await readManifest(written.bytes, spec, schema);
    expect(entries.map((e) => [e.status, e.snapshotId, e.sequenceNumber])).toEqual([
      [1, snapshotId, null],
      [1, snapshotId, null],
    ]);
    expect(entries[0]!.dataFile.partition).toEqual([19723, 12_345n]);
    expect(entries[1]!.dataFile.partition).toEqual([null, -5n]);
    expect(entries[0]!.dataFile.lowerBounds!.get(1)).toEqual(toBytes('long', -3n));
    expect(written.entry.added_rows_count).toBe(12n);
    expect(written.entry.partitions![0]).toEqual({ contains_null: true, contains_nan: false, lower_bound: toBytes('int', 19723), upper_bound: toBytes('int', 19723) });

    const list = await writeManifestList({
      snapshotId,
      parentSnapshotId: undefined,
      sequenceNumber: 4n,
      manifests: [{ ...written.entry, manifest_path: '/t/metadata/m0.avro', sequence_number: 4n, min_sequence_number: 4n }],
    });
    const back = await readManifestList(list);
    expect(back).toHaveLength(1);
    expect(back[0]!.added_snapshot_id).toBe(snapshotId);
    expect(back[0]!.sequence_number).toBe(4n);
    expect(back[0]!.partitions).toEqual(written.entry.partitions);
    const listHeader = (await decodeContainer(list)).metadata;
    expect(listHeader['snapshot-id']).toBe(snapshotId.toString());
    expect(listHeader['avro.schema']).toContain('"element-id":508');
  });
});
