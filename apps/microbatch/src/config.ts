import { baseConfigSchema } from '@matih/service-host';
import { z } from 'zod';

export const configSchema = baseConfigSchema.extend({
  PORT: z.coerce.number().int().min(1).max(65535).default(18103),
  MATIH_HEARTBEAT_INTERVAL_MS: z.coerce.number().int().min(500).max(600_000).default(10_000),
});

export type MicrobatchConfig = z.infer<typeof configSchema>;

export const MICROBATCH_CONFIG = Symbol('MICROBATCH_CONFIG');
