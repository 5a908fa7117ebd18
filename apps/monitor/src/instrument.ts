import { startTelemetry } from '@matih/telemetry';

startTelemetry('monitor');
