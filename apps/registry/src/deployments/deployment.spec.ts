import type { ExecutionPlan } from '@matih/contracts';
import { apply, decide, refusal, replay, type Deployment, type DeploymentEvent } from './deployment';

const plan = { engine: 'flink', jobName: 'matih:d1' } as unknown as ExecutionPlan;
const v1 = { version: '1.0.0', hash: 'a'.repeat(64) };
const v2 = { version: '1.1.0', hash: 'b'.repeat(64) };

/** Run events through apply + decide, returning the final state and every effect in order. */
function run(events: DeploymentEvent[], start: Deployment | null = null) {
  let state = start;
  const effects: unknown[] = [];
  events.forEach((event, i) => {
    const after = apply(state, event, `2026-01-01T00:00:0${i}Z`, (state?.streamVersion ?? 0) + 1);
    effects.push(...decide(state, event, after));
    state = after;
  });
  return { state: state!, effects };
}

const requested: DeploymentEvent = {
  type: 'deployment.requested',
  payload: { deploymentId: 'd1', pipeline: 'clicks', owner: 'analytics', engine: 'flink', ...v1 },
};
const runningFlink: DeploymentEvent[] = [
  requested,
  { type: 'plan.compiled', payload: { ...v1, plan } },
  { type: 'job.submitted', payload: { jobId: 'j1', jobName: 'matih:d1' } },
  { type: 'job.running', payload: { jobId: 'j1' } },
];

describe('deployment lifecycle', () => {
  it('deploy: compile, then submit, then running', () => {
    const { state, effects } = run(runningFlink);
    expect(effects).toEqual([{ kind: 'compile', version: v1 }, { kind: 'submit', restoreFrom: null }]);
    expect(state).toMatchObject({ state: 'running', version: '1.0.0', jobId: 'j1', streamVersion: 4 });
  });

  it('stop with a savepoint ends stopped and remembers the savepoint', () => {
    const { state, effects } = run([...runningFlink, { type: 'stop.requested', payload: { mode: 'savepoint' } }, { type: 'job.stopped', payload: { savepointPath: 'file:/sp/1' } }]);
    expect(effects.slice(2)).toEqual([{ kind: 'stop', mode: 'savepoint' }]);
    expect(state).toMatchObject({ state: 'stopped', savepointPath: 'file:/sp/1', jobId: null });
  });

  it('pause and resume continue from the savepoint', () => {
    const { state, effects } = run([
      ...runningFlink,
      { type: 'pause.requested', payload: {} },
      { type: 'job.stopped', payload: { savepointPath: 'file:/sp/2' } },
      { type: 'resume.requested', payload: {} },
    ]);
    expect(effects.slice(2)).toEqual([{ kind: 'stop', mode: 'savepoint' }, { kind: 'submit', restoreFrom: 'file:/sp/2' }]);
    expect(state.state).toBe('submitting');
  });

  it('upgrade of a running job: savepoint, compile the new version, submit from the savepoint; rollback returns', () => {
    const upgraded = run([
      ...runningFlink,
      { type: 'upgrade.requested', payload: { from: '1.0.0', to: v2 } },
      { type: 'job.stopped', payload: { savepointPath: 'file:/sp/3' } },
      { type: 'plan.compiled', payload: { ...v2, plan } },
      { type: 'job.running', payload: { jobId: 'j2' } },
    ]);
    expect(upgraded.effects.slice(2)).toEqual([
      { kind: 'stop', mode: 'savepoint' },
      { kind: 'compile', version: v2 },
      { kind: 'submit', restoreFrom: 'file:/sp/3' },
    ]);
    expect(upgraded.state).toMatchObject({ state: 'running', version: '1.1.0', previousVersion: v1, pendingVersion: null });
    expect(refusal(upgraded.state, 'rollback.requested')).toBeNull();
    const rolledBack = run([{ type: 'rollback.requested', payload: { from: '1.1.0', to: v1 } }], upgraded.state);
    expect(rolledBack.effects).toEqual([{ kind: 'stop', mode: 'savepoint' }]);
    expect(rolledBack.state.pendingVersion).toEqual(v1);
  });

  it('a failed compilation or job fails the deployment with the reason', () => {
    const { state } = run([requested, { type: 'compilation.failed', payload: { version: '1.0.0', diagnostics: [{ message: 'bad SQL', path: 'transformations[0].sql' }] } }]);
    expect(state).toMatchObject({ state: 'failed', lastError: 'bad SQL' });
    expect(run([...runningFlink, { type: 'job.failed', payload: { reason: 'OOM' } }]).state).toMatchObject({ state: 'failed', lastError: 'OOM' });
  });

  it('refuses what makes no sense in the current state', () => {
    const running = run(runningFlink).state;
    expect(refusal(running, 'resume.requested')).toMatch(/only a paused deployment/);
    expect(refusal(running, 'rollback.requested')).toMatch(/no previous version/);
    expect(refusal(run([requested]).state, 'pause.requested')).toMatch(/it is compiling/);
    expect(() => apply(null, { type: 'job.running', payload: { jobId: 'x' } }, 't', 1)).toThrow(/before the deployment was requested/);
  });

  it('replaying the stream gives the same state as applying it live', () => {
    const live = run(runningFlink).state;
    const replayed = replay(runningFlink.map((event, i) => ({ event, at: `2026-01-01T00:00:0${i}Z`, streamVersion: i + 1 })));
    expect(replayed).toEqual(live);
  });

  it('replaying skips events it does not fold (the monitor\'s health changes), advancing only the stream version', () => {
    const health = { type: 'deployment.health-changed', payload: { state: 'lagging' } } as unknown as DeploymentEvent;
    const events = [...runningFlink.slice(0, 2), health, ...runningFlink.slice(2)];
    const replayed = replay(events.map((event, i) => ({ event, at: `2026-01-01T00:00:0${i}Z`, streamVersion: i + 1 })));
    const live = run(runningFlink).state;
    expect(replayed).toMatchObject({ state: live.state, jobId: live.jobId, streamVersion: events.length });
  });
});

describe('engines reporting more than once', () => {
  it('a second executor.stopped during an upgrade compiles only once, and a late start does not skip ahead', () => {
    const base = run([
      { ...requested, payload: { ...requested.payload, engine: 'microbatch' } } as DeploymentEvent,
      { type: 'plan.compiled', payload: { ...v1, plan } },
      { type: 'executor.started', payload: { instanceId: 'a' } },
      { type: 'executor.started', payload: { instanceId: 'b' } },
    ]);
    const { state, effects } = run(
      [
        { type: 'upgrade.requested', payload: { from: '1.0.0', to: v2 } },
        { type: 'executor.stopped', payload: { instanceId: 'a' } },
        { type: 'executor.stopped', payload: { instanceId: 'b' } },
        { type: 'executor.started', payload: { instanceId: 'a' } },
      ],
      base.state,
    );
    expect(effects).toEqual([{ kind: 'stop', mode: 'savepoint' }, { kind: 'compile', version: v2 }]);
    expect(state.state).toBe('compiling');
  });
});
