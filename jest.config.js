/** Unit tests live next to the code (`*.spec.ts`); integration tests against the real platform in tests/e2e. */
const { compilerOptions } = require('./tsconfig.base.json');

const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [`^${alias}$`, `<rootDir>/${target}`]),
);
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };

module.exports = {
  // Integration tests boot real services and wait for real timers (expiry, restarts).
  testTimeout: 60000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      roots: ['<rootDir>/libs', '<rootDir>/apps'],
      testMatch: ['**/*.spec.ts'],
      moduleNameMapper,
      transform,
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      roots: ['<rootDir>/tests/e2e'],
      setupFiles: ['<rootDir>/tests/worker-env.js'],
      testMatch: ['**/*.test.ts'],
      moduleNameMapper,
      transform,
    },
  ],
};
