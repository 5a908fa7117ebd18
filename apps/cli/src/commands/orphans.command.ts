import { Command } from 'commander';
import { loadTable, openCatalog } from '@matih/iceberg';
import { formatDuration, parseDuration } from '@matih/pipeline-spec';
import { EXIT } from '../exit-codes';
import { executorEnv, planOrErrors } from './run.command';

interface OrphanOptions {
  olderThan: string;
  dryRun?: boolean;
}

/**
 * `matih remove-orphans <file> [--older-than 3d] [--dry-run]` — deletes the files in the pipeline's
 * sink tables that no snapshot reaches and that were written before the cut-off: what an executor
 * (or any writer) killed between writing a batch's files and committing them left behind. The
 * cut-off keeps what writers are about to commit: keep it far longer than a Flink job's checkpoint
 * interval.
 */
export function registerOrphansCommand(program: Command): void {
  program
    .command('remove-orphans')
    .description('delete files in the pipeline\'s Iceberg tables that no snapshot reaches (left by writers that died before committing)')
    .argument('<file>', 'pipeline definition (YAML) or compiled micro-batch plan (JSON)')
    .option('--older-than <duration>', 'only files last written longer ago than this (e.g. 3d, 12h)', '3d')
    .option('--dry-run', 'list the files, delete nothing')
    .action(async (file: string, options: OrphanOptions) => {
      const age = parseDuration(options.olderThan);
      if (age === undefined) {
        process.stderr.write(`--older-than must be a duration such as 3d, 12h or 90m (got ${options.olderThan})\n`);
        process.exitCode = EXIT.usage;
        return;
      }
      const loaded = planOrErrors(file);
      if (!loaded) return;
      const olderThanMs = Date.now() - age;
      process.exitCode = EXIT.ok;
      for (const sink of loaded.plan.sinks) {
        const name = [sink.table.catalog, ...sink.table.namespace, sink.table.name].join('.');
        try {
          const catalog = await openCatalog(sink.catalog, executorEnv());
          const ident = { namespace: sink.table.namespace, name: sink.table.name };
          const orphans = await (await loadTable(catalog, ident)).removeOrphanFiles({ olderThanMs, dryRun: options.dryRun });
          for (const f of orphans) process.stdout.write(`${f}\n`);
          process.stdout.write(`${name}: ${orphans.length} orphan file(s) older than ${formatDuration(age)} ${options.dryRun ? 'found (dry run: none deleted)' : 'deleted'}\n`);
        } catch (error) {
          process.stderr.write(`${name} (sink ${sink.name}): ${(error as Error).message}\n`);
          process.exitCode = EXIT.failure;
        }
      }
    });
}
