import { randomUUID } from 'node:crypto';
import { Catch, HttpException, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { ROOT_LOGGER } from '@matih/service-host';
import type { Response } from 'express';
import type { Logger } from 'pino';
import { AuthError, AuthErrorCode } from '../auth/auth.errors';
import type { AuthenticatedRequest } from '../auth/auth.guard';
import { DeploymentError, DeploymentErrorCode } from '../deployments/deployments.errors';
import { EventStore } from '../events/event-store.repository';
import { PipelineError, PipelineErrorCode } from '../pipelines/pipelines.errors';
import { RequestError } from './request';

const STATUS: Record<string, number> = {
  [PipelineErrorCode.Invalid]: 422,
  [PipelineErrorCode.VersionConflict]: 409,
  [PipelineErrorCode.OwnerConflict]: 409,
  [PipelineErrorCode.NotFound]: 404,
  [PipelineErrorCode.NotCompilable]: 422,
  [DeploymentErrorCode.NotFound]: 404,
  [DeploymentErrorCode.Conflict]: 409,
  [DeploymentErrorCode.InvalidState]: 409,
  [AuthErrorCode.Unauthenticated]: 401,
  [AuthErrorCode.Forbidden]: 403,
};

/**
 * Every HTTP error as application/problem+json (RFC 9457) with the error's code; denied requests
 * (401/403) are also recorded in the audit log.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(
    private readonly events: EventStore,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  async catch(error: unknown, host: ArgumentsHost): Promise<void> {
    const request = host.switchToHttp().getRequest<AuthenticatedRequest>();
    const response = host.switchToHttp().getResponse<Response>();
    const problem = this.problemOf(error);
    if (error instanceof AuthError) await this.auditDenied(request, error);
    if (problem.status >= 500) this.logger.error({ err: error, path: request.path }, 'request failed');
    response.status(problem.status).type('application/problem+json').json({ ...problem, instance: request.originalUrl });
  }

  private problemOf(error: unknown): { type: string; title: string; status: number; detail: string; code?: string; [k: string]: unknown } {
    if (error instanceof PipelineError || error instanceof DeploymentError || error instanceof AuthError || error instanceof RequestError) {
      const status = error instanceof RequestError ? 400 : STATUS[error.code] ?? 500;
      const extra = error instanceof PipelineError && error.diagnostics.length ? { diagnostics: error.diagnostics } : error instanceof RequestError ? { errors: error.errors } : {};
      return { type: `urn:matih:error:${error.code.toLowerCase()}`, title: titleOf(status), status, detail: error.message, code: error.code, ...extra };
    }
    if (error instanceof HttpException) {
      const status = error.getStatus();
      return { type: 'about:blank', title: titleOf(status), status, detail: error.message };
    }
    return { type: 'about:blank', title: 'Internal Server Error', status: 500, detail: 'the registry failed to handle this request; see its log' };
  }

  private async auditDenied(request: AuthenticatedRequest, error: AuthError): Promise<void> {
    try {
      await this.events.append(`security:${randomUUID()}`, 0, [
        {
          type: 'access.denied',
          payload: { method: request.method, path: request.originalUrl, code: error.code },
          principal: request.principal?.name ?? 'anonymous',
          reason: error.message,
        },
      ]);
    } catch (auditError) {
      this.logger.error({ err: auditError }, 'could not record a denied request in the audit log');
    }
  }
}

function titleOf(status: number): string {
  return (
    { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Content' }[status] ??
    (status >= 500 ? 'Internal Server Error' : 'Error')
  );
}
