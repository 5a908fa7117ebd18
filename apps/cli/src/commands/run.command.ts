import { readFileSync, writeFileSync } from 'node:fs';
import { Command } from 'commander';
import pino from 'pino';
import { microbatchPlanSchema, type MicrobatchPlan } from '@matih/contracts';
import { MicrobatchExecutor, renderAirflowDag } from '@matih/executor';
import { formatDiagnostic, loadDefinition } from '@matih/pipeline-spec';
import { compilePlan, formatPlanDiagnostic, localStackCatalogs, LOCAL_CATALOG_PASSWORD_ENV } from '@matih/planner';
import { stackEndpoints } from '@matih/stack';
import { EXIT } from '../exit-codes';

interface RunOptions {
  untilIdle?: boolean;
  maxBatches?: string;
  airflowDag?: string;
  schedule?: string;
  logLevel: string;
}

/** A definition (YAML, compiled here for the micro-batch engine) or a compiled plan (JSON). */
function loadPlan(file: string): { plan: MicrobatchPlan; pipeline: string } | { errors: string[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return { errors: [`${file}: cannot read the file: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`] };
  }
  if (/\.json$/i.test(file)) {
    const parsed = microbatchPlanSchema.safeParse(JSON.parse(text));
    if (!parsed.success) return { errors: parsed.error.issues.map((i) => `${file}: ${i.path.join('.')}: ${i.message}`) };
    return { plan: parsed.data, pipeline: parsed.data.sources[0]!.consumerGroup };
  }
  const loaded = loadDefinition(text, { file, env: process.env });
  if (!loaded.ok) return { errors: loaded.diagnostics.map(formatDiagnostic) };
  const result = compilePlan(loaded.definition, { target: 'microbatch', deploymentId: '00000000-0000-0000-0000-000000000000', catalogs: localStackCatalogs(stackEndpoints().stateDir) });
  if (!result.ok) return { errors: result.diagnostics.map((d) => `${file}: error ${formatPlanDiagnostic(d)}`) };
  if (result.plan.engine !== 'microbatch') return { errors: [`${file}: the compiler did not produce a micro-batch plan`] };
  return { plan: result.plan, pipeline: loaded.definition.metadata.name };
}

/** The file's micro-batch plan, or undefined once its errors are printed (exit code 1). */
export function planOrErrors(file: string): { plan: MicrobatchPlan; pipeline: string } | undefined {
  const loaded = loadPlan(file);
  if (!('errors' in loaded)) return loaded;
  for (const e of loaded.errors) process.stderr.write(`${e}\n`);
  process.exitCode = EXIT.failure;
  return undefined;
}

/** The executor's environment: the local stack catalog's password unless the environment sets it (the plan says where the catalog is). */
export function executorEnv(): Record<string, string | undefined> {
  return { [LOCAL_CATALOG_PASSWORD_ENV]: stackEndpoints().postgres.password, ...process.env };
}

/**
 * `matih run <file> [--until-idle] [--max-batches N]` — runs a micro-batch pipeline in the
 * foreground (task mode, for Airflow): exit 0 when idle for `idle_timeout` (with --until-idle) or
 * after N batches, 1 when the pipeline fails (error budget exceeded, sink or source unusable).
 * `--airflow-dag <out.py>` writes an Airflow DAG that schedules this command instead of running.
 */
export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('run a micro-batch pipeline in the foreground (Airflow task mode): Kafka → transform → Iceberg')
    .argument('<file>', 'pipeline definition (YAML) or compiled micro-batch plan (JSON)')
    .option('--until-idle', 'exit 0 once no record arrived for the pipeline\'s idle_timeout')
    .option('--max-batches <n>', 'exit 0 after this many committed batches')
    .option('--airflow-dag <out.py>', 'write an Airflow DAG file that runs this pipeline, and exit')
    .option('--schedule <cron>', 'the DAG\'s schedule (with --airflow-dag)', '@hourly')
    .option('--log-level <level>', 'log level on stderr', process.env['LOG_LEVEL'] ?? 'info')
    .action(async (file: string, options: RunOptions) => {
      const maxBatches = options.maxBatches === undefined ? undefined : Number(options.maxBatches);
      if (maxBatches !== undefined && !(Number.isInteger(maxBatches) && maxBatches > 0)) {
        process.stderr.write(`--max-batches must be a positive integer (got ${options.maxBatches})\n`);
        process.exitCode = EXIT.usage;
        return;
      }
      const loaded = planOrErrors(file);
      if (!loaded) return;
      if (options.airflowDag) {
        writeFileSync(options.airflowDag, renderAirflowDag({ pipeline: loaded.pipeline, definitionPath: file, schedule: options.schedule, maxBatches, maxRecords: loaded.plan.maxRecords, env: loaded.plan.secrets }));
        process.stdout.write(`${options.airflowDag}: Airflow DAG for ${loaded.pipeline}\n`);
        process.exitCode = EXIT.ok;
        return;
      }
      const logger = pino({ level: options.logLevel, redact: ['*.password', '*.sasl.password'] }, pino.destination(2));
      const executor = new MicrobatchExecutor({ plan: loaded.plan, pipeline: loaded.pipeline, env: executorEnv(), logger, untilIdle: options.untilIdle, maxBatches });
      const onSignal = () => void executor.stop('requested');
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
      try {
        await executor.start();
        const outcome = await executor.done;
        process.stdout.write(`${JSON.stringify(outcome)}\n`);
        process.exitCode = EXIT.ok;
      } catch (error) {
        await executor.stop('failed').catch(() => undefined);
        process.stderr.write(`matih run: ${(error as Error).message}\n`);
        process.exitCode = EXIT.failure;
      }
    });
}
