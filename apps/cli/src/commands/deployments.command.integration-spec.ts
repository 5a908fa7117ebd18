import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, startApp, waitHealthy, type RunningService, type TestDatabase } from '@matih/stack';

const root = path.resolve(__dirname, '../../../..');
const ADMIN = `admin-${randomUUID()}`;
const PORT = 28120;
const run = promisify(execFile);

/** `matih` against a real registry: what a person types and sees, and the exit codes scripts rely on. */
describe('matih register / deploy / status / stop / audit', () => {
  let registry: RunningService;
  let db: TestDatabase;
  const dir = mkdtempSync(path.join(tmpdir(), 'matih-cli-'));
  const name = `cli-${randomUUID().slice(0, 8)}`;
  const file = path.join(dir, 'pipeline.yaml');
  writeFileSync(file, readFileSync(path.join(root, 'examples/clickstream.yaml'), 'utf8').replace('name: realtime-clickstream', `name: ${name}`));

  async function matih(args: string[], env: Record<string, string> = {}) {
    try {
      const { stdout, stderr } = await run(process.execPath, ['apps/cli/bin/matih.js', ...args], {
        cwd: root,
        env: { ...process.env, MATIH_REGISTRY_URL: `http://127.0.0.1:${PORT}`, MATIH_TOKEN: ADMIN, KAFKA_CONNECTION: '127.0.0.1:19092', SCHEMA_REGISTRY_URL: 'http://127.0.0.1:18085', ...env },
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }

  beforeAll(async () => {
    db = await createTestDatabase('cli_test');
    registry = startApp('registry', {
      port: PORT,
      env: {
        REGISTRY_DATABASE_URL: db.url,
        REGISTRY_ADMIN_TOKEN: ADMIN,
        KAFKA_CONNECTION: '127.0.0.1:19092',
        SCHEMA_REGISTRY_URL: 'http://127.0.0.1:18085',
      },
    });
    await waitHealthy(registry);
  });

  afterAll(async () => {
    await registry?.stop();
    await db?.drop();
  });

  it('registers, deploys, shows, stops and audits a pipeline', async () => {
    const registered = await matih(['register', file]);
    expect(registered).toMatchObject({ code: 0, stdout: expect.stringMatching(new RegExp(`^${name} 1.0.0: registered \\([0-9a-f]{64}\\)`)) });
    expect((await matih(['register', file])).stdout).toMatch(/already registered, unchanged/);

    const deployed = await matih(['deploy', file, '--reason', 'cli test', '--json']);
    expect(deployed.code).toBe(0);
    const [deployment] = JSON.parse(deployed.stdout) as { id: string; state: string; engine: string }[];
    expect(deployment).toMatchObject({ state: 'compiling', engine: 'flink' });

    const status = await matih(['status', name]);
    expect(status.stdout.split('\n')[0]).toMatch(/^DEPLOYMENT\s+PIPELINE\s+VERSION\s+ENGINE\s+STATE/);
    expect(status.stdout).toContain(deployment!.id);

    const stopped = await matih(['stop', deployment!.id, '--reason', 'done']);
    expect(stopped.code).toBe(0);
    expect(stopped.stdout).toMatch(/stopping/);

    const audit = await matih(['audit', '--deployment', deployment!.id]);
    const lines = audit.stdout.trim().split('\n').slice(1);
    expect(lines.map((l) => l.split(/\s{2,}/).slice(2, 6))).toEqual([
      ['deployment.requested', '1.0.0', 'admin', 'cli test'],
      ['stop.requested', '1.0.0', 'admin', 'done'],
    ]);
  });

  it('exits 1 with the diagnostics on an invalid definition, 3 without a valid token, 4 when the registry is unreachable', async () => {
    const broken = path.join(dir, 'broken.yaml');
    writeFileSync(broken, readFileSync(file, 'utf8').replace('parallelism: 4', 'parallelism: 0'));
    const invalid = await matih(['register', broken]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/422 Unprocessable Content: the definition is invalid \[PIPELINE_INVALID\]/);
    expect(invalid.stderr).toContain(`${broken}:38:16 error orchestration.parallelism: 0 must be at least 1`);

    const denied = await matih(['status'], { MATIH_TOKEN: 'not-a-token' });
    expect(denied).toMatchObject({ code: 3, stderr: expect.stringMatching(/401 Unauthorized: the API token is unknown or revoked/) });

    const away = await matih(['status'], { MATIH_REGISTRY_URL: 'http://127.0.0.1:9' });
    expect(away).toMatchObject({ code: 4, stderr: expect.stringMatching(/did not answer/) });
  });
});
