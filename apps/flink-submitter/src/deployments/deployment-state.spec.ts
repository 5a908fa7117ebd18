import { createEnvelope } from '@matih/contracts';
import { deploymentIdOf, foldEvents } from './deployment-state';

const ref = { deploymentId: '0b7e2c1e-4f0a-4c5e-9d7a-2f4b8e6c1a3d', pipeline: 'clickstream', version: '1.0.0' };
const jobName = `matih-clickstream-${ref.deploymentId}`;

describe('the state the submitter rebuilds from its events', () => {
  it('follows a deployment through submit, run, stop with savepoint and a restart from it', () => {
    const state = foldEvents([
      createEnvelope('job.submitted', ref.deploymentId, { ...ref, jobId: 'a1', jobName }),
      createEnvelope('job.running', ref.deploymentId, { ...ref, jobId: 'a1' }),
      createEnvelope('job.stopped', ref.deploymentId, { ...ref, jobId: 'a1', savepointPath: 'file:/sp/savepoint-1' }),
      createEnvelope('job.submitted', ref.deploymentId, { ...ref, version: '1.1.0', jobId: 'b2', jobName }),
    ]);
    expect(state.get(ref.deploymentId)).toEqual({ ...ref, version: '1.1.0', jobId: 'b2', jobName, status: 'submitted', lastSavepoint: 'file:/sp/savepoint-1' });
  });

  it('keeps the last savepoint through a cancel, and ignores late events of an older job', () => {
    const state = foldEvents([
      createEnvelope('job.submitted', ref.deploymentId, { ...ref, jobId: 'a1', jobName }),
      createEnvelope('job.stopped', ref.deploymentId, { ...ref, jobId: 'a1', savepointPath: 'file:/sp/1' }),
      createEnvelope('job.submitted', ref.deploymentId, { ...ref, jobId: 'b2', jobName }),
      createEnvelope('job.running', ref.deploymentId, { ...ref, jobId: 'a1' }),
      createEnvelope('job.failed', ref.deploymentId, { ...ref, jobId: 'a1', reason: 'old' }),
      createEnvelope('job.stopped', ref.deploymentId, { ...ref, jobId: 'b2', savepointPath: null }),
    ]);
    expect(state.get(ref.deploymentId)).toMatchObject({ jobId: 'b2', status: 'stopped', lastSavepoint: 'file:/sp/1' });
  });

  it('finds the deployment id in a job name', () => {
    expect(deploymentIdOf(jobName)).toBe(ref.deploymentId);
    expect(deploymentIdOf('insert-into_default_catalog.default_database.sink')).toBeNull();
  });
});
