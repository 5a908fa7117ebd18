import { startTelemetry } from '@matih/telemetry';

startTelemetry('compiler');
