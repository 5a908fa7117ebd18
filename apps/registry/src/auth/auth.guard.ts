import { Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { PUBLIC_ROUTE } from '@matih/service-host';
import type { Request } from 'express';
import { AuthError, AuthErrorCode } from './auth.errors';
import type { Principal, Role } from './principal';
import { TokensRepository } from './tokens.repository';

const REQUIRES = 'matih:requires';
/** The least role the route needs; team ownership is checked where the pipeline is known. */
export const Requires = (role: Role) => SetMetadata(REQUIRES, role);

const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2 };

export type AuthenticatedRequest = Request & { principal: Principal };

/** Bearer tokens for every route: 401 without a valid one, 403 below the route's role. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokensRepository,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw new AuthError(AuthErrorCode.Unauthenticated, 'send an API token: Authorization: Bearer <token>');
    const principal = await this.tokens.resolve(match[1]);
    if (!principal) throw new AuthError(AuthErrorCode.Unauthenticated, 'the API token is unknown or revoked');
    request.principal = principal;
    const needed = this.reflector.getAllAndOverride<Role>(REQUIRES, targets) ?? 'viewer';
    if (RANK[principal.role] < RANK[needed]) {
      throw new AuthError(AuthErrorCode.Forbidden, `${principal.name} is a ${principal.role}; this needs ${needed === 'admin' ? 'an admin' : `an ${needed}`}`);
    }
    return true;
  }
}
