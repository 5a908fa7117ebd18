import * as avro from 'avsc';
import * as protobuf from 'protobufjs';
import { createDecoder } from './decoders';
import { SchemaRegistryClient } from './registry';
import { frame, readMessageIndexes } from './wire-format';

const AVRO = { type: 'record', name: 'Click', fields: [{ name: 'user_id', type: 'string' }, { name: 'n', type: 'long' }, { name: 'tag', type: ['null', 'string'], default: null }, { name: 'raw', type: 'bytes' }] };
const PROTO = `syntax = "proto3"; package shop.v1; message Other { string x = 1; } message Click { string user_id = 1; int64 n = 2; message Inner { bool ok = 1; } Inner inner = 3; }`;

/*
 * No network in unit tests: `fetch` answers `GET /schemas/ids/{id}` as the registry's Confluent API
 * does, for ids 1 (avro: no schemaType) and 2 (protobuf), and 401 to wrong basic-auth credentials.
 * The real registry (the stack's) is exercised by the integration tests.
 */
const url = 'http://registry.invalid/apis/ccompat/v7';
const SCHEMAS = new Map<number, object>([
  [1, { schema: JSON.stringify(AVRO) }],
  [2, { schemaType: 'PROTOBUF', schema: PROTO }],
]);
const WRONG_AUTH = `Basic ${Buffer.from('matih:wrong').toString('base64')}`;
let requests = 0;

beforeAll(() => {
  jest.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    requests++;
    const json = (status: number, body: object) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' } });
    if ((init?.headers as Record<string, string> | undefined)?.['authorization'] === WRONG_AUTH) return json(401, { error_code: 401, message: 'Unauthorized' });
    const id = /^http:\/\/registry\.invalid\/apis\/ccompat\/v7\/schemas\/ids\/(\d+)$/.exec(String(input))?.[1];
    const found = SCHEMAS.get(Number(id));
    return found ? json(200, found) : json(404, { error_code: 40403, message: 'Schema not found' });
  });
});
afterAll(() => jest.restoreAllMocks());

describe('value decoders', () => {
  it('json: passes the bytes through (no string copy), rejects invalid UTF-8, strips a registry frame', async () => {
    const d = createDecoder('json', null);
    expect(d.decode(Buffer.from('{"a":1}'))).toEqual({ ok: true, text: Buffer.from('{"a":1}') });
    expect(d.decode(null)).toEqual({ ok: true, text: null });
    expect(d.decode(Buffer.from([0x7b, 0xff, 0xfe]))).toEqual({ ok: false, reason: 'value is not valid UTF-8' });
    expect(createDecoder('json', new SchemaRegistryClient({ url })).decode(frame(7, Buffer.from('{"b":2}')))).toEqual({ ok: true, text: Buffer.from('{"b":2}') });
  });

  it('avro: decodes the Confluent wire format into JSON text, caches schemas, dead-letters what it cannot read', async () => {
    const type = avro.Type.forSchema(AVRO as avro.Schema);
    const good = frame(1, type.toBuffer({ user_id: 'u1', n: 42, tag: 'x', raw: Buffer.from([1, 2]) }));
    const d = createDecoder('avro', new SchemaRegistryClient({ url }));
    const before = requests;
    await d.prepare([good, good, frame(99, Buffer.from([1])), Buffer.from('plain'), null]);
    expect(requests - before).toBe(2); // ids 1 and 99, once each
    expect(JSON.parse((d.decode(good) as { text: string }).text)).toEqual({ user_id: 'u1', n: 42, tag: 'x', raw: 'AQI=' });
    expect(d.decode(frame(99, Buffer.from([1])))).toEqual({ ok: false, reason: 'schema id 99 is not in the schema registry' });
    expect(d.decode(Buffer.from('plain'))).toMatchObject({ ok: false, reason: expect.stringMatching(/magic byte/) });
    expect(d.decode(good.subarray(0, good.length - 1))).toMatchObject({ ok: false });
    expect(d.decode(frame(2, Buffer.from([1])))).toMatchObject({ ok: false, reason: expect.stringMatching(/was not prepared|PROTOBUF/) });
  });

  it('protobuf: resolves the message by its indexes (nested too) and renders JSON with longs as strings', async () => {
    const root = protobuf.parse(PROTO, { keepCase: true }).root;
    const Click = root.lookupType('shop.v1.Click');
    const Inner = root.lookupType('shop.v1.Click.Inner');
    const d = createDecoder('protobuf', new SchemaRegistryClient({ url }));
    const click = frame(2, Buffer.from(Click.encode(Click.create({ user_id: 'u9', n: 7, inner: { ok: true } })).finish()), [1]);
    const inner = frame(2, Buffer.from(Inner.encode(Inner.create({ ok: true })).finish()), [1, 0]);
    const other = frame(2, Buffer.from([0x0a, 0x01, 0x61]), [0]);
    await d.prepare([click, inner, other]);
    expect(JSON.parse((d.decode(click) as { text: string }).text)).toEqual({ user_id: 'u9', n: '7', inner: { ok: true } });
    expect(JSON.parse((d.decode(inner) as { text: string }).text)).toEqual({ ok: true });
    expect(JSON.parse((d.decode(other) as { text: string }).text)).toEqual({ x: 'a' });
    expect(d.decode(frame(2, Buffer.from([]), [5]))).toMatchObject({ ok: false, reason: expect.stringMatching(/no message at index path \[5\]/) });
  });

  it('registry credentials: sent as basic auth; a refusal fails with the registry named, not as an unknown schema', async () => {
    const good = new SchemaRegistryClient({ url, username: 'matih', password: 'secret' });
    await expect(good.schemaById(1)).resolves.toMatchObject({ id: 1, schemaType: 'AVRO' });
    const refused = new SchemaRegistryClient({ url, username: 'matih', password: 'wrong' });
    await expect(refused.schemaById(1)).rejects.toThrow(`schema registry ${url} answered 401 for schema id 1`);
    const d = createDecoder('avro', refused);
    await expect(d.prepare([frame(1, Buffer.from([2, 0x61]))])).rejects.toThrow(/answered 401/);
  });

  it('reads zig-zag message indexes as Confluent writes them', () => {
    expect(readMessageIndexes(Buffer.from([0, 0x0a]))).toEqual({ indexes: [0], body: Buffer.from([0x0a]) });
    expect(readMessageIndexes(Buffer.from([4, 2, 0]))).toEqual({ indexes: [1, 0], body: Buffer.alloc(0) });
  });
});
