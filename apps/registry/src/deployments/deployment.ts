import type { ExecutionPlan } from '@matih/contracts';

/**
 * A deployment as a fold of its events, and what the platform must do next after each event. Pure
 * logic: the service stores the events, the projection and the resulting commands in one transaction.
 */

export type Engine = 'flink' | 'microbatch';
export type DeploymentState = 'compiling' | 'submitting' | 'running' | 'stopping' | 'stopped' | 'paused' | 'failed';
/** what the person last asked for: it decides where a stop leads */
type Intent = 'run' | 'stop' | 'pause' | 'upgrade';

export interface VersionRef {
  readonly version: string;
  readonly hash: string;
}

export interface Deployment {
  readonly id: string;
  readonly pipeline: string;
  readonly owner: string;
  readonly engine: Engine;
  /** the version running (or being brought up) */
  readonly version: string;
  readonly hash: string;
  /** the version before the last upgrade: what a rollback returns to */
  readonly previousVersion: VersionRef | null;
  /** the version an upgrade or rollback is moving to */
  readonly pendingVersion: VersionRef | null;
  readonly state: DeploymentState;
  readonly intent: Intent;
  readonly plan: ExecutionPlan | null;
  readonly jobId: string | null;
  readonly savepointPath: string | null;
  readonly lastError: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly streamVersion: number;
}

export type DeploymentEvent =
  | { type: 'deployment.requested'; payload: { deploymentId: string; pipeline: string; owner: string; engine: Engine } & VersionRef }
  | { type: 'plan.compiled'; payload: VersionRef & { plan: ExecutionPlan } }
  | { type: 'compilation.failed'; payload: { version: string; diagnostics: { message: string; path: string | null }[] } }
  | { type: 'job.submitted'; payload: { jobId: string; jobName: string } }
  | { type: 'job.running'; payload: { jobId: string } }
  | { type: 'executor.started'; payload: { instanceId: string } }
  | { type: 'job.failed' | 'executor.failed'; payload: { reason: string } }
  | { type: 'stop.requested'; payload: { mode: 'savepoint' | 'cancel' } }
  | { type: 'pause.requested'; payload: Record<string, never> }
  | { type: 'job.stopped'; payload: { savepointPath: string | null } }
  | { type: 'executor.stopped'; payload: { instanceId: string } }
  | { type: 'resume.requested'; payload: Record<string, never> }
  | { type: 'upgrade.requested' | 'rollback.requested'; payload: { from: string; to: VersionRef } };

export type DeploymentEventType = DeploymentEvent['type'];

/** What the platform does next: the registry turns these into control commands. */
export type Effect =
  | { kind: 'compile'; version: VersionRef }
  | { kind: 'submit'; restoreFrom: string | null }
  | { kind: 'stop'; mode: 'savepoint' | 'cancel' };

export class DeploymentRuleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeploymentRuleError';
  }
}

export const isActive = (state: DeploymentState): boolean => state !== 'stopped' && state !== 'failed';

/** Whether a person may ask for `type` now; a reason when not. */
export function refusal(deployment: Deployment, type: DeploymentEventType): string | null {
  const { state } = deployment;
  switch (type) {
    case 'stop.requested':
      return ['running', 'submitting', 'compiling', 'paused'].includes(state) ? null : `it is ${state}`;
    case 'pause.requested':
      return state === 'running' ? null : `only a running deployment can be paused; it is ${state}`;
    case 'resume.requested':
      return state === 'paused' ? null : `only a paused deployment can be resumed; it is ${state}`;
    case 'upgrade.requested':
      return ['running', 'paused', 'stopped', 'failed'].includes(state) ? null : `wait until it is running or stopped; it is ${state}`;
    case 'rollback.requested':
      if (!deployment.previousVersion) return 'it has no previous version to roll back to';
      return ['running', 'paused', 'stopped', 'failed'].includes(state) ? null : `wait until it is running or stopped; it is ${state}`;
    default:
      return null;
  }
}

