import { z } from 'zod';

/** Settings every service reads. Each app extends this with its own. */
export const baseConfigSchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1').describe('address the HTTP server (health, API, metrics) binds to'),
  MATIH_KAFKA_BROKERS: z
    .string()
    .default('127.0.0.1:19092')
    .transform((value) => value.split(',').map((broker) => broker.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'host:port')).min(1))
    .describe('control-plane Kafka brokers, host:port[,host:port…]'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
  MATIH_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(25_000),
});

export type BaseConfig = z.infer<typeof baseConfigSchema>;

export class ConfigError extends Error {
  constructor(
    readonly service: string,
    readonly problems: readonly string[],
  ) {
    super(`${service} cannot start: its environment is invalid\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Validate the environment against the app's schema, reporting every problem at once. */
export function loadConfig<S extends z.ZodType>(service: string, schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(environment)';
    const shown = typeof issue.path[0] === 'string' ? env[issue.path[0]] : undefined;
    return `${name}: ${issue.message}${shown === undefined ? '' : ` (got "${shown}")`}`;
  });
  throw new ConfigError(service, problems);
}
