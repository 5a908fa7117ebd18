import { baseConfigSchema } from '@matih/service-host';
import { z } from 'zod';

export const configSchema = baseConfigSchema.extend({
  PORT: z.coerce.number().int().min(1).max(65535).default(18103),
  MATIH_ICEBERG_JDBC_URL: z.string().regex(/^postgres(ql)?:\/\//, 'a postgresql:// connection string').default('postgresql://matih:matih@127.0.0.1:15432/matih').describe('the JDBC Iceberg catalog database'),
  MATIH_ICEBERG_WAREHOUSE: z.string().min(1).default(`file://${process.cwd()}/.stack/iceberg/warehouse`).describe('warehouse root for tables the executor creates'),
  MATIH_HEARTBEAT_INTERVAL_MS: z.coerce.number().int().min(500).max(600_000).default(10_000),
});

export type MicrobatchConfig = z.infer<typeof configSchema>;

export const MICROBATCH_CONFIG = Symbol('MICROBATCH_CONFIG');
