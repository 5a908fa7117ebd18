import { Inject, Injectable } from '@nestjs/common';
import type { ExecutionPlan } from '@matih/contracts';
import { compilePlan, renderFlinkScript, resolveSourceSchemas, targetOf, type CompileTarget, type SourceSchemas } from '@matih/planner';
import { REGISTRY_CONFIG, type RegistryConfig } from '../config';
import { loadDefinition, type Diagnostic, type PipelineDefinition } from '@matih/pipeline-spec';
import { EventStore } from '../events/event-store.repository';
import { forbidden } from '../auth/auth.errors';
import { mayChange, type Principal } from '../auth/principal';
import { PipelineError, PipelineErrorCode } from './pipelines.errors';
import { PipelinesRepository, type PipelineVersionRow } from './pipelines.repository';

export interface Registration {
  readonly status: 'created' | 'unchanged';
  readonly pipeline: string;
  readonly version: string;
  readonly owner: string;
  readonly hash: string;
}

@Injectable()
export class PipelinesService {
  constructor(
    private readonly pipelines: PipelinesRepository,
    private readonly events: EventStore,
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
  ) {}

  /** What the compiler would make of a version: the plan, and for Flink the SQL script it runs. */
  async preview(row: PipelineVersionRow, target: CompileTarget = targetOf(row.definition)): Promise<{ target: CompileTarget; plan: ExecutionPlan; script: string | null }> {
    let sourceSchemas: SourceSchemas = {};
    if (target === 'flink') {
      // as the compiler does: avro sources are typed from their topic's registered value schema
      const resolved = await resolveSourceSchemas(row.definition, { env: process.env });
      if (!resolved.ok) throw new PipelineError(PipelineErrorCode.NotCompilable, `version ${row.version} of "${row.pipeline}" cannot be compiled for ${target}`, resolved.diagnostics);
      sourceSchemas = resolved.schemas;
    }
    const result = compilePlan(row.definition, { target, deploymentId: 'preview', catalogs: this.config.catalogs, sourceSchemas });
    if (!result.ok) throw new PipelineError(PipelineErrorCode.NotCompilable, `version ${row.version} of "${row.pipeline}" cannot be compiled for ${target}`, result.diagnostics);
    return { target, plan: result.plan, script: result.plan.engine === 'flink' ? renderFlinkScript(result.plan) : null };
  }

  /** Validate a definition the way registration would, without saving it. */
  validate(source: string, file = 'definition.yaml'): { ok: true; definition: PipelineDefinition; hash: string; diagnostics: Diagnostic[] } | { ok: false; diagnostics: Diagnostic[] } {
    return loadDefinition(source, { file, env: process.env });
  }

  /**
   * Register a version. Versions are immutable: the same version with the same content is a no-op,
   * with other content a conflict. Only admins and editors of the owning team may register.
   */
  async register(source: string, principal: Principal, file = 'definition.yaml'): Promise<Registration> {
    const loaded = this.validate(source, file);
    if (!loaded.ok) throw new PipelineError(PipelineErrorCode.Invalid, 'the definition is invalid', loaded.diagnostics);
    const { definition, hash } = loaded;
    const { name, version, owner } = definition.metadata;
    if (!mayChange(principal, owner)) throw forbidden(`${principal.name} may not register pipelines of team "${owner}"`);
    return this.pipelines.transaction(async (manager) => {
      const currentOwner = await this.pipelines.claim(manager, name, owner, principal.name);
      if (currentOwner !== owner) {
        throw new PipelineError(PipelineErrorCode.OwnerConflict, `pipeline "${name}" belongs to team "${currentOwner}", not "${owner}"`);
      }
      const existing = await this.pipelines.findVersion(name, version, manager);
      if (existing) {
        if (existing.hash === hash) return { status: 'unchanged', pipeline: name, version, owner, hash };
        throw new PipelineError(
          PipelineErrorCode.VersionConflict,
          `version ${version} of "${name}" is already registered with other content; versions are immutable — give this one a new metadata.version`,
        );
      }
      await this.pipelines.insertVersion(manager, { pipeline: name, version, hash, source, definition, createdBy: principal.name });
      const stream = `pipeline:${name}`;
      await this.events.appendWith(manager, stream, await this.events.streamVersion(stream, manager), [
        { type: 'pipeline.registered', payload: { version, hash }, principal: principal.name, pipeline: name, pipelineVersion: version, owner },
      ]);
      return { status: 'created', pipeline: name, version, owner, hash };
    });
  }

  async version(name: string, version?: string): Promise<PipelineVersionRow> {
    const row = version ? await this.pipelines.findVersion(name, version) : await this.pipelines.latestVersion(name);
    if (!row) throw new PipelineError(PipelineErrorCode.NotFound, version ? `pipeline "${name}" has no version ${version}` : `no pipeline named "${name}"`);
    return row;
  }

  async get(name: string) {
    const row = await this.pipelines.get(name);
    if (!row) throw new PipelineError(PipelineErrorCode.NotFound, `no pipeline named "${name}"`);
    return row;
  }

  list(options: { cursor?: string; limit: number; owner?: string }) {
    return this.pipelines.list(options);
  }
}
