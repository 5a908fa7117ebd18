import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { z } from 'zod';
import { Requires, type AuthenticatedRequest } from '../auth/auth.guard';
import { parseRequest } from '../http/request';
import { PipelineError, PipelineErrorCode } from './pipelines.errors';
import { PipelinesService } from './pipelines.service';

export const planQuery = z.object({ target: z.enum(['flink', 'microbatch']).optional() });

export const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).optional(),
  owner: z.string().min(1).optional(),
});

/** The definition as sent: YAML text, or a JSON object (JSON is YAML too). */
function sourceOf(body: unknown): string {
  if (typeof body === 'string' && body.trim() !== '') return body;
  if (body && typeof body === 'object' && Object.keys(body).length > 0) return JSON.stringify(body, null, 2);
  throw new PipelineError(PipelineErrorCode.Invalid, 'send the pipeline definition as the body: YAML (Content-Type: application/yaml) or JSON');
}

/** The name diagnostics give the definition (`?file=`, as the client knows it). */
const fileName = (file: string | undefined) => (file && file.length <= 500 ? file : 'definition.yaml');

@Controller('v1/pipelines')
export class PipelinesController {
  constructor(private readonly pipelines: PipelinesService) {}

  /** Register a version: 201 when new, 200 when the same content was registered before, 409 when it differs. */
  @Post()
  @Requires('editor')
  async register(@Body() body: unknown, @Query('file') file: string | undefined, @Req() request: AuthenticatedRequest, @Res({ passthrough: true }) response: Response) {
    const registration = await this.pipelines.register(sourceOf(body), request.principal, fileName(file));
    response.status(registration.status === 'created' ? 201 : 200);
    response.setHeader('Location', `/v1/pipelines/${registration.pipeline}/versions/${registration.version}`);
    return registration;
  }

  /** Validate without saving: 200 with the normalized definition, or 422 with every diagnostic. */
  @Post('validate')
  @HttpCode(200)
  validate(@Body() body: unknown, @Query('file') file: string | undefined) {
    const result = this.pipelines.validate(sourceOf(body), fileName(file));
    if (!result.ok) throw new PipelineError(PipelineErrorCode.Invalid, 'the definition is invalid', result.diagnostics);
    return { valid: true, hash: result.hash, definition: result.definition, warnings: result.diagnostics };
  }

  @Get()
  async list(@Query() query: unknown) {
    const { limit, cursor, owner } = parseRequest(listQuery, query);
    const items = await this.pipelines.list({ limit, ...(cursor ? { cursor } : {}), ...(owner ? { owner } : {}) });
    return { items, nextCursor: items.length === limit ? items.at(-1)?.name ?? null : null };
  }

  /** Preview the compiled plan of a version (`?target=flink|microbatch`, default: its engine); for Flink, the SQL script. */
  @Get(':name/versions/:version/plan')
  async plan(@Param('name') name: string, @Param('version') version: string, @Query() query: unknown) {
    const { target } = parseRequest(planQuery, query);
    return this.pipelines.preview(await this.pipelines.version(name, version), target);
  }

  @Get(':name')
  get(@Param('name') name: string) {
    return this.pipelines.get(name);
  }

  /** One version: the normalized definition (secrets only as `{ env: NAME }`) and the source as registered. */
  @Get(':name/versions/:version')
  async version(@Param('name') name: string, @Param('version') version: string) {
    const row = await this.pipelines.version(name, version);
    return { pipeline: row.pipeline, version: row.version, hash: row.hash, definition: row.definition, source: row.source, createdBy: row.createdBy, createdAt: row.createdAt };
  }
}
