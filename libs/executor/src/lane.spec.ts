import { DuckDBInstance } from '@duckdb/node-api';
import { Lane, type SourceRecord } from './lane';
import { clickEvent, clickstreamPlan } from './testing/fixtures';

const record = (seq: number, key: string, headers: Record<string, string> = {}): SourceRecord => ({
  topic: 't',
  partition: 0,
  offset: String(seq),
  timestamp: String(1717200000000 + seq),
  key: Buffer.from(key),
  value: Buffer.from(clickEvent(seq)),
  headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)])),
});

async function laneFor(stageSql: string): Promise<{ lane: Lane; close: () => void }> {
  const plan = clickstreamPlan({ topic: 't', table: 'lane' });
  plan.stages[0]!.sql = stageSql;
  const db = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await db.connect();
  const lane = new Lane(connection, plan);
  await lane.init();
  return {
    lane,
    close: () => {
      connection.closeSync();
      db.closeSync();
    },
  };
}

async function run(stageSql: string, records: SourceRecord[]): Promise<{ rows: unknown[][]; keysLoaded: number; headersLoaded: number; failed: unknown[] }> {
  const { lane, close } = await laneFor(stageSql);
  try {
    await lane.load(
      records,
      records.map((r, index) => ({ index, text: r.value })),
    );
    const result = await lane.run(true);
    const c = lane.connection;
    const rows = (await c.runAndReadAll(`SELECT user_id, seq, page_url FROM __out0 ORDER BY seq`)).getRows();
    const loaded = (await c.runAndReadAll(`SELECT count(key), count(__headers) FROM __src`)).getRows()[0]!;
    return { rows, keysLoaded: Number(loaded[0]), headersLoaded: Number(loaded[1]), failed: result.failed };
  } finally {
    close();
  }
}

const FIELDS = `json_extract_string(value, '$.user_id') AS user_id, CAST(json_extract(value, '$.seq') AS BIGINT) AS seq`;
const PAGE = `json_extract_string(value, '$.page_url') AS page_url`;

describe('Lane: values that are not JSON', () => {
  it('are marked in the run of the stages and left out of their rows', async () => {
    const bad = { ...record(2, 'b'), value: Buffer.from('{"user_id": "user-2", ') };
    const r = await run(`SELECT ${FIELDS}, ${PAGE} FROM clickstream`, [record(1, 'a'), bad, record(3, 'a')]);
    expect(r.failed).toEqual([{ index: 1, stage: 'decode', reason: 'value is not valid JSON' }]);
    expect(r.rows.map((x) => x[1])).toEqual([1n, 3n]);
  });
});

describe('Lane: rows that do not fit the table', () => {
  it('are found for an optional column of another type than the table\'s and for a required column, and left out of the rows', async () => {
    // kafka_partition comes out as text where the table has an optional int: it is checked; page_url
    // is text like the table's and optional: it is not
    const stage = `SELECT ${FIELDS}, ${PAGE}, json_extract_string(value, '$.part') AS kafka_partition FROM clickstream`;
    const misfit = { ...record(2, 'b'), value: Buffer.from('{"user_id": "user-2", "seq": 2, "page_url": "/p", "part": "two"}') };
    const anonymous = { ...record(3, 'c'), value: Buffer.from('{"seq": 3, "page_url": "/p"}') };
    const r = await run(stage, [record(1, 'a'), misfit, anonymous, record(4, 'd')]);
    expect(r.failed).toEqual([
      { index: 1, stage: 'schema', reason: "column kafka_partition: the value does not fit the table's type int" },
      { index: 2, stage: 'schema', reason: 'column user_id is required by the table but the record gives no value' },
    ]);
    expect(r.rows.map((x) => x[1])).toEqual([1n, 4n]);
  });
});

describe('Lane: the source columns a plan reads', () => {
  const records = [record(1, 'a', { trace: 'x1' }), record(2, 'b'), record(3, 'a', { trace: 'x3' })];

  it('loads neither key nor headers when no stage reads them, and the rows are whole', async () => {
    const r = await run(`SELECT ${FIELDS}, ${PAGE} FROM clickstream`, records);
    expect(r.failed).toEqual([]);
    expect(r.rows.map((x) => x[1])).toEqual([1n, 2n, 3n]);
    expect(r.rows[0]![0]).toBe('user-1');
    expect(r.keysLoaded).toBe(0);
    expect(r.headersLoaded).toBe(0);
  });

  it('loads the key or headers when a stage only filters on them', async () => {
    const byKey = await run(`SELECT ${FIELDS}, ${PAGE} FROM clickstream WHERE key = 'a'`, records);
    expect(byKey.rows.map((x) => x[1])).toEqual([1n, 3n]);
    expect(byKey.keysLoaded).toBe(3);
    const withKey = await run(`SELECT ${FIELDS}, ${PAGE} FROM clickstream WHERE key IS NOT NULL`, records);
    expect(withKey.rows.map((x) => x[1])).toEqual([1n, 2n, 3n]);
    const withHeaders = await run(`SELECT ${FIELDS}, ${PAGE} FROM clickstream WHERE cardinality(headers) > 0`, records);
    expect(withHeaders.rows.map((x) => x[1])).toEqual([1n, 3n]);
    expect(withHeaders.keysLoaded).toBe(0);
  });

  it('loads the key and headers when a stage selects them', async () => {
    const r = await run(`SELECT ${FIELDS}, key || ':' || coalesce(headers['trace'], '-') AS page_url FROM clickstream`, records);
    expect(r.rows.map((x) => x[2])).toEqual(['a:x1', 'b:-', 'a:x3']);
    expect(r.keysLoaded).toBe(3);
    expect(r.headersLoaded).toBe(2);
  });
});
