import { createEnvelope, type Envelope } from '@matih/contracts';
import { randomUUID } from 'node:crypto';
import { clickstreamPlan } from '@matih/executor/testing';
import { foldAssignments } from './assignments';

const plan = clickstreamPlan({ topic: 'clicks', table: 'clicks' });
const assign = (deploymentId: string, version = '1.0.0'): Envelope =>
  createEnvelope('microbatch.assign', deploymentId, { deploymentId, pipeline: 'clicks', version, plan });
const release = (deploymentId: string): Envelope =>
  createEnvelope('microbatch.release', deploymentId, { deploymentId, pipeline: 'clicks', version: '1.0.0', reason: 'stop requested' });

describe('foldAssignments', () => {
  const [a, b] = [randomUUID(), randomUUID()];

  it('keeps what was assigned and not released since', () => {
    const assigned = foldAssignments([assign(a), assign(b), release(a)]);
    expect([...assigned.keys()]).toEqual([b]);
  });

  it('takes a deployment assigned again after its release, with its latest plan', () => {
    const assigned = foldAssignments([assign(a, '1.0.0'), release(a), assign(a, '1.1.0')]);
    expect(assigned.get(a)?.version).toBe('1.1.0');
  });

  it('ignores a release of something never assigned and other messages', () => {
    const other = createEnvelope('service.ping', 'x', { target: '*', from: 'monitor' });
    expect(foldAssignments([release(a), other]).size).toBe(0);
  });
});
