import type { LoggerOptions } from 'pino';
import { traceFields } from './telemetry';

/** Field paths whose values are secrets: never written to a log. */
export const REDACTED_PATHS = [
  'password',
  '*.password',
  '*.*.password',
  'sasl.password',
  'secret',
  '*.secret',
  'token',
  '*.token',
  'req.headers.authorization',
  'req.headers.cookie',
  'connection.sasl.password',
];

export function loggerOptions(service: string, level = process.env.LOG_LEVEL ?? 'info'): LoggerOptions {
  return {
    level,
    base: { service },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    // every line written inside a span names its trace: logs and traces of one deployment join up
    mixin: traceFields,
  };
}
