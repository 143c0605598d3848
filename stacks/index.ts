/** The package's `<name>/stack` entry: what a user's cdktf app needs to deploy a migration. */
export { addMigrationStack, type AddMigrationStackOptions } from './add-migration-stack';
export { MigrationStack, type MigrationStackConfig } from './migration-stack';
export { bundleLambda, type LambdaBundle } from '../bundle/lambda-bundle';
