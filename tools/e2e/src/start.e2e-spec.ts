import { spawn } from 'node:child_process';
import path from 'node:path';
import { APPS, readIcebergTable, waitFor } from '@matih/stack';

const root = path.resolve(__dirname, '..', '..', '..');

/** `npm start`'s command as a person runs it: every service comes up healthy; Ctrl-C stops them all. */
describe('matih start', () => {
  it('runs every service until interrupted, then stops them and exits 0', async () => {
    const cli = spawn(process.execPath, ['apps/cli/bin/matih.js', 'start', '--no-stack', '--no-demo'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    cli.stdout.on('data', (c) => (output += String(c)));
    cli.stderr.on('data', (c) => (output += String(c)));
    const exited = new Promise<number | null>((resolve) => cli.once('exit', (code) => resolve(code)));
    try {
      await waitFor('all services healthy', async () => (output.includes('all services healthy') ? true : undefined), 120_000);
      for (const [name, port] of Object.entries(APPS)) {
        const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { status: string; info: { service: { name: string } } };
        expect([name, health.status, health.info.service.name]).toEqual([name, 'ok', name]);
      }
    } finally {
      cli.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(output).toMatch(/services stopped \(registry: 0, compiler: 0, flink-submitter: 0, microbatch: 0, monitor: 0\)/);
    for (const port of Object.values(APPS)) {
      await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
    }
  });
});

/** The README's main command end to end: the reference pipeline deployed, events produced, rows in the table. */
describe('matih start with the example pipeline', () => {
  it('deploys the reference pipeline on the micro-batch engine, and its rows land in the Iceberg table', async () => {
    const table = () => readIcebergTable('web.clickstream_events_mb', undefined, { catalog: 'analytics' }).catch(() => []);
    const before = (await table()).length;
    const cli = spawn(process.execPath, ['apps/cli/bin/matih.js', 'start', '--no-stack', '--engine', 'microbatch', '--until-rows', '500', '--rate', '500'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    cli.stdout.on('data', (c) => (output += String(c)));
    cli.stderr.on('data', (c) => (output += String(c)));
    const code = await new Promise<number | null>((resolve) => cli.once('exit', resolve));
    expect({ code, output }).toMatchObject({ code: 0 });
    expect(output).toMatch(/realtime-clickstream-mb: running/);
    expect(output).toMatch(/realtime-clickstream-mb: stopped/);
    const rows = await table();
    expect(rows.length - before).toBeGreaterThanOrEqual(500);
    expect(rows[0]).toEqual(expect.objectContaining({ user_id: expect.any(String), event_type: expect.any(String), page_url: expect.stringMatching(/^https:/) }));
  });
});
