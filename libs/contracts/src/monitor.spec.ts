import { createEnvelope, decodeEnvelope } from './envelope';
import { TOPICS } from './topics';

describe('monitor events', () => {
  const payload = {
    deploymentId: '7d0c4b1e-2f3a-4c5d-8e9f-0a1b2c3d4e5f',
    pipeline: 'clickstream',
    version: '1.0.0',
    engine: 'microbatch' as const,
    previous: 'healthy' as const,
    state: 'stalled' as const,
    severity: 'critical' as const,
    reasons: ['no executor heartbeat for 61s (threshold 60s)'],
    metrics: { lagRecords: 12, lagSeconds: 3.5, lagByPartition: { 'web:0': 12 }, heartbeatAgeMs: 61_000, progressAgeMs: 70_000, checkpointFailures: null, jobState: null, tableFreshnessMs: 70_000 },
  };

  it('carries a health change on the monitor topic, keyed by deployment', () => {
    const sent = createEnvelope('deployment.health-changed', payload.deploymentId, payload);
    expect(decodeEnvelope(TOPICS.monitorEvents, JSON.stringify(sent))).toEqual({ ok: true, envelope: sent });
  });

  it('refuses a state that is not a health state', () => {
    expect(() => createEnvelope('deployment.health-changed', payload.deploymentId, { ...payload, state: 'running' as never })).toThrow();
  });
});
