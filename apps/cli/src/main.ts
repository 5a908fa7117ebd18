import { Command, CommanderError } from 'commander';
import { EXIT } from './exit-codes';
import { registerCompileCommand } from './commands/compile.command';
import { registerDeploymentCommands } from './commands/deployments.command';
import { registerLagCommand } from './commands/lag.command';
import { registerOrphansCommand } from './commands/orphans.command';
import { registerRunCommand } from './commands/run.command';
import { registerStackCommand } from './commands/stack.command';
import { registerStartCommand } from './commands/start.command';
import { registerValidateCommand } from './commands/validate.command';

/**
 * `matih` — one entry point for a person's daily work. Each command lives in `commands/` and
 * registers itself on the program.
 */
export function buildProgram(): Command {
  const program = new Command('matih')
    .description('MATIH Pipelines: Kafka → SQL → Iceberg ingestion, declared in YAML')
    .showHelpAfterError()
    .exitOverride();
  registerRunCommand(program);
  registerStackCommand(program);
  registerStartCommand(program);
  registerValidateCommand(program);
  registerCompileCommand(program);
  registerDeploymentCommands(program);
  registerLagCommand(program);
  registerOrphansCommand(program);
  return program;
}

/** Run `matih` with a process' argv; resolves with the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // help and version print and exit 0; every other commander error is a usage error
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    process.stderr.write(`matih: ${(error as Error).message}\n`);
    return EXIT.failure;
  }
}
