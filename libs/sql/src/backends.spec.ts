import { DuckDBInstance } from '@duckdb/node-api';
import { TYPES, inferTransformTypes, parseExpression, expressionToFlink, parseTransform, transformToDuckDb, transformToFlink, type SelectStatement, type TypedColumn } from './index';

const SOURCE: TypedColumn[] = [
  { name: 'key', type: TYPES.string },
  { name: 'value', type: TYPES.string },
  { name: 'event_timestamp', type: TYPES.timestampLtz(3) },
  { name: 'partition', type: TYPES.int },
  { name: 'offset', type: TYPES.bigint },
];

function parsed(sql: string): SelectStatement {
  const r = parseTransform(sql);
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  return r.statement;
}

describe('Flink printing', () => {
  it('quotes every identifier (reserved words included), binds {{ input }}, drops comments and the trailing `;`', () => {
    const sql = "SELECT value, s.`offset` AS off, JSON_VALUE(value, '$.a' RETURNING INT) n, CURRENT_TIMESTAMP AS now -- note\nFROM {{ input }} AS s WHERE `partition` = 0;";
    expect(transformToFlink(sql, parsed(sql), '`src`')).toBe(
      "SELECT `value`, `s`.`offset` AS `off`, JSON_VALUE(`value`, '$.a' RETURNING INT) `n`, CURRENT_TIMESTAMP AS `now`\nFROM `src` AS `s` WHERE `partition` = 0",
    );
  });

  it('keeps a `--` comment from swallowing what follows, and escapes back-quotes', () => {
    const sql = 'SELECT `we``ird` FROM {{ input }} -- trailing';
    expect(transformToFlink(sql, parsed(sql), '`t`')).toBe('SELECT `we``ird` FROM `t`');
  });

  it('prints computed-column expressions with identifiers quoted', () => {
    const r = parseExpression("TO_TIMESTAMP_LTZ(CAST(JSON_VALUE(value, '$.ts') AS BIGINT), 3)");
    if (!r.ok) throw new Error('parse');
    expect(expressionToFlink("TO_TIMESTAMP_LTZ(CAST(JSON_VALUE(value, '$.ts') AS BIGINT), 3)", r.expression)).toBe("TO_TIMESTAMP_LTZ(CAST(JSON_VALUE(`value`, '$.ts') AS BIGINT), 3)");
  });
});

describe('type inference', () => {
  const types = (sql: string) => inferTransformTypes(parsed(sql), SOURCE).map((c) => (c.ok ? `${c.name}:${c.type.kind}${'precision' in c.type ? `(${c.type.precision}${'scale' in c.type ? `,${c.type.scale}` : ''})` : ''}` : `${c.name}:? ${c.reason}`));

  it.each([
    ["SELECT JSON_VALUE(value, '$.a') AS a FROM {{ input }}", ['a:STRING']],
    ["SELECT JSON_VALUE(value, '$.a' RETURNING INT) AS a, JSON_VALUE(value, '$.b' RETURNING DOUBLE) b FROM {{ input }}", ['a:INT', 'b:DOUBLE']],
    ['SELECT CAST(value AS DECIMAL(10, 2)) AS d, TRY_CAST(value AS TIMESTAMP(3)) AS t, CAST(value AS VARCHAR(5)) AS s FROM {{ input }}', ['d:DECIMAL(10,2)', 't:TIMESTAMP(3)', 's:STRING']],
    ["SELECT CASE WHEN `partition` > 1 THEN `partition` ELSE `offset` END AS c, CASE WHEN TRUE THEN 'a' END AS s FROM {{ input }}", ['c:BIGINT', 's:STRING']],
    ["SELECT UPPER(key) AS u, CHAR_LENGTH(key) AS n, key || 'x' AS k, event_timestamp, EXTRACT(DAY FROM event_timestamp) AS d, CAST(event_timestamp AS DATE) AS dt FROM {{ input }}", ['u:STRING', 'n:INT', 'k:STRING', 'event_timestamp:TIMESTAMP_LTZ(3)', 'd:BIGINT', 'dt:DATE']],
    ['SELECT `offset` / 2 AS h, `partition` + 1 AS p, 1.50 AS lit FROM {{ input }} s', ['h:BIGINT', 'p:INT', 'lit:DECIMAL(3,2)']],
    ['SELECT * FROM {{ input }}', ['key:STRING', 'value:STRING', 'event_timestamp:TIMESTAMP_LTZ(3)', 'partition:INT', 'offset:BIGINT']],
  ])('%s', (sql, expected) => {
    expect(types(sql)).toEqual(expected);
  });

  it('says why a type is unknown', () => {
    expect(types("SELECT my_udf(value) AS x, JSON_VALUE(value, '$.a' RETURNING DECIMAL(5, 1)) AS d, Value AS v FROM {{ input }}")).toEqual([
      'x:? the result type of MY_UDF() is not known to the compiler',
      "d:? Flink's JSON_VALUE cannot return DECIMAL(5, 1) (only STRING, BOOLEAN, INT, DOUBLE); write CAST(JSON_VALUE(…) AS DECIMAL(5, 1))",
      'v:? column `Value` is not in the input; names are case-sensitive: did you mean `value`?',
    ]);
  });
});

