import { baseConfigSchema } from '@matih/service-host';
import { catalogSettings, withCatalogs } from '@matih/planner';
import { z } from 'zod';

export const configSchema = baseConfigSchema
  .extend({
    PORT: z.coerce.number().int().min(1).max(65535).default(18101),
    ...catalogSettings,
  })
  .transform(withCatalogs);

export type CompilerConfig = z.infer<typeof configSchema>;

export const COMPILER_CONFIG = Symbol('COMPILER_CONFIG');
