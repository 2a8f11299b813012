import { startTelemetry } from '@mind/telemetry';

// Imported first by main.ts: the HTTP clients are instrumented as they load.
startTelemetry('sip');
