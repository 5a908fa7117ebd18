import { startTelemetry } from '@matih/telemetry';

startTelemetry('registry');
