import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Req } from '@nestjs/common';
import { z } from 'zod';
import { Requires, type AuthenticatedRequest } from '../auth/auth.guard';
import { parseRequest } from '../http/request';
import { DeploymentsService, type PersonRequest } from './deployments.service';

export const deployBody = z.strictObject({
  pipeline: z.string().min(1),
  version: z.string().min(1).optional(),
  reason: z.string().max(2000).optional(),
});
export const actionBody = z.strictObject({
  reason: z.string().max(2000).optional(),
  /** stop only: keep a savepoint (default) or cancel outright */
  mode: z.enum(['savepoint', 'cancel']).optional(),
  /** upgrade only: the version to move to (default: the latest registered) */
  version: z.string().min(1).optional(),
});
export const actionName = z.enum(['stop', 'pause', 'resume', 'upgrade', 'rollback']);
export const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.uuid().optional(),
  pipeline: z.string().min(1).optional(),
  owner: z.string().min(1).optional(),
  state: z.string().min(1).optional(),
});

@Controller('v1/deployments')
export class DeploymentsController {
  constructor(private readonly deployments: DeploymentsService) {}

  /** Deploy a version (default: the latest); 202: compiling and starting continue in the background. */
  @Post()
  @HttpCode(202)
  @Requires('editor')
  deploy(@Body() body: unknown, @Req() request: AuthenticatedRequest) {
    const { pipeline, version, reason } = parseRequest(deployBody, body);
    return this.deployments.deploy(pipeline, version, request.principal, reason ?? null);
  }

  /** Rebuild every deployment from its events and compare with the live projection (admins). */
  @Post('verify')
  @HttpCode(200)
  @Requires('admin')
  verify() {
    return this.deployments.verifyProjections();
  }

  @Get()
  async list(@Query() query: unknown) {
    const { limit, cursor, ...filter } = parseRequest(listQuery, query);
    const items = await this.deployments.list({ limit, ...(cursor ? { cursor } : {}), ...filter });
    return { items, nextCursor: items.length === limit ? items.at(-1)?.id ?? null : null };
  }

  @Get(':id')
  get(@Param('id', ParseUUIDPipe) id: string) {
    return this.deployments.get(id);
  }

  /** stop | pause | resume | upgrade | rollback */
  @Post(':id/:action')
  @HttpCode(202)
  @Requires('editor')
  act(@Param('id', ParseUUIDPipe) id: string, @Param('action') name: string, @Body() body: unknown, @Req() request: AuthenticatedRequest) {
    const action: PersonRequest = parseRequest(actionName, name);
    const { reason, ...options } = parseRequest(actionBody, body);
    return this.deployments.request(id, action, request.principal, reason ?? null, options);
  }
}
