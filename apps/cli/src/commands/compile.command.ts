import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { formatDiagnostic, loadDefinition } from '@matih/pipeline-spec';
import { compilePlan, formatPlanDiagnostic, localStackCatalogs, renderFlinkScript, resolveSourceSchemas, targetOf, type CompileTarget, type SourceSchemas } from '@matih/planner';
import { stackEndpoints } from '@matih/stack';
import { EXIT } from '../exit-codes';

/** The deployment id a preview plan carries (a real one comes with the deployment). */
export const PREVIEW_DEPLOYMENT_ID = '00000000-0000-0000-0000-000000000000';

interface CompileOptions {
  target?: CompileTarget;
  json?: boolean;
  deploymentId: string;
}

/**
 * `matih compile <file> [--target flink|microbatch] [--json]` — prints the execution plan of a
 * definition: the Flink SQL script, or the micro-batch plan (JSON). Catalogs are the local stack's.
 */
export function registerCompileCommand(program: Command): void {
  program
    .command('compile')
    .description('print the execution plan of a pipeline definition: the Flink SQL script or the micro-batch plan')
    .argument('<file>', 'pipeline definition (YAML)')
    .addOption(new Option('--target <engine>', 'the engine to compile for (default: the definition\'s orchestration.engine; airflow = microbatch)').choices(['flink', 'microbatch']))
    .option('--json', 'print the plan as JSON (the contract the engines receive)')
    .option('--deployment-id <uuid>', 'the deployment id the Flink job name carries', PREVIEW_DEPLOYMENT_ID)
    .action(async (file: string, options: CompileOptions) => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        process.stderr.write(`${file}: cannot read the file: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}\n`);
        process.exitCode = EXIT.failure;
        return;
      }
      const loaded = loadDefinition(text, { file, env: process.env });
      for (const d of loaded.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
      if (!loaded.ok) {
        process.exitCode = EXIT.failure;
        return;
      }
      const target = options.target ?? targetOf(loaded.definition);
      let sourceSchemas: SourceSchemas = {};
      if (target === 'flink') {
        // the Flink target types avro sources from the value schema registered for their topic
        const resolved = await resolveSourceSchemas(loaded.definition, { env: process.env });
        if (!resolved.ok) {
          for (const d of resolved.diagnostics) process.stderr.write(`${file}: error ${formatPlanDiagnostic(d)}\n`);
          process.exitCode = EXIT.failure;
          return;
        }
        sourceSchemas = resolved.schemas;
      }
      const result = compilePlan(loaded.definition, { target, deploymentId: options.deploymentId, catalogs: localStackCatalogs(stackEndpoints().stateDir), sourceSchemas });
      if (!result.ok) {
        for (const d of result.diagnostics) process.stderr.write(`${file}: error ${formatPlanDiagnostic(d)}\n`);
        process.exitCode = EXIT.failure;
        return;
      }
      const { plan } = result;
      process.stdout.write(options.json || plan.engine !== 'flink' ? `${JSON.stringify(plan, null, 2)}\n` : renderFlinkScript(plan));
      process.exitCode = EXIT.ok;
    });
}
