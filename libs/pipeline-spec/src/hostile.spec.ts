import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { loadDefinition, type LoadResult } from './index';

const SEED = readFileSync(join(__dirname, '..', '..', '..', 'examples', 'clickstream.yaml'), 'utf8');
const ENV = { KAFKA_CONNECTION: 'broker-1:9092', SCHEMA_REGISTRY_URL: 'http://registry:8081' };

/** loads, and checks the result is well formed and came back fast */
function loadTimed(text: string, budgetMs = 2000): LoadResult {
  const started = performance.now();
  const result = loadDefinition(text, { file: 'hostile.yaml', env: ENV });
  expect(performance.now() - started).toBeLessThan(budgetMs);
  if (!result.ok) expect(result.diagnostics.length).toBeGreaterThan(0);
  for (const d of result.diagnostics) {
    expect(Number.isInteger(d.line) && d.line >= 1).toBe(true);
    expect(Number.isInteger(d.col) && d.col >= 1).toBe(true);
    expect(typeof d.message).toBe('string');
  }
  return result;
}

function errors(result: LoadResult): string[] {
  return result.diagnostics.map((d) => d.message);
}

describe('hostile input', () => {
  it('refuses an alias bomb (billion laughs) quickly', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const result = loadTimed(levels.join('\n'));
    expect(result.ok).toBe(false);
    expect(errors(result)).toContain('the document expands more than 100 aliases');
  });

  it('refuses a document larger than 1 MiB', () => {
    const result = loadTimed(`metadata:\n  description: "${'x'.repeat(1_100_000)}"\n`);
    expect(errors(result)).toEqual(['the file is 1100028 bytes; a pipeline definition may be at most 1048576 bytes']);
  });

  it('refuses deep flow nesting without exhausting the stack', () => {
    const result = loadTimed(`a: ${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    expect(errors(result)).toEqual(['the document nests deeper than 32 levels']);
    expect(result.diagnostics[0]).toMatchObject({ line: 1, col: 36 });
  });

  it('refuses deep block nesting', () => {
    const lines = Array.from({ length: 200 }, (_, i) => `${' '.repeat(i)}k${i}:`);
    const result = loadTimed(lines.join('\n'));
    expect(errors(result)).toContain('the document nests deeper than 32 levels');
  });

  it('refuses binary junk with its position', () => {
    const result = loadTimed('metadata:\n  name: x\u0000\u00ff\u0001');
    expect(result.diagnostics).toMatchObject([{ line: 2, col: 10, message: 'the file is not YAML text: it contains the control character \\u0000' }]);
  });

  it('handles many values and very long SQL within bounds', () => {
    const wide = `metadata:\n  labels:\n${Array.from({ length: 60_000 }, (_, i) => `    k${i}: v`).join('\n')}\n`;
    expect(errors(loadTimed(wide, 5000))).toContain('the document has more than 50000 values');
    const longSql = SEED.replace('FROM {{ input }}', `FROM {{ input }} WHERE ${Array(5000).fill('a = 1').join(' AND ')}`);
    expect(loadTimed(longSql).ok).toBe(true);
    const deepSql = SEED.replace('event_timestamp\n', `${'('.repeat(3000)}1${')'.repeat(3000)} AS x, event_timestamp\n`);
    expect(errors(loadTimed(deepSql))).toEqual(['SQL: the SQL nests deeper than 200 levels']);
  });
});

describe('property: no input makes loadDefinition throw', () => {
  it('random text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => {
        loadTimed(text);
      }),
      { numRuns: 400 },
    );
  });

  it('random YAML-looking text', () => {
    const token = fc.constantFrom('metadata:', 'sources:', '  ', '- ', ': ', '{', '}', '[', ']', ',', '&a ', '*a', '!!str ', '|\n', '>-\n', '"', "'", '#', '\n', '${X}', '${', '{{ input }}', 'SELECT', 'FROM', ';', '---\n', '? ', 'null', '1e999', '0x1F');
    fc.assert(
      fc.property(fc.array(token, { maxLength: 80 }), (parts) => {
        loadTimed(parts.join(''));
      }),
      { numRuns: 400 },
    );
  });

  it('mutations of the seed example', () => {
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 20 }) }),
      fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.string({ maxLength: 10 }) }),
      fc.record({ kind: fc.constant('duplicate-line' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('swap-lines' as const), at: fc.nat(), other: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 5 }), (mutations) => {
        let text = SEED;
        for (const m of mutations) {
          const at = m.at % (text.length + 1);
          if (m.kind === 'delete') text = text.slice(0, at) + text.slice(at + m.length);
          else if (m.kind === 'insert') text = text.slice(0, at) + m.text + text.slice(at);
          else {
            const lines = text.split('\n');
            const i = m.at % lines.length;
            if (m.kind === 'duplicate-line') lines.splice(i, 0, lines[i] as string);
            else {
              const j = m.other % lines.length;
              [lines[i], lines[j]] = [lines[j] as string, lines[i] as string];
            }
            text = lines.join('\n');
          }
        }
        const result = loadTimed(text);
        if (result.ok) expect(result.hash).toMatch(/^[0-9a-f]{64}$/);
      }),
      { numRuns: 500 },
    );
  });
});
