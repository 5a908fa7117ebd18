import { Controller, Get, Header, Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { Public } from './public';

/**
 * The service's Prometheus registry (one per app module, so that several apps can share a test
 * process), with Node.js process metrics and every series labelled with the service's name. Apps
 * inject `Registry` to register their own metrics.
 */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** `GET /metrics`: the Prometheus text exposition of the service's registry (no authentication). */
@Controller('metrics')
@Public()
export class MetricsController {
  constructor(private readonly registry: Registry) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}

/** Seconds per HTTP request, by method, matched route (never the raw URL: bounded labels) and status. */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  private readonly duration: Histogram<'method' | 'route' | 'status_code'>;

  constructor(registry: Registry) {
    this.duration =
      (registry.getSingleMetric('http_server_request_duration_seconds') as Histogram<'method' | 'route' | 'status_code'> | undefined) ??
      new Histogram({
        name: 'http_server_request_duration_seconds',
        help: 'Duration of HTTP requests the service answered, by method, route and status',
        labelNames: ['method', 'route', 'status_code'],
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        registers: [registry],
      });
  }

  use(request: Request, response: Response, next: NextFunction): void {
    const end = this.duration.startTimer();
    response.once('finish', () => {
      const route = routeOf(request);
      if (route === '/metrics') return; // the scrape itself
      end({ method: request.method, route, status_code: String(response.statusCode) });
    });
    next();
  }
}

function routeOf(request: Request): string {
  const path = (request as Request & { route?: { path?: unknown } }).route?.path;
  return typeof path === 'string' ? `${request.baseUrl ?? ''}${path}` || '/' : '(unmatched)';
}
