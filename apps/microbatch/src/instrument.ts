import { startTelemetry } from '@matih/telemetry';

startTelemetry('microbatch');
