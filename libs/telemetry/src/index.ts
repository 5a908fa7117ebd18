export { startTelemetry, stopTelemetry, currentTraceparent, contextFromTraceparent, tracer } from './telemetry';
export { loggerOptions, REDACTED_PATHS } from './logging';
