/* A worker process for the crash tests: runs one plan (JSON in MATIH_TEST_PLAN) until idle, exits 0. */
import { microbatchPlanSchema } from '@matih/contracts';
import pino from 'pino';
import { MicrobatchExecutor } from '../executor';
import './fixtures'; // the stack catalog's password in process.env

async function main(): Promise<void> {
  const plan = microbatchPlanSchema.parse(JSON.parse(process.env['MATIH_TEST_PLAN'] ?? ''));
  const logger = pino({ level: process.env['LOG_LEVEL'] ?? 'info' }, pino.destination(2));
  const executor = new MicrobatchExecutor({ plan, pipeline: 'crash-test', logger, untilIdle: true, fetch: { sessionTimeoutMs: 6_000 } });
  process.once('SIGTERM', () => void executor.stop('requested'));
  await executor.start();
  const outcome = await executor.done;
  process.stdout.write(`${JSON.stringify(outcome)}\n`);
  process.exit(0);
}

main().catch((e: unknown) => {
  process.stderr.write(`worker failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
