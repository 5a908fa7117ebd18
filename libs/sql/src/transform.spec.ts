import { parseExpression, parseTransform, substituteInput, type TransformParseResult } from './index';

const SEED_SQL = `SELECT
  JSON_VALUE(value, '$.user_id') AS user_id,
  JSON_VALUE(value, '$.event_type') AS event_type,
  JSON_VALUE(value, '$.page_url') AS page_url,
  event_timestamp
FROM {{ input }}
`;

function columns(sql: string): (string | null)[] {
  const result = parseTransform(sql);
  if (!result.ok) throw new Error(JSON.stringify(result.diagnostics));
  return result.columns.map((c) => c.name);
}

function error(sql: string): { message: string; hint?: string; line: number; col: number } {
  const result: TransformParseResult = parseTransform(sql);
  if (result.ok) throw new Error(`expected an error for ${sql}`);
  const d = result.diagnostics[0];
  if (d === undefined) throw new Error('no diagnostic');
  return { message: d.message, ...(d.hint === undefined ? {} : { hint: d.hint }), line: d.position.line, col: d.position.col };
}

describe('parseTransform accepts Flink SQL queries', () => {
  it('the reference page transform, with `value` unquoted', () => {
    expect(columns(SEED_SQL)).toEqual(['user_id', 'event_type', 'page_url', 'event_timestamp']);
  });

  it.each([
    ["SELECT JSON_VALUE(value, '$.n' RETURNING INT DEFAULT 0 ON EMPTY NULL ON ERROR) AS n FROM {{ input }}", ['n']],
    ['SELECT CAST(a AS BIGINT) AS b, TRY_CAST(c AS DECIMAL(10, 2)) d, CAST(x AS TIMESTAMP(3) WITH LOCAL TIME ZONE) FROM {{ input }}', ['b', 'd', 'EXPR$2']],
    ['SELECT CAST(m AS MAP<STRING, ARRAY<INT>>) AS m, CAST(r AS ROW<a INT, b STRING>) AS r FROM {{ input }}', ['m', 'r']],
    ["SELECT CASE WHEN a > 1 THEN 'x' WHEN a IS NULL THEN NULL ELSE 'y' END AS k FROM {{ input }} WHERE b IS NOT NULL AND c NOT IN (1, 2) OR d BETWEEN 1 AND 3", ['k']],
    ["SELECT window_start, COUNT(*) AS c FROM TABLE(TUMBLE(TABLE {{ input }}, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end", ['window_start', 'c']],
    ['SELECT a, ROW_NUMBER() OVER (PARTITION BY a ORDER BY ts DESC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS rn FROM {{ input }}', ['a', 'rn']],
    ["WITH t AS (SELECT a FROM {{ input }}) SELECT a, TRIM(BOTH ' ' FROM a) AS tr, SUBSTRING(a FROM 1 FOR 2) su, POSITION('x' IN a) AS p, EXTRACT(DAY FROM ts) e FROM t", ['a', 'tr', 'su', 'p', 'e']],
    ['SELECT a FROM {{ input }} UNION ALL SELECT b FROM {{ input }}', ['a']],
    ["SELECT JSON_OBJECT(KEY 'a' VALUE x NULL ON NULL) AS j, ts + INTERVAL '10' SECOND AS t2, a || 'x', arr[1], s.r.f, `select` FROM {{ input }} s", ['j', 't2', 'EXPR$2', 'EXPR$3', 'f', 'select']],
    ['SELECT *, s.* FROM {{ input }} AS s LEFT JOIN {{ input }} t ON s.id = t.id;', [null, null]],
    ["SELECT DATE_FORMAT(ts, 'yyyy-MM-dd') AS dt, `value`, TRUE, -- trailing comment\n /* block */ 1.5e3 AS n FROM {{ input }} LIMIT 10", ['dt', 'value', 'EXPR$2', 'n']],
    ['SELECT a, LISTAGG(b) WITHIN GROUP (ORDER BY b) AS l FROM {{ input }} GROUP BY GROUPING SETS ((a), ()) HAVING COUNT(*) > 1', ['a', 'l']],
    ['SELECT o.a, r.rate FROM {{ input }} AS o JOIN {{ input }} FOR SYSTEM_TIME AS OF o.ts AS r ON o.c = r.c', ['a', 'rate']],
    ['SELECT s, t.x FROM {{ input }} CROSS JOIN UNNEST(arr) AS t (x)', ['s', 'x']],
    ['SELECT s, y FROM {{ input }}, LATERAL TABLE(split(s)) AS T(y)', ['s', 'y']],
    ["SELECT COUNT(*) FILTER (WHERE a > 1) AS n, DATE '2024-01-01' AS d, INTERVAL '1 2' DAY TO HOUR AS i FROM {{ input }} WHERE EXISTS (SELECT 1 FROM {{ input }}) AND c IS NOT DISTINCT FROM d", ['n', 'd', 'i']],
    ['(SELECT a FROM {{ input }}) ORDER BY a FETCH FIRST 5 ROWS ONLY', ['a']],
  ])('%s', (sql, expected) => {
    expect(columns(sql)).toEqual(expected);
  });
});

