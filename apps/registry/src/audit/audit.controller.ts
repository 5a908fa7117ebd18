import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { z } from 'zod';
import { EventStore, type StoredEvent } from '../events/event-store.repository';
import { parseRequest } from '../http/request';

export const filterQuery = z.object({
  pipeline: z.string().min(1).optional(),
  owner: z.string().min(1).optional(),
  type: z
    .string()
    .min(1)
    .transform((v) => v.split(',').map((t) => t.trim()))
    .optional(),
  since: z.iso.datetime({ offset: true }).transform((v) => new Date(v)).optional(),
  until: z.iso.datetime({ offset: true }).transform((v) => new Date(v)).optional(),
  after: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

const page = (items: StoredEvent[], limit: number) => ({ items, nextCursor: items.length === limit ? items.at(-1)?.position ?? null : null });

/** The audit log: every event, never changed, in the order it happened. */
@Controller('v1')
export class AuditController {
  constructor(private readonly events: EventStore) {}

  /** The global stream, filtered by pipeline, owner, type and time; page with `after` = nextCursor. */
  @Get('audit')
  async all(@Query() query: unknown) {
    const { type, after, ...filter } = parseRequest(filterQuery, query);
    const items = await this.events.read({ ...filter, ...(type ? { types: type } : {}), ...(after !== undefined ? { afterPosition: after } : {}) });
    return page(items, filter.limit);
  }

  @Get('deployments/:id/audit')
  async deployment(@Param('id', ParseUUIDPipe) id: string) {
    return { items: await this.events.readStream(`deployment:${id}`) };
  }

  /** Everything about one pipeline: registrations and every deployment's events. */
  @Get('pipelines/:name/audit')
  async pipeline(@Param('name') name: string, @Query() query: unknown) {
    const { after, limit } = parseRequest(filterQuery, query);
    const items = await this.events.read({ pipeline: name, limit, ...(after !== undefined ? { afterPosition: after } : {}) });
    return page(items, limit);
  }
}
