import type { FlinkPlan } from '@matih/contracts';
import { SubmissionError, SubmissionErrorCode } from './submission.errors';

/** The Flink 2.0 configuration keys the submitter reads or sets. */
export const FLINK_KEYS = {
  jobName: 'pipeline.name',
  runtimeMode: 'execution.runtime-mode',
  parallelism: 'parallelism.default',
  checkpointInterval: 'execution.checkpointing.interval',
  checkpointMode: 'execution.checkpointing.mode',
  checkpointRetention: 'execution.checkpointing.externalized-checkpoint-retention',
  checkpointDir: 'execution.checkpointing.dir',
  savepointDir: 'execution.checkpointing.savepoint-dir',
  restartStrategy: 'restart-strategy.type',
  /** Flink 2.0's key for "start from this savepoint or retained checkpoint" (was execution.savepoint.path) */
  restorePath: 'execution.state-recovery.path',
} as const;

/** Deprecated spellings of keys the submitter owns: a plan must not set them either. */
const RESTORE_KEYS = [FLINK_KEYS.restorePath, 'execution.savepoint.path'];

/**
 * What a session gets when the plan does not say: the guarantees of the flink engine (exactly-once
 * checkpoints, retained on cancel so a deployment can restart from its latest checkpoint) and the
 * seed's defaults (checkpoint every 60 s, parallelism 4).
 */
export const SESSION_DEFAULTS: Readonly<Record<string, string>> = {
  [FLINK_KEYS.runtimeMode]: 'streaming',
  [FLINK_KEYS.parallelism]: '4',
  [FLINK_KEYS.checkpointInterval]: '60s',
  [FLINK_KEYS.checkpointMode]: 'EXACTLY_ONCE',
  [FLINK_KEYS.checkpointRetention]: 'RETAIN_ON_CANCELLATION',
  [FLINK_KEYS.restartStrategy]: 'exponential-delay',
};

/**
 * Values a plan may not override, with why. (The checkpointing mode is the plan's: EXACTLY_ONCE by
 * default, AT_LEAST_ONCE when the definition asks for `delivery: at_least_once`.)
 */
const REQUIRED: readonly { key: string; value: string; why: string }[] = [
  { key: FLINK_KEYS.runtimeMode, value: 'streaming', why: 'a Flink pipeline is a continuous streaming job' },
  {
    key: FLINK_KEYS.checkpointRetention,
    value: 'RETAIN_ON_CANCELLATION',
    why: 'a cancelled deployment must be able to restart from its latest checkpoint',
  },
];

export interface SessionOptions {
  /** savepoint or retained checkpoint to start from */
  readonly restorePath: string | null;
  /** the submitter's storage settings: they win over the plan's, since they describe this cluster */
  readonly checkpointDir?: string | undefined;
  readonly savepointDir?: string | undefined;
}

/**
 * The SQL Gateway session properties of one submission: defaults, then the plan's settings, then
 * what the submitter owns — the job name (which carries the deployment id, so the job can be found
 * again) and the restore path. A plan that contradicts the engine's guarantees is refused.
 */
export function sessionProperties(plan: FlinkPlan, options: SessionOptions): Record<string, string> {
  const fromPlan = plan.sessionProperties;
  const problems: string[] = [];
  const planName = fromPlan[FLINK_KEYS.jobName];
  if (planName !== undefined && planName !== plan.jobName) {
    problems.push(`${FLINK_KEYS.jobName} is "${planName}" but the plan's jobName is "${plan.jobName}": leave ${FLINK_KEYS.jobName} out, the submitter sets it`);
  }
  for (const key of RESTORE_KEYS) {
    if (fromPlan[key] !== undefined) problems.push(`${key} is set by the submitter from the command's restoreFrom: remove it from the plan`);
  }
  const mode = fromPlan[FLINK_KEYS.checkpointMode];
  if (mode !== undefined && !['EXACTLY_ONCE', 'AT_LEAST_ONCE'].includes(mode.toUpperCase())) {
    problems.push(`${FLINK_KEYS.checkpointMode} must be EXACTLY_ONCE (the default) or AT_LEAST_ONCE, not "${mode}"`);
  }
  for (const { key, value, why } of REQUIRED) {
    const given = fromPlan[key];
    if (given !== undefined && given.toUpperCase() !== value.toUpperCase()) problems.push(`${key} must be ${value}, not "${given}": ${why}`);
  }
  if (problems.length > 0) throw new SubmissionError(SubmissionErrorCode.InvalidPlan, `the plan's session properties are not valid: ${problems.join('; ')}`);

  const properties: Record<string, string> = { ...SESSION_DEFAULTS, ...fromPlan };
  if (options.checkpointDir) properties[FLINK_KEYS.checkpointDir] = options.checkpointDir;
  if (options.savepointDir) properties[FLINK_KEYS.savepointDir] = options.savepointDir;
  properties[FLINK_KEYS.jobName] = plan.jobName;
  if (options.restorePath) properties[FLINK_KEYS.restorePath] = options.restorePath;
  return properties;
}
