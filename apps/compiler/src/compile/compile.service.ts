import { Inject, Injectable } from '@nestjs/common';
import { ControlPlane, type MessageContext } from '@matih/control-plane';
import type { Envelope } from '@matih/contracts';
import type { PipelineDefinition } from '@matih/pipeline-spec';
import { compileRequest, formatPlanDiagnostic, resolveSourceSchemas, type CatalogMap, type CompileResult, type SourceSchemas } from '@matih/planner';
import { COMPILER_CONFIG, type CompilerConfig } from '../config';

/**
 * Answers `compile.requested` with `plan.compiled` or `compilation.failed`. Stateless: every
 * instance joins the `matih.compiler` group and takes a share of the command partitions.
 */
@Injectable()
export class CompileService {
  private readonly catalogs: CatalogMap;

  constructor(
    private readonly controlPlane: ControlPlane,
    @Inject(COMPILER_CONFIG) config: CompilerConfig,
  ) {
    this.catalogs = config.catalogs;
    controlPlane.on('compile.requested', (envelope, ctx) => this.handle(envelope, ctx));
  }

  async compile(envelope: Envelope<'compile.requested'>): Promise<CompileResult> {
    const { definition, hash, target, deploymentId } = envelope.payload;
    let sourceSchemas: SourceSchemas = {};
    // the Flink target types avro sources from their registered value schema: look it up first
    if (target === 'flink' && typeof definition['sources'] === 'object' && definition['sources'] !== null) {
      const resolved = await resolveSourceSchemas(definition as unknown as PipelineDefinition, { env: process.env });
      if (!resolved.ok) return resolved;
      sourceSchemas = resolved.schemas;
    }
    return compileRequest({ definition, hash }, { target, deploymentId, catalogs: this.catalogs, sourceSchemas });
  }

  private async handle(envelope: Envelope<'compile.requested'>, ctx: MessageContext): Promise<void> {
    const { deploymentId, pipeline, version, hash, target } = envelope.payload;
    const logger = ctx.logger.child({ deploymentId, pipeline, version, target });
    const result = await this.compile(envelope);
    if (result.ok) {
      await this.controlPlane.publish('plan.compiled', envelope.key, { deploymentId, pipeline, version, hash, plan: result.plan }, { causedBy: envelope });
      logger.info({ engine: result.plan.engine }, 'plan compiled');
    } else {
      const diagnostics = result.diagnostics.map((d) => ({ path: d.path, message: d.hint ? `${d.message} (${d.hint})` : d.message }));
      await this.controlPlane.publish('compilation.failed', envelope.key, { deploymentId, pipeline, version, diagnostics }, { causedBy: envelope });
      logger.warn({ diagnostics: result.diagnostics.map(formatPlanDiagnostic) }, 'compilation failed');
    }
  }
}
