import { context, propagation, trace, type Context } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';

let sdk: NodeSDK | undefined;

/**
 * Starts OpenTelemetry for a service. Call it from the app's `instrument.ts`, imported first in
 * `main.ts`, so instrumented libraries are patched before they load. Spans are exported over OTLP
 * when `OTEL_EXPORTER_OTLP_ENDPOINT` is set (the SDK reads the standard OTEL_* variables).
 */
export function startTelemetry(serviceName: string): void {
  if (sdk) return;
  process.env.OTEL_SERVICE_NAME ??= serviceName;
  if (!process.env.OTEL_EXPORTER_OTLP_ENDPOINT) process.env.OTEL_TRACES_EXPORTER ??= 'none';
  process.env.OTEL_METRICS_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  sdk = new NodeSDK({ serviceName });
  sdk.start();
}

export async function stopTelemetry(): Promise<void> {
  await sdk?.shutdown();
  sdk = undefined;
}

/** The W3C `traceparent` of the active span, to carry in a control message. */
export function currentTraceparent(): string | null {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ?? null;
}

/** The context a received message's `traceparent` continues. */
export function contextFromTraceparent(traceparent: string | null): Context {
  return traceparent ? propagation.extract(context.active(), { traceparent }) : context.active();
}

export const tracer = (name: string) => trace.getTracer(name);
