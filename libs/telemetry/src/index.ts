export { startTelemetry, stopTelemetry, currentTraceparent, contextFromTraceparent, tracer, traceFields, type TelemetryOptions } from './telemetry';
export { loggerOptions, REDACTED_PATHS } from './logging';
