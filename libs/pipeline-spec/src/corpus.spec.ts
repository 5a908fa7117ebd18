import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatDiagnostic, loadDefinition } from './index';

/**
 * The corpus: every file under __fixtures__/valid must load (warnings allowed, listed in
 * `<name>.expected.txt` when any); every file under __fixtures__/invalid must fail with exactly the
 * diagnostics in `<name>.expected.txt`, as the CLI prints them. `UPDATE_FIXTURES=1` rewrites the
 * expectations — review the diff.
 */
export const FIXTURE_ENV = {
  KAFKA_CONNECTION: 'broker-1:9092,broker-2:9092',
  SCHEMA_REGISTRY_URL: 'http://registry:8081',
  KAFKA_PASSWORD: 's3cr3t-kafka',
  REGISTRY_PASSWORD: 's3cr3t-registry',
  OWNER: 'data-team',
  BROKERS: 'super-secret-broker-list',
  START_OFFSET: 'whenever',
  TABLE: 'onlyone',
};

const root = join(__dirname, '__fixtures__');
const files = (kind: string): string[] => readdirSync(join(root, kind)).filter((f) => f.endsWith('.yaml')).sort();

function check(kind: 'valid' | 'invalid', file: string): void {
  const result = loadDefinition(readFileSync(join(root, kind, file), 'utf8'), { file, env: FIXTURE_ENV });
  expect(result.ok).toBe(kind === 'valid');
  const actual = result.diagnostics.map(formatDiagnostic);
  const expectedFile = join(root, kind, file.replace(/\.yaml$/, '.expected.txt'));
  if (process.env['UPDATE_FIXTURES'] === '1') {
    if (actual.length > 0 || kind === 'invalid') writeFileSync(expectedFile, `${actual.join('\n')}\n`);
    return;
  }
  let expected: string[] = [];
  try {
    expected = readFileSync(expectedFile, 'utf8').split('\n').filter((l) => l !== '');
  } catch {
    if (kind === 'invalid') throw new Error(`${file} has no ${file.replace(/\.yaml$/, '.expected.txt')}`);
  }
  expect(actual).toEqual(expected);
}

describe('valid corpus', () => {
  it.each(files('valid'))('%s loads', (file) => check('valid', file));
});

describe('invalid corpus', () => {
  it.each(files('invalid'))('%s reports exactly its expected diagnostics', (file) => check('invalid', file));

  it('never echoes a value that came from the environment, nor a secret', () => {
    for (const file of files('invalid')) {
      const result = loadDefinition(readFileSync(join(root, 'invalid', file), 'utf8'), { file, env: FIXTURE_ENV });
      const text = JSON.stringify(result.diagnostics);
      for (const value of Object.values(FIXTURE_ENV)) expect(text).not.toContain(value);
    }
  });
});
