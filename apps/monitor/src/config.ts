import { baseConfigSchema } from '@matih/service-host';
import { z } from 'zod';
import { pipelineOverridesSchema, type PipelineOverrides, type Thresholds } from './health/thresholds';

const millis = (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback);

/** `MONITOR_PIPELINE_THRESHOLDS`: JSON `{"<pipeline>": {"lagRecords": 50000, "stalledAfterMs": 120000, …}}` */
const overridesSchema = z
  .string()
  .optional()
  .transform((text, ctx): PipelineOverrides => {
    if (text === undefined || text.trim() === '') return {};
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'not JSON: expected {"<pipeline>": {"lagRecords": 1000, "lagSeconds": 60, "stalledAfterMs": 60000, …}}' });
      return z.NEVER;
    }
    const parsed = pipelineOverridesSchema.safeParse(json);
    if (!parsed.success) {
      ctx.addIssue({ code: 'custom', message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
      return z.NEVER;
    }
    return parsed.data;
  });

export const configSchema = baseConfigSchema
  .extend({
    PORT: z.coerce.number().int().min(1).max(65535).default(18104),
    MONITOR_PING_INTERVAL_MS: millis(100, 3_600_000, 10_000),
    MONITOR_POLL_INTERVAL_MS: millis(100, 3_600_000, 5_000).describe('how often each running deployment is measured and judged'),
    MONITOR_LAG_RECORDS: z.coerce.number().int().min(0).default(10_000).describe('lagging above this many records behind'),
    MONITOR_LAG_SECONDS: z.coerce.number().min(0).default(300).describe('lagging when the oldest unconsumed record is older (s)'),
    MONITOR_STALLED_AFTER_MS: millis(100, 86_400_000, 60_000).describe('stalled after this long without progress'),
    MONITOR_CHECKPOINT_FAILURES: z.coerce.number().int().min(1).default(3).describe('failing after this many checkpoints failed in a row'),
    MONITOR_TABLE_FRESHNESS_MS: z.coerce.number().int().min(1).optional().describe('lagging when the newest table snapshot is older (unset: not judged)'),
    MONITOR_PIPELINE_THRESHOLDS: overridesSchema.describe('per-pipeline threshold overrides, JSON'),
    MATIH_FLINK_REST_URL: z.url({ protocol: /^https?$/, error: 'an http(s) URL' }).default('http://127.0.0.1:18081').describe("the Flink JobManager's REST endpoint"),
    MATIH_ICEBERG_JDBC_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'a postgres:// connection URL')
      .default('postgresql://matih:matih@127.0.0.1:15432/matih')
      .describe('PostgreSQL of the Iceberg JDBC catalogs (read-only: snapshots and their offsets)'),
  })
  .transform((c) => ({
    ...c,
    thresholds: {
      lagRecords: c.MONITOR_LAG_RECORDS,
      lagSeconds: c.MONITOR_LAG_SECONDS,
      stalledAfterMs: c.MONITOR_STALLED_AFTER_MS,
      checkpointFailures: c.MONITOR_CHECKPOINT_FAILURES,
      tableFreshnessMs: c.MONITOR_TABLE_FRESHNESS_MS ?? null,
    } satisfies Thresholds,
  }));

export type MonitorConfig = z.infer<typeof configSchema>;

export const MONITOR_CONFIG = Symbol('MONITOR_CONFIG');
