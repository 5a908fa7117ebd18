import { Command, Option } from 'commander';
import { EXIT } from '../exit-codes';
import { formatTable } from '../table';

interface PartitionReport {
  partition: number;
  end: string;
  groupOffset: string | null;
  tableOffset: string | null;
  records: number | null;
  seconds: number | null;
}

interface DeploymentHealth {
  deploymentId: string;
  pipeline: string;
  engine: string;
  state: string | null;
  reasons: string[];
  measuredAt: string | null;
  lag: { topic: string; group: string; records: number; seconds: number; partitions: PartitionReport[] }[];
}

/** `matih lag <deployment>`: consumer lag per partition and in total, as the monitor measures it. */
export function registerLagCommand(program: Command): void {
  program
    .command('lag')
    .description('consumer lag of a deployment per partition and in total (records and seconds behind), from the monitor')
    .argument('<deployment>', 'deployment id')
    .addOption(new Option('--monitor <url>', 'monitor API').env('MATIH_MONITOR_URL').default('http://127.0.0.1:18104'))
    .option('--json', 'print JSON')
    .action(async (id: string, options: { monitor: string; json?: boolean }) => {
      let response: Response;
      try {
        response = await fetch(`${options.monitor.replace(/\/$/, '')}/deployments/${encodeURIComponent(id)}`, { signal: AbortSignal.timeout(10_000) });
      } catch (error) {
        process.stderr.write(`matih: the monitor at ${options.monitor} did not answer (${(error as Error & { cause?: Error }).cause?.message ?? (error as Error).message})\n`);
        process.exitCode = EXIT.unreachable;
        return;
      }
      if (!response.ok) {
        process.stderr.write(`matih: ${response.status}: ${((await response.json().catch(() => ({}))) as { message?: string }).message ?? response.statusText}\n`);
        process.exitCode = EXIT.failure;
        return;
      }
      const health = (await response.json()) as DeploymentHealth;
      if (options.json) {
        process.stdout.write(`${JSON.stringify(health.lag, null, 2)}\n`);
        return;
      }
      process.stdout.write(`${health.pipeline} (${health.engine}) — ${health.state ?? 'not measured yet'}${health.reasons.length ? `: ${health.reasons.join('; ')}` : ''}\n`);
      for (const source of health.lag) {
        const rows = source.partitions.map((p) => [
          String(p.partition),
          p.end,
          p.tableOffset ?? p.groupOffset ?? '—',
          p.records === null ? '—' : String(p.records),
          p.seconds === null ? '—' : p.seconds.toFixed(1),
        ]);
        rows.push(['total', '', '', String(source.records), source.seconds.toFixed(1)]);
        process.stdout.write(`${source.topic} (group ${source.group})\n${formatTable(['PARTITION', 'END', 'POSITION', 'RECORDS BEHIND', 'SECONDS BEHIND'], rows)}\n`);
      }
    });
}
