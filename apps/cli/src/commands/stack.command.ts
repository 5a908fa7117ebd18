import { Command } from 'commander';
import { COMPONENTS, isComponentName, stackDown, stackStatus, stackUp, type ComponentName, type StackStatus } from '@matih/stack';
import { EXIT } from '../exit-codes';
import { formatTable } from '../table';

/** A plain-text table of the stack's components. */
export function formatStatusTable(status: StackStatus): string {
  const header = ['COMPONENT', 'STATE', 'ADDRESS', 'PID', 'LOG'];
  const rows = status.components.map((c) => [
    c.name,
    c.detail ? `${c.state} (${c.detail.split('\n')[0]})` : c.state,
    c.address,
    c.processes.map((p) => (p.pid === null ? '-' : String(p.pid))).join(','),
    c.log,
  ]);
  return `${formatTable(header, rows)}\nstate folder: ${status.stateDir}`;
}

function parseComponents(names: string[]): ComponentName[] {
  const unknown = names.filter((n) => !isComponentName(n));
  if (unknown.length > 0) throw new Error(`unknown component(s): ${unknown.join(', ')} (known: ${COMPONENTS.join(', ')})`);
  return names.filter(isComponentName);
}

async function guarded(work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    process.stderr.write(`matih stack: ${(error as Error).message}\n`);
    process.exitCode = EXIT.failure;
  }
}

/** `matih stack up|down|status`: the local stack on loopback (Kafka, PostgreSQL, Flink and its SQL Gateway, an S3 object store, an Iceberg REST catalog). */
export function registerStackCommand(program: Command): void {
  const stack = program.command('stack').description('provision, start, stop and inspect the local stack (Kafka, PostgreSQL, Flink, SQL Gateway, object store, REST catalog)');

  stack
    .command('up')
    .description(`provision (once) and start components, waiting until they are ready (default: all of ${COMPONENTS.join(', ')})`)
    .argument('[component...]', 'components to start')
    .action((names: string[]) =>
      guarded(async () => {
        const started = Date.now();
        const status = await stackUp({ components: parseComponents(names), log: (line) => process.stdout.write(`${line}\n`) });
        process.stdout.write(`${formatStatusTable(status)}\nstack up in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
      }),
    );

  stack
    .command('down')
    .description('stop every process the stack started')
    .action(() =>
      guarded(async () => {
        await stackDown({ log: (line) => process.stdout.write(`${line}\n`) });
        process.stdout.write('stack stopped\n');
      }),
    );

  stack
    .command('status')
    .description('show each component: state, address, pid, log')
    .option('--json', 'print JSON')
    .action((options: { json?: boolean }) =>
      guarded(async () => {
        const status = await stackStatus();
        process.stdout.write(options.json ? `${JSON.stringify(status, null, 2)}\n` : `${formatStatusTable(status)}\n`);
        if (status.components.some((c) => c.state === 'unhealthy')) process.exitCode = EXIT.failure;
      }),
    );
}
