import { randomUUID } from 'node:crypto';
import { Global, Module, RequestMethod, type DynamicModule, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ControlPlane } from '@matih/control-plane';
import { LoggerModule } from 'nestjs-pino';
import pino, { type Logger } from 'pino';
import { Registry } from 'prom-client';
import { loggerOptions } from '@matih/telemetry';
import type { BaseConfig } from './config';
import { ControlPlaneLifecycle } from './control-plane.lifecycle';
import { HealthController } from './health.controller';
import { createMetricsRegistry, HttpMetricsMiddleware, MetricsController } from './metrics';
import { ROOT_LOGGER, SERVICE_INFO, type ServiceInfo } from './tokens';

export interface ServiceHostOptions {
  readonly service: string;
  readonly release: string;
  readonly config: BaseConfig;
}

/**
 * What every MATIH service has: structured logs with secrets redacted, `GET /health`, Prometheus
 * metrics on `GET /metrics` (process metrics, HTTP request durations, and whatever the app registers
 * on the injected `Registry`), and the control plane (typed publish/consume over Kafka) — started
 * after the app's handlers are in place.
 */
@Global()
@Module({})
export class ServiceHostModule implements NestModule {
  static forRoot(options: ServiceHostOptions): DynamicModule {
    const logger: Logger = pino(loggerOptions(options.service, options.config.LOG_LEVEL));
    const info: ServiceInfo = {
      service: options.service,
      instanceId: `${options.service}-${randomUUID().slice(0, 8)}`,
      release: options.release,
      startedAt: new Date().toISOString(),
    };
    return {
      module: ServiceHostModule,
      imports: [LoggerModule.forRoot({ pinoHttp: { logger, autoLogging: false } }), TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: Registry, useValue: createMetricsRegistry(options.service) },
        HttpMetricsMiddleware,
        { provide: ROOT_LOGGER, useValue: logger },
        { provide: SERVICE_INFO, useValue: info },
        {
          provide: ControlPlane,
          useFactory: () => new ControlPlane({ service: options.service, instanceId: info.instanceId, brokers: options.config.MATIH_KAFKA_BROKERS, logger }),
        },
        ControlPlaneLifecycle,
      ],
      exports: [ROOT_LOGGER, SERVICE_INFO, ControlPlane, Registry],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes({ path: '*path', method: RequestMethod.ALL });
  }
}
