import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { Injectable } from '@nestjs/common';
import { createEnvelope, type Envelope, type EnvelopeRef } from '@matih/contracts';
import { currentTraceparent } from '@matih/telemetry';
import type { EntityManager } from 'typeorm';
import { forbidden } from '../auth/auth.errors';
import { mayChange, type Principal } from '../auth/principal';
import { ConcurrencyConflict } from '../events/events.errors';
import { EventStore, type NewEvent } from '../events/event-store.repository';
import { PipelinesRepository } from '../pipelines/pipelines.repository';
import { PipelinesService } from '../pipelines/pipelines.service';
import { apply, decide, refusal, replay, type Deployment, type DeploymentEvent, type Effect, type Engine } from './deployment';
import { DeploymentError, DeploymentErrorCode } from './deployments.errors';
import { DeploymentsRepository } from './deployments.repository';

export type PersonRequest = 'stop' | 'pause' | 'resume' | 'upgrade' | 'rollback';

interface Cause {
  readonly principal: string;
  readonly reason: string | null;
  /** the control message this transition answers, applied at most once */
  readonly message?: Pick<Envelope, 'id' | 'correlationId'>;
}

const streamOf = (id: string) => `deployment:${id}`;

/**
 * Deployments: what a person asks for (deploy, stop, pause, resume, upgrade, rollback) and what the
 * engines report, each turned into events, the projection, and the next commands — in one transaction.
 */
@Injectable()
export class DeploymentsService {
  constructor(
    private readonly deployments: DeploymentsRepository,
    private readonly pipelines: PipelinesRepository,
    private readonly pipelineService: PipelinesService,
    private readonly events: EventStore,
  ) {}

  async deploy(pipeline: string, version: string | undefined, principal: Principal, reason: string | null): Promise<Deployment> {
    const target = await this.pipelineService.version(pipeline, version);
    const owner = target.definition.metadata.owner;
    if (!mayChange(principal, owner)) throw forbidden(`${principal.name} may not deploy pipelines of team "${owner}"`);
    const engine: Engine = target.definition.orchestration.engine === 'flink' ? 'flink' : 'microbatch';
    const id = randomUUID();
    return this.transition(
      id,
      () => [{ type: 'deployment.requested', payload: { deploymentId: id, pipeline, owner, engine, version: target.version, hash: target.hash } }],
      { principal: principal.name, reason },
    );
  }

  async request(
    id: string,
    what: PersonRequest,
    principal: Principal,
    reason: string | null,
    options: { mode?: 'savepoint' | 'cancel'; version?: string } = {},
  ): Promise<Deployment> {
    const current = await this.get(id);
    if (!mayChange(principal, current.owner)) throw forbidden(`${principal.name} may not change deployments of team "${current.owner}"`);
    let event: DeploymentEvent;
    switch (what) {
      case 'stop':
        event = { type: 'stop.requested', payload: { mode: options.mode ?? 'savepoint' } };
        break;
      case 'pause':
        event = { type: 'pause.requested', payload: {} };
        break;
      case 'resume':
        event = { type: 'resume.requested', payload: {} };
        break;
      case 'upgrade': {
        const target = await this.pipelineService.version(current.pipeline, options.version);
        if (target.version === current.version) throw new DeploymentError(DeploymentErrorCode.InvalidState, `it already runs version ${target.version}`);
        event = { type: 'upgrade.requested', payload: { from: current.version, to: { version: target.version, hash: target.hash } } };
        break;
      }
      case 'rollback':
        if (!current.previousVersion) throw new DeploymentError(DeploymentErrorCode.InvalidState, 'cannot roll back: it has no previous version to roll back to');
        event = { type: 'rollback.requested', payload: { from: current.version, to: current.previousVersion } };
        break;
    }
    return this.transition(
      id,
      (d) => {
        const why = d ? refusal(d, event.type) : 'it does not exist';
        if (why) throw new DeploymentError(DeploymentErrorCode.InvalidState, `cannot ${what} deployment ${id}: ${why}`);
        return [event];
      },
      { principal: principal.name, reason },
      current.streamVersion,
    );
  }

