import { Injectable } from '@nestjs/common';
import { ControlPlane } from '@matih/control-plane';
import type { PayloadOf } from '@matih/contracts';
import { MonitorMetrics } from '../metrics/monitor.metrics';
import { watchedPlan, type WatchedPlan } from './plan-sources';

type LifecycleState = PayloadOf<'deployment.changed'>['state'];

/** What the control plane told the monitor about one deployment. */
export interface TrackedDeployment {
  readonly id: string;
  pipeline: string;
  version: string;
  owner: string | null;
  engine: 'flink' | 'microbatch';
  state: LifecycleState | null;
  /** when it was last seen becoming running (ms epoch) */
  runningSince: number | null;
  plan: WatchedPlan | null;
  jobId: string | null;
  /** the engine's last failure report while it ran */
  engineFailure: string | null;
  /** instance → last heartbeat (ms epoch) */
  readonly heartbeats: Map<string, number>;
  lastBatch: { at: number; durationMs: number; records: number; deadLetters: number; snapshotId: string | null } | null;
  batches: number;
}

/**
 * Learns deployments from the control plane: `deployment.changed` (the registry), `plan.compiled`
 * (what they read and write), the Flink submitter's `job.*` and the executors' `executor.*`,
 * `batch.committed` and heartbeats. Kept in memory; the poller measures the running ones.
 */
@Injectable()
export class DeploymentTracker {
  private readonly deployments = new Map<string, TrackedDeployment>();

  constructor(
    controlPlane: ControlPlane,
    private readonly metrics: MonitorMetrics,
  ) {
    controlPlane.on('deployment.changed', async ({ payload: p }) => {
      const d = this.entry(p.deploymentId, p.pipeline, p.version, p.engine);
      d.owner = p.owner;
      d.version = p.version;
      if (p.state === 'running' && d.state !== 'running') {
        d.runningSince = Date.now();
        d.engineFailure = null;
        d.heartbeats.clear();
      }
      if (p.state !== 'running') d.runningSince = null;
      if (p.state === 'failed' && p.reason && !d.engineFailure) d.engineFailure = p.reason;
      d.state = p.state;
    });
    controlPlane.on('plan.compiled', async ({ payload: p }) => {
      const d = this.entry(p.deploymentId, p.pipeline, p.version, p.plan.engine);
      d.plan = watchedPlan(p.plan);
      d.version = p.version;
    });
    controlPlane.on('job.submitted', async ({ payload: p }) => void (this.entry(p.deploymentId, p.pipeline, p.version, 'flink').jobId = p.jobId));
    controlPlane.on('job.running', async ({ payload: p }) => {
      const d = this.entry(p.deploymentId, p.pipeline, p.version, 'flink');
      d.jobId = p.jobId;
      d.engineFailure = null;
    });
    controlPlane.on('job.failed', async ({ payload: p }) => void (this.entry(p.deploymentId, p.pipeline, p.version, 'flink').engineFailure = p.reason));
    controlPlane.on('executor.started', async ({ payload: p }) => {
      const d = this.entry(p.deploymentId, p.pipeline, p.version, 'microbatch');
      d.heartbeats.set(p.instanceId, Date.now());
      d.engineFailure = null;
    });
    controlPlane.on('executor.heartbeat', async ({ payload: p }) => {
      this.entry(p.deploymentId, p.pipeline, p.version, 'microbatch').heartbeats.set(p.instanceId, Date.now());
    });
    controlPlane.on('batch.committed', async ({ payload: p }) => {
      const d = this.entry(p.deploymentId, p.pipeline, p.version, 'microbatch');
      const at = Date.now();
      d.heartbeats.set(p.instanceId, at);
      d.lastBatch = { at, durationMs: p.durationMs, records: p.records, deadLetters: p.deadLetters, snapshotId: p.snapshotId };
      d.batches += 1;
      this.metrics.batchCommitted(d, p.records, p.deadLetters, p.durationMs);
    });
    controlPlane.on('executor.failed', async ({ payload: p }) => void (this.entry(p.deploymentId, p.pipeline, p.version, 'microbatch').engineFailure = p.reason));
    controlPlane.on('executor.stopped', async ({ payload: p }) => void this.entry(p.deploymentId, p.pipeline, p.version, 'microbatch').heartbeats.delete(p.instanceId));
  }

  get(id: string): TrackedDeployment | undefined {
    return this.deployments.get(id);
  }

  all(): TrackedDeployment[] {
    return [...this.deployments.values()];
  }

  /** Deployments that run now and whose plan is known: the ones to measure. */
  running(): TrackedDeployment[] {
    return this.all().filter((d) => d.state === 'running' && d.plan !== null);
  }

  private entry(id: string, pipeline: string, version: string, engine: 'flink' | 'microbatch'): TrackedDeployment {
    let d = this.deployments.get(id);
    if (!d) {
      d = { id, pipeline, version, owner: null, engine, state: null, runningSince: null, plan: null, jobId: null, engineFailure: null, heartbeats: new Map(), lastBatch: null, batches: 0 };
      this.deployments.set(id, d);
    }
    return d;
  }
}
