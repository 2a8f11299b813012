import { stopTelemetry } from '@mind/telemetry';

/**
 * Runs a service process: `start` brings it up and returns how to close it. A failed start exits 1
 * with the reason; SIGTERM/SIGINT close it gracefully (in-flight work finishes) and exit 0. `close`
 * closes the Nest application, which runs its shutdown hooks: Nest's own signal handling
 * (`enableShutdownHooks`) must stay off, as it kills the process with the signal once Nest is closed,
 * before the rest of `close` (NATS drain, database, last spans) is done.
 */
export function runService(name: string, start: () => Promise<() => Promise<void>>): void {
  start().then(
    (close) => {
      const stop = () => {
        close()
          .catch((error) => console.error(`${name} did not close cleanly:`, error))
          // The spans of the last requests leave before the process does.
          .then(stopTelemetry)
          .finally(() => process.exit(0));
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    },
    (error) => {
      console.error(`${name} failed to start:`, error);
      process.exit(1);
    },
  );
}
