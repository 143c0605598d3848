import type { Construct } from 'constructs';
import { bundleLambda } from '../bundle/lambda-bundle';
import { MigrationStack } from './migration-stack';
import { bundledMigrationId } from './synth-report';

/** What a cdktf app says about the migration it deploys. */
export interface AddMigrationStackOptions {
  /** The migration module (.ts or .js) whose default export is `defineMigration({...})`. */
  migrationFile: string;
}

/**
 * Adds the migration stack to a cdktf app (yours or this package's `main.ts`): bundles the
 * migration with the Lambda code and declares the function, the state machine, their roles and log
 * groups. The table and the tuning are Terraform variables (`--var table_name=...`).
 */
export function addMigrationStack(scope: Construct, id: string, options: AddMigrationStackOptions): MigrationStack {
  const bundle = bundleLambda(options.migrationFile);
  return new MigrationStack(scope, id, { bundle, migrationId: bundledMigrationId(bundle) });
}
