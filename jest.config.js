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
  moduleNameMapper: { '^dynamodb-migrations$': '<rootDir>/migrations/define.ts' },
};

module.exports = {
  testTimeout: 120000,
  // Two workers even on two cores: the safety tests mostly wait (on a DynamoDB in a child process,
  // on deadlines and retry pauses), so two files at once take far less than twice as long.
  maxWorkers: 2,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/__tests__/unit/**/*.test.ts'] },
    { ...common, displayName: 'safety', testMatch: ['<rootDir>/__tests__/safety/**/*.test.ts'] },
  ],
};
