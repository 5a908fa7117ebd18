import type { FlinkPlan } from '@matih/contracts';
import { FLINK_KEYS, sessionProperties } from './session-settings';
import { SubmissionError } from './submission.errors';

const plan = (sessionProperties: Record<string, string> = {}): FlinkPlan => ({
  engine: 'flink',
  jobName: 'matih-clickstream-0b7e2c1e-4f0a-4c5e-9d7a-2f4b8e6c1a3d',
  sessionProperties,
  setup: ['CREATE TEMPORARY TABLE t (x INT) WITH (...)'],
  job: 'INSERT INTO s SELECT * FROM t',
  sinks: [{ name: 'lake', table: { catalog: 'matih', namespace: ['web'], name: 'events' }, catalog: { name: 'matih', type: 'jdbc', uri: 'jdbc:postgresql://127.0.0.1:15432/matih', warehouse: 'file:///var/lib/matih/warehouse', user: 'matih', password: { env: 'MATIH_ICEBERG_JDBC_PASSWORD' }, properties: {} }, mode: 'append', columns: [{ name: 'x', type: 'int', required: false }], partitionBy: [] }],
  secrets: [],
});

describe('session properties of a submission', () => {
  it('gives every job exactly-once, retained checkpoints and the seed defaults unless the plan says otherwise', () => {
    expect(sessionProperties(plan(), { restorePath: null })).toEqual({
      'execution.runtime-mode': 'streaming',
      'parallelism.default': '4',
      'execution.checkpointing.interval': '60s',
      'execution.checkpointing.mode': 'EXACTLY_ONCE',
      'execution.checkpointing.externalized-checkpoint-retention': 'RETAIN_ON_CANCELLATION',
      'restart-strategy.type': 'exponential-delay',
      'pipeline.name': 'matih-clickstream-0b7e2c1e-4f0a-4c5e-9d7a-2f4b8e6c1a3d',
    });
  });

  it("takes the plan's interval, parallelism and restart strategy, and names the job after the plan", () => {
    const props = sessionProperties(
      plan({ 'execution.checkpointing.interval': '5s', 'parallelism.default': '2', 'restart-strategy.type': 'fixed-delay', 'restart-strategy.fixed-delay.attempts': '3' }),
      { restorePath: null },
    );
    expect(props).toMatchObject({ 'execution.checkpointing.interval': '5s', 'parallelism.default': '2', 'restart-strategy.type': 'fixed-delay', 'restart-strategy.fixed-delay.attempts': '3' });
    expect(props[FLINK_KEYS.jobName]).toBe('matih-clickstream-0b7e2c1e-4f0a-4c5e-9d7a-2f4b8e6c1a3d');
    expect(props).not.toHaveProperty(FLINK_KEYS.restorePath);
  });

  it("restores through Flink 2's execution.state-recovery.path, and the submitter's storage wins over the plan's", () => {
    const props = sessionProperties(plan({ 'execution.checkpointing.dir': 'file:///plan/chk' }), {
      restorePath: 'file:/sp/savepoint-1a2b3c-0123456789ab',
      checkpointDir: 's3://lake/checkpoints',
      savepointDir: 's3://lake/savepoints',
    });
    expect(props).toMatchObject({
      'execution.state-recovery.path': 'file:/sp/savepoint-1a2b3c-0123456789ab',
      'execution.checkpointing.dir': 's3://lake/checkpoints',
      'execution.checkpointing.savepoint-dir': 's3://lake/savepoints',
    });
  });

  it("keeps the plan's delivery choice and the planner's own pipeline.name", () => {
    const p = plan({ 'execution.checkpointing.mode': 'AT_LEAST_ONCE' });
    const props = sessionProperties({ ...p, sessionProperties: { ...p.sessionProperties, 'pipeline.name': p.jobName } }, { restorePath: null });
    expect(props).toMatchObject({ 'execution.checkpointing.mode': 'AT_LEAST_ONCE', 'pipeline.name': p.jobName });
  });

  it('refuses a plan that contradicts the engine, saying what to change, all at once', () => {
    let error: unknown;
    try {
      sessionProperties(
        plan({ 'execution.checkpointing.mode': 'SOMETIMES', 'pipeline.name': 'other', 'execution.savepoint.path': '/x', 'execution.runtime-mode': 'batch' }),
        { restorePath: null },
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SubmissionError);
    const message = (error as Error).message;
    expect(message).toMatch(/execution\.checkpointing\.mode must be EXACTLY_ONCE \(the default\) or AT_LEAST_ONCE, not "SOMETIMES"/);
    expect(message).toMatch(/pipeline\.name is "other" but the plan's jobName is/);
    expect(message).toMatch(/execution\.savepoint\.path is set by the submitter/);
    expect(message).toMatch(/execution\.runtime-mode must be streaming/);
  });
});