/** The state after one event. */
export function apply(before: Deployment | null, event: DeploymentEvent, at: string, streamVersion: number): Deployment {
  if (event.type === 'deployment.requested') {
    if (before) throw new DeploymentRuleError(`deployment ${before.id} was already requested`);
    const p = event.payload;
    return {
      id: p.deploymentId,
      pipeline: p.pipeline,
      owner: p.owner,
      engine: p.engine,
      version: p.version,
      hash: p.hash,
      previousVersion: null,
      pendingVersion: null,
      state: 'compiling',
      intent: 'run',
      plan: null,
      jobId: null,
      savepointPath: null,
      lastError: null,
      createdAt: at,
      updatedAt: at,
      streamVersion,
    };
  }
  if (!before) throw new DeploymentRuleError(`"${event.type}" before the deployment was requested`);
  const d: Deployment = { ...before, updatedAt: at, streamVersion };
  switch (event.type) {
    case 'plan.compiled':
      return { ...d, state: 'submitting', plan: event.payload.plan, version: event.payload.version, hash: event.payload.hash, pendingVersion: null, lastError: null };
    case 'compilation.failed':
      return { ...d, state: 'failed', lastError: event.payload.diagnostics.map((x) => x.message).join('; ') };
    case 'job.submitted':
      return { ...d, jobId: event.payload.jobId };
    // engines report for every instance and may report late: only a deployment being brought up becomes running
    case 'job.running':
      return { ...d, state: d.state === 'submitting' ? 'running' : d.state, jobId: event.payload.jobId };
    case 'executor.started':
      return { ...d, state: d.state === 'submitting' ? 'running' : d.state };
    case 'job.failed':
    case 'executor.failed':
      return { ...d, state: 'failed', lastError: event.payload.reason };
    case 'stop.requested':
      return { ...d, state: d.state === 'paused' ? 'stopped' : 'stopping', intent: 'stop' };
    case 'pause.requested':
      return { ...d, state: 'stopping', intent: 'pause' };
    case 'job.stopped':
    case 'executor.stopped': {
      const savepointPath = event.type === 'job.stopped' ? event.payload.savepointPath ?? d.savepointPath : d.savepointPath;
      if (d.state !== 'stopping') return { ...d, savepointPath };
      const next: DeploymentState = d.intent === 'pause' ? 'paused' : d.intent === 'upgrade' ? 'compiling' : 'stopped';
      return { ...d, state: next, savepointPath, jobId: next === 'compiling' ? d.jobId : null };
    }
    case 'resume.requested':
      return { ...d, state: 'submitting', intent: 'run' };
    case 'upgrade.requested':
    case 'rollback.requested': {
      const stopFirst = d.state === 'running';
      return {
        ...d,
        state: stopFirst ? 'stopping' : 'compiling',
        intent: stopFirst ? 'upgrade' : 'run',
        pendingVersion: event.payload.to,
        previousVersion: { version: d.version, hash: d.hash },
        lastError: null,
      };
    }
  }
}

/** What must happen after `event` took `before` to `after`. */
export function decide(before: Deployment | null, event: DeploymentEvent, after: Deployment): Effect[] {
  switch (event.type) {
    case 'deployment.requested':
      return [{ kind: 'compile', version: { version: after.version, hash: after.hash } }];
    case 'plan.compiled':
      // an upgrade or a resume continues from where the stopped job left off
      return [{ kind: 'submit', restoreFrom: after.engine === 'flink' ? after.savepointPath : null }];
    case 'stop.requested':
      return before?.state === 'paused' ? [] : [{ kind: 'stop', mode: event.payload.mode }];
    case 'pause.requested':
      return [{ kind: 'stop', mode: 'savepoint' }];
    case 'resume.requested':
      return [{ kind: 'submit', restoreFrom: after.engine === 'flink' ? after.savepointPath : null }];
    case 'job.stopped':
    case 'executor.stopped':
      return before?.state === 'stopping' && before.intent === 'upgrade' && after.pendingVersion ? [{ kind: 'compile', version: after.pendingVersion }] : [];
    case 'upgrade.requested':
    case 'rollback.requested':
      return after.state === 'stopping' ? [{ kind: 'stop', mode: 'savepoint' }] : [{ kind: 'compile', version: event.payload.to }];
    default:
      return [];
  }
}

/** The event types that change a deployment; its stream also records others (health) that it does not fold. */
const LIFECYCLE_EVENTS: ReadonlySet<string> = new Set<DeploymentEventType>([
  'deployment.requested',
  'plan.compiled',
  'compilation.failed',
  'job.submitted',
  'job.running',
  'executor.started',
  'job.failed',
  'executor.failed',
  'stop.requested',
  'pause.requested',
  'job.stopped',
  'executor.stopped',
  'resume.requested',
  'upgrade.requested',
  'rollback.requested',
]);

export const isLifecycleEvent = (type: string): boolean => LIFECYCLE_EVENTS.has(type);

/** Fold a stream from its first event; events that are not lifecycle events only advance its version. */
export function replay(events: readonly { event: DeploymentEvent; at: string; streamVersion: number }[]): Deployment | null {
  return events.reduce<Deployment | null>((state, { event, at, streamVersion }) => {
    if (isLifecycleEvent(event.type)) return apply(state, event, at, streamVersion);
    return state === null ? null : { ...state, streamVersion };
  }, null);
}
