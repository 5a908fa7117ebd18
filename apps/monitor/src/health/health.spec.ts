import { judge, severityOf, type Observation } from './health';
import { thresholdsFor, type Thresholds } from './thresholds';

const t: Thresholds = { lagRecords: 1_000, lagSeconds: 60, stalledAfterMs: 30_000, checkpointFailures: 3, tableFreshnessMs: null };

const microbatch = (o: Partial<Observation> = {}): Observation => ({
  engine: 'microbatch',
  runningForMs: 120_000,
  lagRecords: 10,
  lagSeconds: 1,
  stuckForMs: null,
  heartbeatAgeMs: 1_000,
  progressAgeMs: 2_000,
  jobState: null,
  consecutiveCheckpointFailures: null,
  checkpointIntervalMs: null,
  engineFailure: null,
  tableFreshnessMs: 3_000,
  ...o,
});
const flink = (o: Partial<Observation> = {}): Observation =>
  microbatch({ engine: 'flink', heartbeatAgeMs: null, jobState: 'RUNNING', consecutiveCheckpointFailures: 0, checkpointIntervalMs: 10_000, progressAgeMs: 5_000, ...o });

describe('deployment health', () => {
  it('is healthy when every signal is within its threshold', () => {
    expect(judge(microbatch(), t)).toEqual({ state: 'healthy', reasons: [] });
    expect(judge(flink(), t)).toEqual({ state: 'healthy', reasons: [] });
  });

  it('is lagging above the records or seconds threshold, naming both', () => {
    const verdict = judge(microbatch({ lagRecords: 5_000, lagSeconds: 120 }), t);
    expect(verdict.state).toBe('lagging');
    expect(verdict.reasons).toEqual(['5000 records behind (threshold 1000)', '120 s behind (threshold 60 s)']);
  });

  it('judges table freshness only when the pipeline sets a threshold', () => {
    expect(judge(microbatch({ tableFreshnessMs: 600_000 }), t).state).toBe('healthy');
    expect(judge(microbatch({ tableFreshnessMs: 600_000 }), { ...t, tableFreshnessMs: 300_000 }).state).toBe('lagging');
  });

  it('is stalled when executors stop heartbeating, or never did within the window', () => {
    expect(judge(microbatch({ heartbeatAgeMs: 31_000 }), t)).toMatchObject({ state: 'stalled', reasons: [expect.stringMatching(/no executor heartbeat for 31s/)] });
    expect(judge(microbatch({ heartbeatAgeMs: null, runningForMs: 10_000 }), t).state).toBe('healthy');
    expect(judge(microbatch({ heartbeatAgeMs: null, runningForMs: 40_000 }), t).state).toBe('stalled');
  });

  it('is stalled when the consumed position does not move while records wait', () => {
    expect(judge(microbatch({ stuckForMs: 45_000, lagRecords: 500 }), t)).toMatchObject({ state: 'stalled', reasons: [expect.stringMatching(/has not moved for 45s while 500 records wait/)] });
  });

  it('gives a Flink job three checkpoint intervals before calling it stalled', () => {
    const slow = { checkpointIntervalMs: 60_000 };
    expect(judge(flink({ ...slow, progressAgeMs: 100_000, runningForMs: 400_000 }), t).state).toBe('healthy');
    expect(judge(flink({ ...slow, progressAgeMs: 200_000, runningForMs: 400_000 }), t).state).toBe('stalled');
    expect(judge(flink({ progressAgeMs: null, runningForMs: 20_000 }), t).state).toBe('healthy');
    expect(judge(flink({ progressAgeMs: null, runningForMs: 40_000 }), t).state).toBe('stalled');
  });

  it('is failing when the job failed or restarts, checkpoints keep failing, or the engine said so — worst state wins', () => {
    for (const jobState of ['FAILED', 'RESTARTING', 'CANCELED']) expect(judge(flink({ jobState }), t).state).toBe('failing');
    expect(judge(flink({ consecutiveCheckpointFailures: 2 }), t).state).toBe('healthy');
    expect(judge(flink({ consecutiveCheckpointFailures: 3 }), t).state).toBe('failing');
    const verdict = judge(microbatch({ engineFailure: 'error budget exceeded', heartbeatAgeMs: 60_000, lagRecords: 9_999 }), t);
    expect(verdict.state).toBe('failing');
    expect(verdict.reasons).toHaveLength(3);
  });

  it('takes a pipeline overrides over the defaults', () => {
    const overrides = { clickstream: { lagRecords: 100_000 } };
    expect(judge(microbatch({ lagRecords: 5_000 }), thresholdsFor('clickstream', t, overrides)).state).toBe('healthy');
    expect(judge(microbatch({ lagRecords: 5_000 }), thresholdsFor('orders', t, overrides)).state).toBe('lagging');
  });

  it('raises worse states as alerts and resolves with info', () => {
    expect(['healthy', 'lagging', 'stalled', 'failing'].map((s) => severityOf(s as never))).toEqual(['info', 'warning', 'critical', 'critical']);
  });
});
