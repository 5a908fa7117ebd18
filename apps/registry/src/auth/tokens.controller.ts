import { Body, Controller, Post } from '@nestjs/common';
import { z } from 'zod';
import { parseRequest } from '../http/request';
import { Requires } from './auth.guard';
import { TokensRepository } from './tokens.repository';

export const createBody = z
  .strictObject({
    principal: z.string().min(1).max(200),
    role: z.enum(['viewer', 'editor', 'admin']),
    team: z.string().min(1).optional(),
  })
  .refine((b) => b.role !== 'editor' || b.team, { message: 'an editor edits for a team: set `team`', path: ['team'] });

@Controller('v1/tokens')
export class TokensController {
  constructor(private readonly tokens: TokensRepository) {}

  /** Create an API token (admins only). The token is in this answer only; the registry keeps its hash. */
  @Post()
  @Requires('admin')
  async create(@Body() body: unknown) {
    const { principal, role, team } = parseRequest(createBody, body);
    return { principal, role, team: team ?? null, token: await this.tokens.create(principal, role, team ?? null) };
  }
}
