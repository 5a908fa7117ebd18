import type { Diagnostic } from '@matih/pipeline-spec';

/** Error codes of the pipelines feature; the HTTP filter maps them to problem+json. */
export enum PipelineErrorCode {
  Invalid = 'PIPELINE_INVALID',
  VersionConflict = 'PIPELINE_VERSION_CONFLICT',
  OwnerConflict = 'PIPELINE_OWNER_CONFLICT',
  NotFound = 'PIPELINE_NOT_FOUND',
}

export class PipelineError extends Error {
  constructor(
    readonly code: PipelineErrorCode,
    message: string,
    readonly diagnostics: readonly Diagnostic[] = [],
  ) {
    super(message);
    this.name = 'PipelineError';
  }
}
