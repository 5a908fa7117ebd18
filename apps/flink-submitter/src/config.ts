import { baseConfigSchema } from '@matih/service-host';
import { z } from 'zod';

export const configSchema = baseConfigSchema.extend({
  PORT: z.coerce.number().int().min(1).max(65535).default(18102),
});

export type FlinkSubmitterConfig = z.infer<typeof configSchema>;
