import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..', '..');
const BIN = join(ROOT, 'apps', 'cli', 'bin', 'matih.js');
const SEED = join(ROOT, 'examples', 'clickstream.yaml');
const ENV = { KAFKA_CONNECTION: 'broker-1:9092', SCHEMA_REGISTRY_URL: 'http://registry:8081' };

function matih(args: string[], env: Record<string, string> = ENV) {
  const { PATH, HOME, SWC_NODE_PROJECT } = process.env;
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: { PATH, HOME, SWC_NODE_PROJECT, ...env }, timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'matih-validate-'));
const bad = join(dir, 'bad.yaml');
writeFileSync(
  bad,
  `metadata: { name: bad, version: "1.0.0", owner: me }
sources:
  s: { type: kafka, connection: "k:9092", topic: t, consumer_grup: g, format: json }
transformations:
  - name: t
    type: sql_transform
    input: s
    sql: |
      SELECT a,
      FROM {{ input }}
sinks:
  out: { type: iceberg, table: c.n.t }
`,
);

describe('matih validate', () => {
  it('exits 0 for the reference example', () => {
    const { code, stdout, stderr } = matih(['validate', SEED]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/clickstream\.yaml: valid \([0-9a-f]{64}\)\n$/);
  });

  it('exits 1 with every diagnostic on stderr as file:line:col severity path: message (hint)', () => {
    const { code, stderr } = matih(['validate', SEED, bad]);
    expect(code).toBe(1);
    expect(stderr.split('\n').filter((l) => l !== '')).toEqual([
      `${bad}:3:3 error sources.s: missing required field \`consumer_group\` (add \`consumer_group:\`)`,
      `${bad}:3:53 error sources.s.consumer_grup: unknown field \`consumer_grup\` (did you mean \`consumer_group\`?)`,
      `${bad}:10:7 error transformations[0].sql: SQL: unexpected \`FROM\`: expected an expression`,
      '1 of 2 files invalid',
    ]);
  });

  it('names a variable missing from the environment', () => {
    const { code, stderr } = matih(['validate', SEED], {});
    expect(code).toBe(1);
    expect(stderr).toContain('clickstream.yaml:9:17 error sources.clickstream.connection: environment variable `KAFKA_CONNECTION` is not set');
  });

  it('prints machine-readable diagnostics with --json', () => {
    const { code, stdout } = matih(['validate', '--json', bad, join(dir, 'missing.yaml')]);
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(report.valid).toBe(false);
    expect(report.files[0].diagnostics[0]).toEqual({ file: bad, line: 3, col: 3, path: 'sources.s', message: 'missing required field `consumer_group`', hint: 'add `consumer_group:`', severity: 'error' });
    expect(report.files[1]).toEqual({ file: join(dir, 'missing.yaml'), valid: false, diagnostics: [{ file: join(dir, 'missing.yaml'), line: 1, col: 1, path: '', message: 'cannot read the file: no such file', severity: 'error' }] });
  });

  it('exits 2 on usage errors', () => {
    expect(matih(['validate']).code).toBe(2);
    expect(matih(['validate', '--frobnicate', SEED]).code).toBe(2);
  });
});

describe('matih as installed (npx matih, through the workspace bin link)', () => {
  it('runs the command and exits with its code', () => {
    const { PATH, HOME } = process.env;
    const link = join(ROOT, 'node_modules', '.bin', 'matih');
    const ok = spawnSync(link, ['validate', SEED], { cwd: ROOT, encoding: 'utf8', env: { PATH, HOME, ...ENV }, timeout: 60_000 });
    expect([ok.status, ok.stdout]).toEqual([0, expect.stringMatching(/clickstream\.yaml: valid/)]);
    const bad = spawnSync(link, ['validate', join(dir, 'missing.yaml')], { cwd: ROOT, encoding: 'utf8', env: { PATH, HOME, ...ENV }, timeout: 60_000 });
    expect(bad.status).toBe(1);
  });
});