describe('parseTransform rejects anything but one SELECT, with a position', () => {
  it.each([
    ['INSERT INTO x SELECT * FROM {{ input }}', { message: 'a transform must be exactly one SELECT statement; `INSERT` starts DML', hint: 'write a query: SELECT … FROM {{ input }}', line: 1, col: 1 }],
    ['\n  create table x (a int)', { message: 'a transform must be exactly one SELECT statement; `create` starts DDL', hint: 'write a query: SELECT … FROM {{ input }}', line: 2, col: 3 }],
    ['SELECT 1 FROM {{ input }}; DROP TABLE x', { message: 'a transform must be exactly one SELECT statement; a second statement follows the `;`', hint: 'split the work into several transformations', line: 1, col: 28 }],
    ['SET x = 1', { message: 'a transform must be exactly one SELECT statement; `SET` starts a configuration statement', hint: 'write a query: SELECT … FROM {{ input }}', line: 1, col: 1 }],
    ['', { message: 'the SQL is empty', hint: 'write one SELECT statement', line: 1, col: 1 }],
    ['SELECT a, FROM {{ input }}', { message: 'unexpected `FROM`: expected an expression', line: 1, col: 11 }],
    ['SELECT a b c FROM {{ input }}', { message: 'unexpected `c`: expected `,` between select items, or FROM', line: 1, col: 12 }],
    ['SELECT a\nFROM {{ input }}\nWHERE (', { message: 'unexpected end of the SQL: expected an expression', line: 3, col: 8 }],
    ['SELECT f(a b) FROM {{ input }}', { message: 'unexpected `b`: expected `,` or `)` in the argument list', line: 1, col: 12 }],
    ["SELECT 'abc FROM {{ input }}", { message: "unterminated string literal: `'` has no closing quote", hint: "close the string with `'`; write `''` for a quote inside it", line: 1, col: 8 }],
    ['SELECT "a" FROM {{ input }}', { message: 'double quotes are not used in Flink SQL', hint: "write a string as 'text' and quote an identifier with back-quotes: `name`", line: 1, col: 8 }],
    ['SELECT a FROM clickstream', { message: 'table `clickstream` is not defined here', hint: 'a transform reads only its input, `{{ input }}`, and names it defines with WITH', line: 1, col: 15 }],
    ['SELECT a FROM {{ inptu }}', { message: 'unknown placeholder `{{ inptu }}`', hint: 'did you mean `{{ input }}`?', line: 1, col: 15 }],
    ['SELECT 1', { message: 'the query never reads `{{ input }}`', hint: 'write FROM {{ input }}', line: 1, col: 1 }],
    ['SELECT CASE WHEN a THEN 1 FROM {{ input }}', { message: 'expected `END` to close the CASE at line 1, col 8, found `FROM`', line: 1, col: 27 }],
  ])('%j', (sql, expected) => {
    expect(error(sql)).toEqual(expected);
  });

  it('refuses nesting deeper than 200 levels instead of overflowing the stack', () => {
    expect(error(`SELECT ${'('.repeat(5000)}1${')'.repeat(5000)} FROM {{ input }}`)).toEqual({ message: 'the SQL nests deeper than 200 levels', line: 1, col: 207 });
  });
});

describe('parseExpression and substituteInput', () => {
  it('checks one scalar expression', () => {
    expect(parseExpression("TO_TIMESTAMP_LTZ(CAST(JSON_VALUE(`value`, '$.ts') AS BIGINT), 3)")).toMatchObject({ ok: true });
    expect(parseExpression('a +')).toEqual({ ok: false, diagnostics: [{ message: 'unexpected end of the SQL: expected an expression', position: { offset: 3, line: 1, col: 4 } }] });
    expect(parseExpression('a b')).toMatchObject({ ok: false, diagnostics: [{ message: 'unexpected `b` after the expression' }] });
  });

  it('replaces only the placeholder tokens', () => {
    expect(substituteInput("SELECT '{{ input }}' AS s FROM {{ input }} -- {{ input }}\n", '`clickstream`')).toBe("SELECT '{{ input }}' AS s FROM `clickstream` -- {{ input }}\n");
  });
});
