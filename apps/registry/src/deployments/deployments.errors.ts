export enum DeploymentErrorCode {
  NotFound = 'DEPLOYMENT_NOT_FOUND',
  /** the pipeline already has a live deployment, or someone changed this one at the same time */
  Conflict = 'DEPLOYMENT_CONFLICT',
  /** what was asked makes no sense in the deployment's current state */
  InvalidState = 'DEPLOYMENT_INVALID_STATE',
}

export class DeploymentError extends Error {
  constructor(
    readonly code: DeploymentErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DeploymentError';
  }
}
