import type { JobState } from '@matih/flink';
import type { TrackedDeployment } from '../deployments/deployment-state';
import { reconcileAction } from './reconcile-action';

const tracked = (status: TrackedDeployment['status']): TrackedDeployment => ({
  deploymentId: 'd',
  pipeline: 'p',
  version: '1',
  jobName: 'matih-p-d',
  jobId: 'j1',
  status,
  lastSavepoint: null,
});
const job = (state: JobState) => ({ id: 'j1', name: 'matih-p-d', state, startTime: 0 });

describe('reconciling a deployment with its Flink job', () => {
  it('reports a submitted job once it runs, and nothing more while it keeps running or restarts', () => {
    expect(reconcileAction(tracked('submitted'), job('RUNNING'))).toEqual({ kind: 'running', jobId: 'j1' });
    expect(reconcileAction(tracked('running'), job('RUNNING'))).toEqual({ kind: 'none' });
    expect(reconcileAction(tracked('running'), job('RESTARTING'))).toEqual({ kind: 'none' });
    expect(reconcileAction(tracked('submitted'), job('INITIALIZING'))).toEqual({ kind: 'none' });
  });

  it('reports a job that died, was cancelled behind its back, ended, or was forgotten', () => {
    expect(reconcileAction(tracked('running'), job('FAILED'))).toMatchObject({ kind: 'failed', reason: 'Flink job j1 failed' });
    expect(reconcileAction(tracked('running'), job('CANCELED'))).toMatchObject({ kind: 'failed', reason: expect.stringMatching(/cancelled outside MATIH/) });
    expect(reconcileAction(tracked('submitted'), job('FINISHED'))).toMatchObject({ kind: 'failed', reason: expect.stringMatching(/should not end/) });
    expect(reconcileAction(tracked('running'), null)).toMatchObject({ kind: 'failed', reason: expect.stringMatching(/no longer known/) });
  });

  it('leaves alone what it stopped, what failed already, and what is being stopped', () => {
    for (const status of ['stopped', 'failed', 'stopping', 'submitting'] as const) {
      expect(reconcileAction(tracked(status), job('CANCELED'))).toEqual({ kind: 'none' });
    }
  });
});
