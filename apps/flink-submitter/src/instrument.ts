import { startTelemetry } from '@matih/telemetry';

startTelemetry('flink-submitter');
