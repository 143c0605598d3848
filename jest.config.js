/**
 * Two projects: `unit` (pure code and synthesis, no database or child process: seconds) and
 * `safety` (the engine, the workflow, the CLI and the deployment against the real parts: dynalite,
 * DynamoDB Local, the local Step Functions interpreter, Terraform). `npm test` runs both.
 * @type {import('jest').Config}
 */
const common = {
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/__tests__/setup/polyfills.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: { isolatedModules: true } }] },
  moduleNameMapper: { '^ddb-item-migrate$': '<rootDir>/migrations/define.ts' },
};

module.exports = {
  testTimeout: 120000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/__tests__/unit/**/*.test.ts'] },
    { ...common, displayName: 'safety', testMatch: ['<rootDir>/__tests__/safety/**/*.test.ts'] },
  ],
};
