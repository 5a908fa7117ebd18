import { context, propagation, trace, type Context } from '@opentelemetry/api';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { NoopSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';

let sdk: NodeSDK | undefined;

/** Paths probed every few seconds: a span for each would drown the traces that matter. */
const UNTRACED_PATHS = ['/health', '/metrics'];

export interface TelemetryOptions {
  /** span processors to use instead of the exporter the OTEL_* variables describe (tests: an in-memory exporter) */
  readonly spanProcessors?: SpanProcessor[];
}

/**
 * Starts OpenTelemetry for a service. Call it from the app's `instrument.ts`, imported first in
 * `main.ts`, so instrumented libraries (http, express) are patched before they load. Spans are
 * exported over OTLP when `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_TRACES_EXPORTER`) is set — the SDK
 * reads the standard OTEL_* variables; otherwise spans are still made (so trace ids reach the logs and
 * the next service) but not exported. W3C trace context is the propagator.
 */
export function startTelemetry(serviceName: string, options: TelemetryOptions = {}): void {
  if (sdk) return;
  process.env.OTEL_SERVICE_NAME ??= serviceName;
  process.env.OTEL_METRICS_EXPORTER ??= 'none'; // metrics are scraped from /metrics (prom-client)
  process.env.OTEL_LOGS_EXPORTER ??= 'none'; // logs are pino JSON on stdout
  const exporting = Boolean(
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || process.env.OTEL_TRACES_EXPORTER,
  );
  const spanProcessors = options.spanProcessors ?? (exporting ? undefined : [new NoopSpanProcessor()]);
  sdk = new NodeSDK({
    serviceName,
    ...(spanProcessors ? { spanProcessors } : {}),
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => UNTRACED_PATHS.some((p) => request.url === p || request.url?.startsWith(`${p}?`)),
      }),
      new ExpressInstrumentation(),
    ],
  });
  sdk.start();
}

export async function stopTelemetry(): Promise<void> {
  await sdk?.shutdown();
  sdk = undefined;
}

/** The W3C `traceparent` of the active span (or of `ctx`), to carry in a control message. */
export function currentTraceparent(ctx: Context = context.active()): string | null {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier.traceparent ?? null;
}

/** The context a received message's `traceparent` continues. */
export function contextFromTraceparent(traceparent: string | null | undefined): Context {
  return traceparent ? propagation.extract(context.active(), { traceparent }) : context.active();
}

export const tracer = (name: string) => trace.getTracer(name);

/** The active trace and span ids, for log lines (empty when there is no sampled span). */
export function traceFields(): { trace_id?: string; span_id?: string } {
  const span = trace.getActiveSpan()?.spanContext();
  return span && trace.isSpanContextValid(span) ? { trace_id: span.traceId, span_id: span.spanId } : {};
}
