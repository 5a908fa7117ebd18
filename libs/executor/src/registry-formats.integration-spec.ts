import { createServer } from 'node:net';
import * as avro from 'avsc';
import pino from 'pino';
import * as protobuf from 'protobufjs';
import { readIcebergTable, registerSchema } from '@matih/stack';
import { readDeadLetterHeaders } from './dead-letters';
import { frame } from './decode/wire-format';
import { MicrobatchExecutor } from './executor';
import { catalogEnv, clickAvroSchema, clickstreamPlan, createTopic, endpoints, kafka, readTopic, uniq } from './testing/fixtures';

const logger = pino({ level: process.env['LOG_LEVEL'] ?? 'warn' }, pino.destination(2));

/**
 * Avro and protobuf values in the schema registry's wire format, end to end: real Kafka, the real
 * executor, the Iceberg table read back with pyiceberg, the dead-letter topic, and the stack's schema
 * registry (Apicurio Registry, through its Confluent API; anonymous).
 */
const AVRO = clickAvroSchema([
  { name: 'seq', type: 'long' },
  { name: 'user_id', type: 'string' },
  { name: 'event_type', type: ['null', 'string'], default: null },
  { name: 'page_url', type: ['null', 'string'], default: null },
]);
const PROTO = `syntax = "proto3";
package shop.v1;
message Envelope { string id = 1; }
message Click { int32 seq = 1; string user_id = 2; string event_type = 3; string page_url = 4; }`;

