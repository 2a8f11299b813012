/**
 * The quiet lane of `npm test` (deploy/test.sh): integration suites that drive no browser, media or
 * container and spend their time waiting on the network and timers, or on helm. They run, with the unit tests,
 * alongside the busy lane (every other suite, one file at a time), against a database of their own.
 * A new suite runs in the busy lane until it is named here.
 */
module.exports = {
  quiet: [
    'tests/e2e/application-socket.test.ts',
    'tests/e2e/bad-input.test.ts',
    'tests/e2e/conference-api.test.ts',
    'tests/e2e/fuzz.test.ts',
    'tests/e2e/hardening.test.ts',
    'tests/e2e/helm-chart.test.ts',
    'tests/e2e/permissions.test.ts',
    'tests/e2e/restart.test.ts',
    'tests/e2e/scale-out.test.ts',
    'tests/e2e/telemetry.test.ts',
    'tests/e2e/workspace.test.ts',
  ].map((file) => file.replace(/\./g, '\\.')),
};