describe('DuckDB translation', () => {
  const duck = (sql: string) => transformToDuckDb(parsed(sql), '"batch"', SOURCE);

  it.each([
    ["SELECT COUNT(*) AS n FROM {{ input }}", /the aggregation COUNT\(\) cannot be computed batch by batch/],
    ["SELECT key FROM {{ input }} GROUP BY key", /GROUP BY cannot be computed batch by batch/],
    ["SELECT window_start FROM TABLE(TUMBLE(TABLE {{ input }}, DESCRIPTOR(event_timestamp), INTERVAL '1' MINUTE))", /window table-valued function TUMBLE/],
    ['SELECT a.key FROM {{ input }} a JOIN {{ input }} b ON a.key = b.key', /JOIN cannot be computed batch by batch/],
    ['SELECT DISTINCT key FROM {{ input }}', /SELECT DISTINCT cannot be computed/],
    ['SELECT key, ROW_NUMBER() OVER (PARTITION BY key ORDER BY event_timestamp) AS rn FROM {{ input }}', /the OVER window of ROW_NUMBER\(\)/],
    ['SELECT key FROM {{ input }} ORDER BY key', /ORDER BY cannot be computed/],
    ['SELECT key FROM {{ input }} UNION ALL SELECT value FROM {{ input }}', /UNION cannot be computed/],
    ['SELECT my_udf(key) AS k FROM {{ input }}', /the function MY_UDF\(\) is not supported by the micro-batch engine/],
    ['SELECT key FROM {{ input }} WHERE key IN (SELECT value FROM {{ input }})', /IN \(subquery\) is not supported/],
  ])('rejects %s', (sql, message) => {
    const r = duck(sql);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.diagnostics[0]?.message).toMatch(message);
  });

  it('runs in DuckDB with Flink semantics: lax JSON_VALUE, integer division, UTC time, NULL-propagating CONCAT', async () => {
    const sql = `SELECT JSON_VALUE(value, '$.a') AS a, JSON_VALUE(value, '$.o') AS o, JSON_VALUE(value, '$.n' RETURNING INT) AS n,
      \`offset\` / 2 AS half, CONCAT(key, '-x') AS c, DATE_FORMAT(event_timestamp, 'yyyy-MM-dd HH:mm') AS f, CAST(event_timestamp AS DATE) AS d
      FROM {{ input }} WHERE \`partition\` = 0`;
    const r = duck(sql);
    if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
    const connection = await (await DuckDBInstance.create(':memory:')).connect();
    await connection.run("SET TimeZone = 'America/New_York'"); // the translation must not depend on it
    await connection.run(`CREATE TABLE batch AS SELECT * FROM (VALUES
      ('k', '{"a":"x","o":{"b":1},"n":"12"}', TIMESTAMPTZ '2024-05-01 01:30:00+00', 0, 5::BIGINT),
      (NULL, 'not json', TIMESTAMPTZ '2024-05-01 23:59:00+00', 0, 7::BIGINT),
      ('k', '{}', TIMESTAMPTZ '2024-05-01 00:00:00+00', 1, 9::BIGINT)) AS t(key, value, event_timestamp, "partition", "offset")`);
    const rows = (await connection.runAndReadAll(r.sql)).getRowObjectsJson();
    expect(rows).toEqual([
      { a: 'x', o: null, n: 12, half: '2', c: 'k-x', f: '2024-05-01 01:30', d: '2024-05-01' },
      { a: null, o: null, n: null, half: '3', c: null, f: '2024-05-01 23:59', d: '2024-05-01' },
    ]);
    connection.closeSync();
  });

  it('reads each JSON document with one json_value call for all its plain paths, and nested or other paths still right', async () => {
    const sql = `SELECT JSON_VALUE(value, '$.a') AS a, JSON_VALUE(value, '$.b.c') AS bc, JSON_VALUE(value, '$.a') AS a2,
      JSON_VALUE(JSON_VALUE(value, '$.inner'), '$.x') AS x, JSON_VALUE(value, '$.l[1]') AS l1, JSON_VALUE(value, '$."odd key"') AS odd
      FROM {{ input }} WHERE JSON_VALUE(value, '$.b.c') IS NOT NULL`;
    const r = duck(sql);
    if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
    expect(r.sql.match(/json_value\("value", \['\$\.a', '\$\.b\.c', '\$\.inner', '\$\.l\[1\]'\]\)/g)).toHaveLength(6);
    const connection = await (await DuckDBInstance.create(':memory:')).connect();
    await connection.run(`CREATE TABLE batch AS SELECT * FROM (VALUES
      ('{"a":"x","b":{"c":2},"inner":"{\\"x\\":\\"y\\"}","l":[0,"one"],"odd key":1}'), ('{"b":{"c":[1]}}'), ('{"b":{"c":true},"a":{"o":1}}'), ('{bad'), (NULL)) AS t(value)`);
    const rows = (await connection.runAndReadAll(r.sql)).getRowObjectsJson();
    expect(rows).toEqual([
      { a: 'x', bc: '2', a2: 'x', x: 'y', l1: 'one', odd: '1' },
      { a: null, bc: 'true', a2: null, x: null, l1: null, odd: null },
    ]);
    connection.closeSync();
  });
});
