import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { APPS, repoRoot, stackEndpoints, stackUp, startApp, waitHealthy, type AppName, type RunningService } from '@matih/stack';
import { RegistryClient } from '../api/registry-client';
import { Demo, type DemoEngine } from '../demo/demo';
import { EXIT } from '../exit-codes';
import { formatTable } from '../table';

interface StartOptions {
  stack: boolean;
  demo: boolean;
  engine: 'flink' | 'microbatch' | 'both';
  rate: string;
  untilRows?: string;
}

/** The registry's first admin token for this machine, kept (mode 600) in the stack's state folder. */
function adminToken(stateDir: string): string {
  const file = path.join(stateDir, 'registry-admin-token');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const token = `mtk_${randomBytes(32).toString('base64url')}`;
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}

/**
 * `matih start`: the whole product on this machine — the local stack, then every service — in the
 * foreground until Ctrl-C, which stops the services (the stack keeps running; `matih stack down`).
 */
export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('bring the local stack up and run every service in the foreground until Ctrl-C')
    .option('--no-stack', 'do not start the local stack (use already running components)')
    .option('--no-demo', 'only run the services: do not deploy the example pipelines or produce events')
    .addOption(new Option('--engine <engine>', 'which engine runs the example pipeline').choices(['flink', 'microbatch', 'both']).default('both'))
    .option('--rate <events-per-second>', 'synthetic clickstream events per second', '1000')
    .option('--until-rows <n>', 'stop by itself once every deployment committed at least n rows (exit 0), instead of waiting for Ctrl-C')
    .action(async (options: StartOptions) => {
      const say = (line: string) => process.stdout.write(`${line}\n`);
      if (options.stack) {
        say('bringing the local stack up (the first run downloads Kafka, Flink and connectors; later runs reuse them)…');
        await stackUp({ log: say });
      }
      const endpoints = stackEndpoints();
      const token = adminToken(endpoints.stateDir);
      const env = {
        REGISTRY_ADMIN_TOKEN: token,
        // what the example definitions interpolate
        KAFKA_CONNECTION: endpoints.kafka.brokers.join(','),
        SCHEMA_REGISTRY_URL: 'http://127.0.0.1:18085',
        // the local stack's Iceberg catalog password, for jobs that write it
        MATIH_ICEBERG_JDBC_PASSWORD: endpoints.postgres.password,
        MATIH_STACK_DIR: endpoints.stateDir,
      };
      const logs = path.join(endpoints.stateDir, 'logs', 'apps');
      const services = (Object.keys(APPS) as AppName[]).map((name) => startApp(name, { env, logFile: path.join(logs, `${name}.log`), ownProcessGroup: true }));
      const stopAll = () => Promise.all(services.map((s) => s.stop()));
      try {
        await Promise.all(services.map((s) => waitHealthy(s)));
      } catch (error) {
        await stopAll();
        throw error;
      }
      say(
        formatTable(
          ['SERVICE', 'URL', 'PID', 'LOG'],
          services.map((s) => [s.name, s.baseUrl, String(s.process.pid ?? '-'), path.join(logs, `${s.name}.log`)]),
        ),
      );
      say(`all services healthy; registry admin token in ${path.join(endpoints.stateDir, 'registry-admin-token')} (export MATIH_TOKEN=$(cat …) for matih commands)`);
      if (!options.demo) {
        say('Ctrl-C stops them');
        process.exitCode = await untilStopped(services, say);
        return;
      }
      const engines: DemoEngine[] = options.engine === 'both' ? ['flink', 'microbatch'] : [options.engine];
      const demo = new Demo({
        root: repoRoot(),
        engines,
        rate: Math.max(1, Number(options.rate) || 1000),
        registry: new RegistryClient({ url: `http://127.0.0.1:${APPS.registry}`, token }),
        say,
      });
      const finished = new AbortController();
      const stopped = untilStopped(services, say, async () => {
        finished.abort();
        await demo.stop();
      });
      try {
        await demo.start();
        say('producing synthetic clickstream events — Ctrl-C stops');
        await watch(demo, finished.signal, options.untilRows === undefined ? undefined : Number(options.untilRows));
        if (!finished.signal.aborted) process.kill(process.pid, 'SIGINT');
      } catch (error) {
        process.stderr.write(`matih start: ${(error as Error).message}\n`);
        process.kill(process.pid, 'SIGINT');
        await stopped;
        process.exitCode = EXIT.failure;
        return;
      }
      process.exitCode = await stopped;
    });
}

/** Redraw the demo's summary every second (in place on a terminal) until stopped or enough rows landed. */
async function watch(demo: Demo, stop: AbortSignal, untilRows: number | undefined): Promise<void> {
  const tty = process.stdout.isTTY === true;
  let drawn = 0;
  let tick = 0;
  while (!stop.aborted) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    if (stop.aborted) return;
    const rows = await demo.snapshot().catch(() => undefined);
    if (!rows) continue;
    const text = demo.render(rows);
    if (tty) {
      process.stdout.write(`${drawn ? `\x1b[${drawn}F\x1b[J` : ''}${text}\n`);
      drawn = text.split('\n').length;
    } else if (tick++ % 10 === 0) {
      process.stdout.write(`${text}\n`);
    }
    if (untilRows !== undefined && rows.every((r) => (r.rows ?? 0) >= untilRows)) {
      if (!tty) process.stdout.write(`${text}\n`);
      return;
    }
  }
}

/**
 * Resolve with an exit code when the person presses Ctrl-C (0) or a service dies on its own (1);
 * `before` runs first (stopping deployments while the services still answer).
 */
function untilStopped(services: readonly RunningService[], say: (line: string) => void, before?: () => Promise<void>): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const stop = async (code: number) => {
      if (stopping) return;
      stopping = true;
      await before?.().catch((error: unknown) => say(`could not stop the deployments cleanly: ${(error as Error).message}`));
      say('stopping services…');
      const results = await Promise.all(services.map((s) => s.stop()));
      say(`services stopped (${services.map((s, i) => `${s.name}: ${String(results[i])}`).join(', ')})`);
      resolve(code);
    };
    process.once('SIGINT', () => void stop(EXIT.ok));
    process.once('SIGTERM', () => void stop(EXIT.ok));
    // if this process ends any other way, its services end with it
    process.once('exit', () => services.forEach((s) => s.process.exitCode === null && s.process.kill('SIGKILL')));
    for (const service of services) {
      void service.exited.then((status) => {
        if (stopping) return;
        process.stderr.write(`${service.name} exited unexpectedly (${String(status)}):\n${service.output().slice(-3000)}\n`);
        void stop(EXIT.failure);
      });
    }
  });
}
