import { z } from 'zod';

/**
 * When a deployment stops being healthy. Defaults come from the monitor's environment; a pipeline may
 * override any of them (`MONITOR_PIPELINE_THRESHOLDS`, JSON keyed by pipeline name).
 */
export const thresholdsSchema = z.strictObject({
  /** lagging: more records behind than this, summed over partitions */
  lagRecords: z.number().int().min(0),
  /** lagging: the oldest unconsumed record is older than this */
  lagSeconds: z.number().min(0),
  /** stalled: no progress (heartbeat, committed batch or offsets, completed checkpoint) for this long */
  stalledAfterMs: z.number().int().min(1),
  /** failing: this many checkpoints failed in a row */
  checkpointFailures: z.number().int().min(1),
  /** lagging: the freshest sink table's newest snapshot is older than this (null: not judged) */
  tableFreshnessMs: z.number().int().min(1).nullable(),
});

export type Thresholds = z.infer<typeof thresholdsSchema>;

export const pipelineOverridesSchema = z.record(z.string().min(1), thresholdsSchema.partial());
export type PipelineOverrides = z.infer<typeof pipelineOverridesSchema>;

/** The thresholds of one pipeline: the defaults with its overrides. */
export function thresholdsFor(pipeline: string, defaults: Thresholds, overrides: PipelineOverrides): Thresholds {
  return { ...defaults, ...overrides[pipeline] };
}
