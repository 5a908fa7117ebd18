import { readIcebergTable } from '@matih/stack';
import pino from 'pino';
import { MicrobatchExecutor } from './executor';
import { clickstreamPlan, createTopic, produceClickstream, restCatalogEnv, stackRestSinkCatalog, uniq } from './testing/fixtures';

const logger = pino({ level: process.env['LOG_LEVEL'] ?? 'warn' }, pino.destination(2));

/** The micro-batch executor sinking into a table of the stack's Iceberg REST catalog, its files on the object store. */
describe('micro-batch executor into a REST catalog + S3 table', () => {
  it('writes exactly the valid events, each once, and pyiceberg reads them through the REST catalog', async () => {
    const topic = uniq('it_rest');
    const table = uniq('clicks');
    await createTopic(topic, 2);
    const { valid, malformed } = await produceClickstream(topic, 1200, { malformedEvery: 100 });
    const plan = clickstreamPlan({ topic, table, maxRecords: 400, idleTimeoutMs: 3000, catalog: stackRestSinkCatalog() });
    const executor = new MicrobatchExecutor({ plan, pipeline: 'it-rest', logger, env: restCatalogEnv(), untilIdle: true });
    await executor.start();
    const outcome = await executor.done;
    expect(outcome).toMatchObject({ reason: 'idle', records: 1200, rows: valid.length, deadLetters: malformed.length });

    const rows = await readIcebergTable(`executor_it.${table}`, undefined, { rest: true });
    expect(rows.map((r) => Number(r['seq'])).sort((a, b) => a - b)).toEqual(valid);
    expect(new Set(rows.map((r) => `${r['kafka_partition']}:${r['kafka_offset']}`)).size).toBe(valid.length);
    // the day partition filter reads back the same rows
    const day = await readIcebergTable(`executor_it.${table}`, "event_timestamp >= '2000-01-01T00:00:00+00:00'", { rest: true });
    expect(day).toHaveLength(valid.length);
  });

  it('refuses to start, naming the variable, when the S3 key is not in its environment', async () => {
    const plan = clickstreamPlan({ topic: uniq('it_rest_nokey'), table: uniq('nokey'), catalog: stackRestSinkCatalog() });
    const executor = new MicrobatchExecutor({ plan, pipeline: 'it-rest-nokey', logger, env: {}, untilIdle: true });
    await expect(executor.start()).rejects.toThrow(/IT_S3_ACCESS_KEY_ID/);
    await executor.stop().catch(() => undefined);
  });
});