/** A loopback port nothing listens on: the address of a registry that is down. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('micro-batch executor: avro and protobuf through the schema registry', () => {
  const registryUrl = endpoints().schemaRegistry.url;

  async function run(format: 'avro' | 'protobuf', messages: { key: string; value: Buffer | null }[]) {
    const topic = uniq(`it_${format}`);
    const table = uniq(format);
    await createTopic(topic, 2);
    const producer = kafka().producer({ idempotent: true });
    await producer.connect();
    await producer.send({ topic, messages, acks: -1 });
    await producer.disconnect();
    const plan = clickstreamPlan({ topic, table, format, idleTimeoutMs: 3000, schemaRegistry: { url: registryUrl, username: null, password: null } });
    const executor = new MicrobatchExecutor({ plan, pipeline: `it-${format}`, logger, env: catalogEnv(), untilIdle: true });
    await executor.start();
    const outcome = await executor.done;
    const rows = await readIcebergTable(`executor_it.${table}`);
    const dead = await readTopic(`${topic}.dlq`);
    return { outcome, rows, dead: dead.map((d) => ({ key: d.key, ...readDeadLetterHeaders(d.headers) })) };
  }

  it('avro: valid records land in the table; not-framed, unknown-schema-id and truncated records are dead-lettered', async () => {
    const id = await registerSchema(`avro-clicks-${uniq('s')}-value`, JSON.stringify(AVRO));
    const type = avro.Type.forSchema(AVRO as avro.Schema);
    const valid = Array.from({ length: 40 }, (_, seq) => ({ seq, user_id: `user-${seq}`, event_type: seq % 2 ? 'click' : null, page_url: `/p/${seq}` }));
    const good = type.toBuffer({ seq: 1000, user_id: 'u', event_type: null, page_url: null });
    const bad = [
      { key: 'not-framed', value: Buffer.from('{"seq":1,"user_id":"json"}') },
      // the registry's ids count from 1; this one is far beyond what the tests register
      { key: 'unknown-id', value: frame(987_654, good) },
      { key: 'truncated', value: frame(id, good.subarray(0, good.length - 2)) },
    ];
    const { outcome, rows, dead } = await run('avro', [...valid.map((v) => ({ key: `k${v.seq}`, value: frame(id, type.toBuffer(v)) })), ...bad]);
    expect(outcome).toMatchObject({ reason: 'idle', records: valid.length + bad.length, rows: valid.length, deadLetters: bad.length });
    expect(rows.map((r) => Number(r['seq'])).sort((a, b) => a - b)).toEqual(valid.map((v) => v.seq));
    const byKey = new Map(rows.map((r) => [Number(r['seq']), r]));
    expect(byKey.get(3)).toMatchObject({ user_id: 'user-3', event_type: 'click', page_url: '/p/3' });
    expect(byKey.get(4)?.['event_type']).toBeNull();
    expect(dead.map((d) => d.key).sort()).toEqual(['not-framed', 'truncated', 'unknown-id']);
    expect(dead.every((d) => d.stage === 'decode')).toBe(true);
    const reason = (key: string) => dead.find((d) => d.key === key)?.reason;
    expect(reason('unknown-id')).toBe('schema id 987654 is not in the schema registry');
    expect(reason('not-framed')).toMatch(/magic byte/);
    expect(reason('truncated')).toMatch(/truncated avro record|cannot decode avro/);
  });

  it('protobuf: the message named by its indexes is decoded; an index path with no message is dead-lettered', async () => {
    const id = await registerSchema(`proto-clicks-${uniq('s')}-value`, PROTO, 'PROTOBUF');
    const avroId = await registerSchema(`other-${uniq('s')}-value`, JSON.stringify(AVRO));
    const Click = protobuf.parse(PROTO, { keepCase: true }).root.lookupType('shop.v1.Click');
    const encode = (v: object) => Buffer.from(Click.encode(Click.create(v)).finish());
    const valid = Array.from({ length: 30 }, (_, seq) => ({ seq, user_id: `user-${seq}`, event_type: 'view', page_url: `/p/${seq}` }));
    const { outcome, rows, dead } = await run('protobuf', [
      // Click is the schema's second message: index path [1]
      ...valid.map((v) => ({ key: `k${v.seq}`, value: frame(id, encode(v), [1]) })),
      { key: 'no-such-message', value: frame(id, encode(valid[0] as object), [7]) },
      { key: 'avro-schema-id', value: frame(avroId, Buffer.from([2, 2, 0x61])) },
    ]);
    expect(outcome).toMatchObject({ reason: 'idle', rows: valid.length, deadLetters: 2 });
    expect(rows.map((r) => Number(r['seq'])).sort((a, b) => a - b)).toEqual(valid.map((v) => v.seq));
    expect(rows.find((r) => Number(r['seq']) === 5)).toMatchObject({ user_id: 'user-5', event_type: 'view', page_url: '/p/5' });
    const reason = (key: string) => dead.find((d) => d.key === key)?.reason;
    expect(reason('no-such-message')).toMatch(/has no message at index path \[7\]/);
    expect(reason('avro-schema-id')).toMatch(/is a AVRO schema, but the source's format is protobuf/);
  });

  it('an unreachable registry fails the run with the registry named, rather than dead-lettering every record', async () => {
    const id = await registerSchema(`avro-down-${uniq('s')}-value`, JSON.stringify(AVRO));
    const topic = uniq('it_avro_down');
    await createTopic(topic, 1);
    const producer = kafka().producer({ idempotent: true });
    await producer.connect();
    await producer.send({ topic, messages: [{ key: 'k', value: frame(id, avro.Type.forSchema(AVRO as avro.Schema).toBuffer({ seq: 1, user_id: 'u', event_type: null, page_url: null })) }], acks: -1 });
    await producer.disconnect();
    const down = `http://127.0.0.1:${await closedPort()}`;
    const plan = clickstreamPlan({ topic, table: uniq('down'), format: 'avro', idleTimeoutMs: 3000, schemaRegistry: { url: down, username: null, password: null } });
    const executor = new MicrobatchExecutor({ plan, pipeline: 'it-avro-down', logger, env: catalogEnv(), untilIdle: true });
    await executor.start();
    await expect(executor.done).rejects.toThrow(`schema registry ${down} is unreachable`);
    await executor.stop().catch(() => undefined);
  });
});
