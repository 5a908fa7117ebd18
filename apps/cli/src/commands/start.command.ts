import path from 'node:path';
import { Command } from 'commander';
import { APPS, stackEndpoints, stackUp, startApp, waitHealthy, type AppName, type RunningService } from '@matih/stack';
import { EXIT } from '../exit-codes';
import { formatTable } from '../table';

/**
 * `matih start`: the whole product on this machine — the local stack, then every service — in the
 * foreground until Ctrl-C, which stops the services (the stack keeps running; `matih stack down`).
 */
export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('bring the local stack up and run every service in the foreground until Ctrl-C')
    .option('--no-stack', 'do not start the local stack (use already running components)')
    .action(async (options: { stack: boolean }) => {
      const say = (line: string) => process.stdout.write(`${line}\n`);
      if (options.stack) {
        say('bringing the local stack up (the first run downloads Kafka, Flink and connectors; later runs reuse them)…');
        await stackUp({ log: say });
      }
      const logs = path.join(stackEndpoints().stateDir, 'logs', 'apps');
      const services = (Object.keys(APPS) as AppName[]).map((name) => startApp(name, { logFile: path.join(logs, `${name}.log`) }));
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
      say('all services healthy — Ctrl-C stops them');
      process.exitCode = await untilStopped(services, say);
    });
}

/** Resolve with an exit code when the person presses Ctrl-C (0) or a service dies on its own (1). */
function untilStopped(services: readonly RunningService[], say: (line: string) => void): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const stop = async (code: number) => {
      if (stopping) return;
      stopping = true;
      say('stopping services…');
      const results = await Promise.all(services.map((s) => s.stop()));
      say(`services stopped (${services.map((s, i) => `${s.name}: ${String(results[i])}`).join(', ')})`);
      resolve(code);
    };
    process.once('SIGINT', () => void stop(EXIT.ok));
    process.once('SIGTERM', () => void stop(EXIT.ok));
    for (const service of services) {
      void service.exited.then((status) => {
        if (stopping) return;
        process.stderr.write(`${service.name} exited unexpectedly (${String(status)}):\n${service.output().slice(-3000)}\n`);
        void stop(EXIT.failure);
      });
    }
  });
}
