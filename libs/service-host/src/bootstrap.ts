import { NestFactory } from '@nestjs/core';
import type { DynamicModule, INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import type { z } from 'zod';
import { ConfigError, loadConfig, type BaseConfig } from './config';

export interface ServiceDefinition<S extends z.ZodType<BaseConfig & { PORT: number }>> {
  readonly service: string;
  readonly configSchema: S;
  /** the app's root module, given its validated configuration */
  readonly module: (config: z.infer<S>) => DynamicModule;
  /** adjust the HTTP server before it listens (body parsers …) */
  readonly configure?: (app: NestExpressApplication) => void;
}

/** Exit status of a service whose configuration is invalid (EX_CONFIG). */
export const EXIT_CONFIG = 78;

/**
 * Start a service: validate its environment (refusing to start with a clear message), build the
 * app, listen, and shut down gracefully on SIGTERM/SIGINT within the configured grace period.
 */
export async function runService<S extends z.ZodType<BaseConfig & { PORT: number }>>(
  definition: ServiceDefinition<S>,
): Promise<INestApplication | undefined> {
  let config: z.infer<S>;
  try {
    config = loadConfig(definition.service, definition.configSchema);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exitCode = EXIT_CONFIG;
    return undefined;
  }
  const app = await NestFactory.create<NestExpressApplication>(definition.module(config), { bufferLogs: true });
  definition.configure?.(app);
  const logger = app.get(Logger);
  app.useLogger(logger);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.log(`${definition.service} received ${signal}: draining and stopping`);
      setTimeout(() => {
        logger.error(`${definition.service} did not stop within ${config.MATIH_SHUTDOWN_GRACE_MS} ms; exiting`);
        process.exit(1);
      }, config.MATIH_SHUTDOWN_GRACE_MS).unref();
      // close() runs every module's shutdown hooks (consumers leave their groups, producers flush)
      app.close().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error(`${definition.service} failed to stop cleanly: ${String(error)}`);
          process.exit(1);
        },
      );
    });
  }
  await app.listen(config.PORT, config.HOST);
  logger.log(`${definition.service} listening on http://${config.HOST}:${config.PORT}`);
  return app;
}
