import { baseConfigSchema } from '@matih/service-host';
import { z } from 'zod';

export const configSchema = baseConfigSchema.extend({
  PORT: z.coerce.number().int().min(1).max(65535).default(18104),
  MONITOR_PING_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(10_000),
});

export type MonitorConfig = z.infer<typeof configSchema>;

export const MONITOR_CONFIG = Symbol('MONITOR_CONFIG');
