import { baseConfigSchema } from '@matih/service-host';
import { z } from 'zod';

const url = z.url({ protocol: /^https?$/, error: 'an http(s) URL' });
/** a directory URI Flink can write to from every TaskManager (file://, s3://, hdfs://) */
const storageUri = z
  .string()
  .regex(/^[a-z][a-z0-9+.-]*:\/\/\S+$/, 'a URI with a scheme, e.g. file:///var/flink/checkpoints or s3://bucket/checkpoints')
  .transform((value) => value.replace(/\/+$/, ''))
  .optional();
const millis = (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback);

export const configSchema = baseConfigSchema.extend({
  PORT: z.coerce.number().int().min(1).max(65535).default(18102),
  MATIH_FLINK_GATEWAY_URL: url.default('http://127.0.0.1:18083').describe('the Flink SQL Gateway REST endpoint'),
  MATIH_FLINK_REST_URL: url.default('http://127.0.0.1:18081').describe("the Flink JobManager's REST endpoint"),
  MATIH_FLINK_CHECKPOINT_DIR: storageUri.describe("where jobs keep their checkpoints (default: the cluster's execution.checkpointing.dir)"),
  MATIH_FLINK_SAVEPOINT_DIR: storageUri.describe("where stop-with-savepoint writes (default: the cluster's execution.checkpointing.savepoint-dir)"),
  MATIH_FLINK_RECONCILE_INTERVAL_MS: millis(500, 3_600_000, 10_000).describe('how often running jobs are checked against Flink'),
  MATIH_FLINK_RUNNING_TIMEOUT_MS: millis(1_000, 3_600_000, 120_000).describe('how long a submission waits for its job to run before leaving it to the reconciler'),
  MATIH_FLINK_STOP_TIMEOUT_MS: millis(1_000, 3_600_000, 300_000).describe('how long a stop (savepoint or cancel) may take'),
  MATIH_FLINK_STATEMENT_TIMEOUT_MS: millis(1_000, 3_600_000, 180_000).describe('how long one setup statement or the job statement may take'),
});

export type FlinkSubmitterConfig = z.infer<typeof configSchema>;

export const FLINK_SUBMITTER_CONFIG = Symbol('FLINK_SUBMITTER_CONFIG');