  /** Apply what an engine reported, once per message, retrying when the deployment changed meanwhile. */
  async report(deploymentId: string, event: DeploymentEvent, service: string, message: Pick<Envelope, 'id' | 'correlationId'>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.transition(deploymentId, (d) => (d ? [event] : []), { principal: `service:${service}`, reason: null, message });
        return;
      } catch (error) {
        if (!(error instanceof ConcurrencyConflict) || attempt >= 10) throw error;
      }
    }
  }

  /**
   * Record in a deployment's history an event that is not part of its lifecycle (the monitor's health
   * changes): appended to its stream once per message, without changing its state. Ignored for a
   * deployment the registry does not know.
   */
  async record(
    deploymentId: string,
    event: { type: string; payload: Record<string, unknown>; reason: string | null },
    service: string,
    message: Pick<Envelope, 'id' | 'correlationId'>,
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.deployments.transaction(async (manager) => {
          const current = await this.deployments.find(deploymentId, manager);
          if (!current || !(await this.deployments.markProcessed(manager, message.id))) return;
          const [stored] = await this.events.appendWith(manager, streamOf(deploymentId), current.streamVersion, [
            {
              type: event.type,
              payload: event.payload,
              principal: `service:${service}`,
              reason: event.reason,
              pipeline: current.pipeline,
              pipelineVersion: typeof event.payload.version === 'string' ? event.payload.version : current.version,
              owner: current.owner,
              correlationId: message.correlationId,
              causationId: message.id,
            },
          ]);
          await this.deployments.save(manager, { ...current, streamVersion: stored?.streamVersion ?? current.streamVersion + 1 }, false);
        });
        return;
      } catch (error) {
        if (!(error instanceof ConcurrencyConflict) || attempt >= 10) throw error;
      }
    }
  }

  async get(id: string): Promise<Deployment> {
    const deployment = await this.deployments.find(id);
    if (!deployment) throw new DeploymentError(DeploymentErrorCode.NotFound, `no deployment ${id}`);
    return deployment;
  }

  list(options: { pipeline?: string; owner?: string; state?: string; cursor?: string; limit: number }) {
    return this.deployments.list(options);
  }

  /** The deployment folded again from its events alone (what the projection must equal). */
  async rebuild(id: string): Promise<Deployment | null> {
    const stored = await this.events.readStream(streamOf(id));
    return replay(stored.map((e) => ({ event: { type: e.type, payload: e.payload } as DeploymentEvent, at: e.occurredAt, streamVersion: e.streamVersion })));
  }

  /** Fold every deployment again from its events and list those whose projection differs. */
  async verifyProjections(): Promise<{ checked: number; mismatches: { id: string; live: Deployment | null; rebuilt: Deployment | null }[] }> {
    const ids = await this.deployments.allIds();
    const mismatches = [];
    for (const id of ids) {
      const [live, rebuilt] = await Promise.all([this.deployments.find(id), this.rebuild(id)]);
      if (!sameDeployment(live, rebuilt)) mismatches.push({ id, live, rebuilt });
    }
    return { checked: ids.length, mismatches };
  }

  private async transition(
    id: string,
    make: (current: Deployment | null) => DeploymentEvent[],
    cause: Cause,
    expectedVersion?: number,
  ): Promise<Deployment> {
    try {
      return await this.deployments.transaction(async (manager) => {
        const current = await this.deployments.find(id, manager);
        if (cause.message && !(await this.deployments.markProcessed(manager, cause.message.id))) return current as Deployment;
        if (expectedVersion !== undefined && current && current.streamVersion !== expectedVersion) {
          throw new ConcurrencyConflict(streamOf(id), expectedVersion);
        }
        const toAppend = make(current);
        if (toAppend.length === 0) return current as Deployment;
        const now = new Date().toISOString();
        let state = current;
        const effects: Effect[] = [];
        for (const event of toAppend) {
          const after = apply(state, event, now, (state?.streamVersion ?? 0) + 1);
          effects.push(...decide(state, event, after));
          state = after;
        }
        const final = state as Deployment;
        const causedBy: EnvelopeRef | undefined = cause.message ? { ...cause.message, type: '', key: id } : undefined;
        const commands = await Promise.all(effects.map((effect) => this.command(manager, final, effect, causedBy)));
        if (final.state !== current?.state) commands.push(this.changed(final, current, cause.reason, causedBy));
        const stored: NewEvent[] = toAppend.map((event) => ({
          type: event.type,
          payload: event.payload as Record<string, unknown>,
          principal: cause.principal,
          reason: cause.reason,
          pipeline: final.pipeline,
          pipelineVersion: event.type === 'plan.compiled' ? event.payload.version : final.version,
          owner: final.owner,
          correlationId: cause.message?.correlationId ?? null,
          causationId: cause.message?.id ?? null,
          occurredAt: now,
        }));
        await this.events.appendWith(manager, streamOf(id), current?.streamVersion ?? 0, stored, commands);
        await this.deployments.save(manager, final, current === null);
        return final;
      });
    } catch (error) {
      if (error instanceof ConcurrencyConflict && !cause.message) {
        throw new DeploymentError(DeploymentErrorCode.Conflict, `deployment ${id} changed while this request was handled; reload it and try again`);
      }
      throw error;
    }
  }

  private async command(manager: EntityManager, d: Deployment, effect: Effect, causedBy: EnvelopeRef | undefined): Promise<Envelope> {
    const ref = { deploymentId: d.id, pipeline: d.pipeline };
    // the trace of the request or message that caused it travels on through the outbox
    const options = { ...(causedBy ? { causedBy } : {}), traceparent: currentTraceparent() };
    switch (effect.kind) {
      case 'compile': {
        const version = await this.pipelines.findVersion(d.pipeline, effect.version.version, manager);
        if (!version) throw new DeploymentError(DeploymentErrorCode.NotFound, `pipeline "${d.pipeline}" has no version ${effect.version.version}`);
        return createEnvelope(
          'compile.requested',
          d.id,
          { ...ref, version: version.version, hash: version.hash, target: d.engine, definition: version.definition as unknown as Record<string, unknown> },
          options,
        );
      }
      case 'submit':
        if (d.plan?.engine === 'flink') {
          return createEnvelope('flink.job.submit', d.id, { ...ref, version: d.version, plan: d.plan, restoreFrom: effect.restoreFrom }, options);
        }
        if (d.plan?.engine === 'microbatch') return createEnvelope('microbatch.assign', d.id, { ...ref, version: d.version, plan: d.plan }, options);
        throw new DeploymentError(DeploymentErrorCode.InvalidState, `deployment ${d.id} has no compiled plan to run`);
      case 'stop':
        return d.engine === 'flink'
          ? createEnvelope('flink.job.stop', d.id, { ...ref, version: d.version, mode: effect.mode }, options)
          : createEnvelope('microbatch.release', d.id, { ...ref, version: d.version, reason: `deployment ${d.state}` }, options);
    }
  }

  private changed(d: Deployment, before: Deployment | null, reason: string | null, causedBy: EnvelopeRef | undefined): Envelope {
    return createEnvelope(
      'deployment.changed',
      d.id,
      {
        deploymentId: d.id,
        pipeline: d.pipeline,
        version: d.version,
        owner: d.owner,
        engine: d.engine,
        state: d.state,
        previousState: before?.state ?? null,
        reason: reason ?? d.lastError,
      },
      { ...(causedBy ? { causedBy } : {}), traceparent: currentTraceparent() },
    );
  }
}

function sameDeployment(a: Deployment | null, b: Deployment | null): boolean {
  return isDeepStrictEqual(a, b);
}
