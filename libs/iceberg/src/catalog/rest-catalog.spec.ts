import { CommitConflictError, CommitStateUnknownError, IcebergErrorCode } from '../errors';
import { LocalFileIO } from '../io/file-io';
import { parseS3Location } from '../io/s3-file-io';
import { parseJson } from '../json';
import { newTableMetadata } from '../metadata';
import { Snapshot } from '../types';
import { openCatalog } from './open-jdbc-catalog';
import { RestCatalog, commitOutcome, createTableRequest, namespacePath, parseErrorModel } from './rest-catalog';

interface Call {
  method: string;
  url: string;
  body: string | undefined;
  headers: Record<string, string>;
}

/** A fake REST catalog: answers each request with the next scripted response, and records the requests. */
function fakeServer(responses: Array<{ status: number; body?: unknown } | Error>) {
  const calls: Call[] = [];
  const http = (async (input: string | URL | Request, init?: RequestInit) => {
    calls.push({ method: init?.method ?? 'GET', url: String(input), body: init?.body as string | undefined, headers: init?.headers as Record<string, string> });
    const next = responses.shift();
    if (!next) throw new Error('no scripted response left');
    if (next instanceof Error) throw next;
    const text = next.body === undefined ? '' : typeof next.body === 'string' ? next.body : JSON.stringify(next.body);
    return new Response(next.status === 204 ? null : text, { status: next.status });
  }) as typeof fetch;
  return { calls, http };
}

const fields = [
  { id: 1, name: 'id', required: true, type: 'long' as const },
  { id: 2, name: 'day', required: false, type: 'date' as const },
];

/** A LoadTableResult as the server sends it: a 63-bit snapshot id JSON.parse would round. */
function loadResult(snapshotId?: string) {
  const meta = newTableMetadata('s3://b/ns/t', { fields });
  const text = JSON.stringify({ 'metadata-location': 's3://b/ns/t/metadata/00001-x.metadata.json', metadata: { ...meta, 'last-sequence-number': 0, 'last-updated-ms': 1, 'current-snapshot-id': -1 } });
  if (!snapshotId) return text;
  const snapshots = `[{"snapshot-id":${snapshotId},"sequence-number":1,"timestamp-ms":1,"manifest-list":"s3://b/l.avro","summary":{"operation":"append"},"schema-id":0}]`;
  return text.replace('"snapshots":[]', `"snapshots":${snapshots}`).replace('"current-snapshot-id":-1', `"current-snapshot-id":${snapshotId}`).replace('"refs":{}', `"refs":{"main":{"snapshot-id":${snapshotId},"type":"branch"}}`);
}

async function catalogWith(responses: Parameters<typeof fakeServer>[0], prefix?: string) {
  const server = fakeServer([{ status: 200, body: { defaults: {}, overrides: prefix ? { prefix } : {} } }, ...responses]);
  const catalog = new RestCatalog({ name: 'lake', uri: 'http://cat:8181/', warehouse: 's3://b/w', io: new LocalFileIO(), token: 't0k', fetch: server.http });
  await catalog.initialize();
  return { catalog, calls: server.calls };
}

const ident = { namespace: ['web', 'raw'], name: 'events' };

