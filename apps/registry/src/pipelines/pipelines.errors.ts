import type { Diagnostic } from '@matih/pipeline-spec';
import type { PlanDiagnostic } from '@matih/planner';

/** Error codes of the pipelines feature; the HTTP filter maps them to problem+json. */
export enum PipelineErrorCode {
  Invalid = 'PIPELINE_INVALID',
  VersionConflict = 'PIPELINE_VERSION_CONFLICT',
  OwnerConflict = 'PIPELINE_OWNER_CONFLICT',
  NotFound = 'PIPELINE_NOT_FOUND',
  /** valid, but it cannot be compiled for the asked engine (a construct the engine cannot run) */
  NotCompilable = 'PIPELINE_NOT_COMPILABLE',
}

export class PipelineError extends Error {
  constructor(
    readonly code: PipelineErrorCode,
    message: string,
    readonly diagnostics: readonly (Diagnostic | PlanDiagnostic)[] = [],
  ) {
    super(message);
    this.name = 'PipelineError';
  }
}
