import { startTelemetry } from '@mind/telemetry';

// Imported first by main.ts: the HTTP, Postgres and Redis clients are instrumented as they load.
startTelemetry('recording');