describe('REST catalog client: requests and responses', () => {
  it('asks /v1/config for the warehouse and puts the server\'s prefix in every later path', async () => {
    const { catalog, calls } = await catalogWith([{ status: 200, body: loadResult() }], 'wh1');
    await catalog.loadTable(ident);
    expect(calls[0]!.url).toBe('http://cat:8181/v1/config?warehouse=s3%3A%2F%2Fb%2Fw');
    expect(calls[1]!.url).toBe('http://cat:8181/v1/wh1/namespaces/web%1Fraw/tables/events');
    expect(calls[1]!.headers['authorization']).toBe('Bearer t0k');
  });

  it('encodes multi-level namespaces with the unit separator', () => {
    expect(namespacePath(['a', 'b c'])).toBe('a%1Fb%20c');
  });

  it('keeps 63-bit snapshot ids exact when loading a table', async () => {
    const { catalog } = await catalogWith([{ status: 200, body: loadResult('9007199254740993123') }]);
    const t = await catalog.loadTable(ident);
    expect(t.metadata.snapshots[0]!['snapshot-id']).toBe(9007199254740993123n);
    expect(t.metadata.refs['main']!['snapshot-id']).toBe(9007199254740993123n);
    expect(t.metadataLocation).toBe('s3://b/ns/t/metadata/00001-x.metadata.json');
  });

  it('sends a commit as requirements and updates with exact longs, and maps 409 to a conflict', async () => {
    const { catalog, calls } = await catalogWith([{ status: 409, body: { error: { message: 'Requirement failed: branch main has changed', type: 'CommitFailedException', code: 409 } } }]);
    const snapshot: Snapshot = { 'snapshot-id': 9007199254740993123n, 'sequence-number': 2n, 'timestamp-ms': 5n, 'manifest-list': 's3://b/l.avro', summary: { operation: 'append' }, 'schema-id': 0 };
    const commit = catalog.commitTable(
      ident,
      { metadata: newTableMetadata('s3://b/t', { fields }), metadataLocation: 'x' },
      [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': null }],
      [{ action: 'add-snapshot', snapshot }, { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': snapshot['snapshot-id'] }],
    );
    await expect(commit).rejects.toBeInstanceOf(CommitConflictError);
    await expect(commit).rejects.toThrow(/branch main has changed/);
    const sent = calls[1]!;
    expect(sent.method).toBe('POST');
    expect(sent.url).toBe('http://cat:8181/v1/namespaces/web%1Fraw/tables/events');
    expect(sent.body).toContain('"snapshot-id":9007199254740993123');
    expect(parseJson(sent.body!)).toEqual({
      identifier: { namespace: ['web', 'raw'], name: 'events' },
      requirements: [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': null }],
      updates: [
        { action: 'add-snapshot', snapshot: { ...snapshot, 'snapshot-id': 9007199254740993123n, 'sequence-number': 2, 'timestamp-ms': 5 } },
        { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': 9007199254740993123n },
      ],
    });
  });

  it('after a 5xx, reads the table back: the commit counts when its snapshot is there, and is unknown when not', async () => {
    const snapshot: Snapshot = { 'snapshot-id': 77n, 'sequence-number': 1n, 'timestamp-ms': 5n, 'manifest-list': 's3://b/l.avro', summary: { operation: 'append' } };
    const args = (c: RestCatalog) =>
      c.commitTable(ident, { metadata: newTableMetadata('s3://b/t', { fields }), metadataLocation: 'x' }, [], [{ action: 'add-snapshot', snapshot }]);
    const landed = await catalogWith([{ status: 504, body: 'gateway timeout' }, { status: 200, body: loadResult('77') }]);
    expect((await args(landed.catalog)).metadata['current-snapshot-id']).toBe(77n);
    const lost = await catalogWith([new Error('socket hang up'), { status: 200, body: loadResult() }]);
    await expect(args(lost.catalog)).rejects.toBeInstanceOf(CommitStateUnknownError);
  });

  it('maps commit statuses as the REST spec defines them', () => {
    expect([200, 409, 404, 500, 502, 503, 504, 400, 422].map(commitOutcome)).toEqual(['committed', 'conflict', 'not-found', 'unknown', 'unknown', 'unknown', 'unknown', 'failed', 'failed']);
  });

  it('names the server\'s error type and message, and maps missing tables to TableNotFound', async () => {
    const { catalog } = await catalogWith([{ status: 404, body: { error: { message: 'Table does not exist: web.raw.events', type: 'NoSuchTableException', code: 404 } } }]);
    const load = catalog.loadTable(ident);
    await expect(load).rejects.toMatchObject({ code: IcebergErrorCode.TableNotFound });
    await expect(load).rejects.toThrow('load table web.raw.events (catalog lake): HTTP 404 NoSuchTableException: Table does not exist: web.raw.events');
    expect(parseErrorModel(502, '<html>bad gateway</html>')).toEqual({ message: '<html>bad gateway</html>', type: 'Unknown', code: 502 });
  });

  it('says where it tried when the catalog does not answer', async () => {
    const server = fakeServer([new TypeError('fetch failed')]);
    const catalog = new RestCatalog({ name: 'lake', uri: 'http://cat:8181', io: new LocalFileIO(), fetch: server.http });
    await expect(catalog.initialize()).rejects.toThrow('GET http://cat:8181/v1/config: fetch failed (is the REST catalog lake at http://cat:8181 running?)');
  });

  it('builds a CreateTableRequest with schema, spec, sort order and format v2', () => {
    const body = createTableRequest('events', { fields, partitionBy: [{ sourceId: 2, transform: 'day' }], properties: { owner: 'me' } });
    expect(body).toMatchObject({
      name: 'events',
      schema: { type: 'struct', 'schema-id': 0, fields },
      'partition-spec': { 'spec-id': 0, fields: [{ 'source-id': 2, 'field-id': 1000, name: 'day_day', transform: 'day' }] },
      'write-order': { 'order-id': 0, fields: [] },
      properties: { 'format-version': '2', owner: 'me' },
      'stage-create': false,
    });
    expect(body).not.toHaveProperty('location');
  });
});

describe('S3 locations', () => {
  it('splits s3, s3a and s3n URIs into bucket and key', () => {
    expect(parseS3Location('s3://warehouse/rest/ns/t/data/x.parquet')).toEqual({ bucket: 'warehouse', key: 'rest/ns/t/data/x.parquet' });
    expect(parseS3Location('s3a://b/k')).toEqual({ bucket: 'b', key: 'k' });
    expect(parseS3Location('s3n://b/a/b/')).toEqual({ bucket: 'b', key: 'a/b/' });
    expect(() => parseS3Location('file:///tmp/x')).toThrow('S3FileIO cannot handle location file:///tmp/x: expected s3://<bucket>/<key>');
    expect(() => parseS3Location('s3://bucket-only')).toThrow(/expected s3:\/\/<bucket>\/<key>/);
  });
});

describe('opening a plan\'s REST catalog', () => {
  const config = {
    type: 'rest' as const,
    name: 'lake',
    uri: 'http://127.0.0.1:1',
    warehouse: 's3://b/w',
    token: null,
    s3: { endpoint: 'http://127.0.0.1:2', region: 'us-east-1', pathStyle: true, accessKeyId: { env: 'NO_SUCH_KEY_ID' }, secretAccessKey: { env: 'NO_SUCH_SECRET' } },
  };
  it('names the S3 key variable when it is not set', async () => {
    await expect(openCatalog(config, {})).rejects.toThrow('the Iceberg catalog lake needs its S3 access key id in the environment variable NO_SUCH_KEY_ID, which is not set');
  });
  it('refuses one key without the other', async () => {
    await expect(openCatalog({ ...config, s3: { ...config.s3, accessKeyId: null } }, { NO_SUCH_SECRET: 's' })).rejects.toThrow(/names only one of s3.accessKeyId and s3.secretAccessKey/);
  });
});
