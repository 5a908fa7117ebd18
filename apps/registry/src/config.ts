import { catalogSettings, withCatalogs } from '@matih/planner';
import { baseConfigSchema } from '@matih/service-host';
import { z } from 'zod';

export const configSchema = baseConfigSchema
  .extend({
    PORT: z.coerce.number().int().min(1).max(65535).default(18100),
    REGISTRY_DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'a postgres:// connection URL')
      .default('postgres://matih:matih@127.0.0.1:15432/matih')
      .describe('PostgreSQL of the registry (schema `registry`)'),
    REGISTRY_ADMIN_TOKEN: z
      .string()
      .min(24, 'at least 24 characters')
      .optional()
      .describe('a token that is an admin (the first admin creates the other tokens); unset in production once tokens exist'),
    REGISTRY_OUTBOX_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(200),
    // the plan preview compiles with the same catalogs as the compiler
    ...catalogSettings,
  })
  .transform(withCatalogs);

export type RegistryConfig = z.infer<typeof configSchema>;

export const REGISTRY_CONFIG = Symbol('REGISTRY_CONFIG');
