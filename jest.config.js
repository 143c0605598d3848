/**
 * Three projects: `unit` (pure code and synthesis, no database or child process: seconds),
 * `safety` (the engine, the workflow, the CLI and the deployment against the real parts: dynalite,
 * DynamoDB Local, the local Step Functions interpreter, Terraform), and `dynamodb-local` (the
 * conformance suite: the engine, resume and CLI tests that matter, again against Amazon's DynamoDB
 * Local; skipped, saying why, without Java 17+). `npm test` runs all three.
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
  // Two workers even on two cores: the safety tests mostly wait (on a DynamoDB in a child process,
  // on deadlines and retry pauses), so two files at once take far less than twice as long.
  maxWorkers: 2,
  // it.concurrent tests (the CLI's, mostly waiting on rate limits) two at a time: more CLI processes
  // at once would starve the other test files' Lambdas on a 2-core machine.
  maxConcurrency: 2,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/__tests__/unit/**/*.test.ts'] },
    { ...common, displayName: 'safety', testMatch: ['<rootDir>/__tests__/safety/**/*.test.ts'] },
    {
      ...common,
      displayName: 'dynamodb-local',
      setupFiles: [...common.setupFiles, '<rootDir>/__tests__/setup/dynamodb-local.ts'],
      setupFilesAfterEnv: ['<rootDir>/__tests__/setup/skip-without-java.ts'],
      testMatch: [
        // Every type round-trips, conditions, odd items, concurrent writers, resume after a stop, the CLI on any DynamoDB.
        'engine', 'bad-input', 'concurrent-writers', 'stop-resume', 'any-dynamodb',
      ].map((name) => `<rootDir>/__tests__/safety/${name}.test.ts`),
    },
  ],
};
