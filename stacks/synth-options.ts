import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { defaultMigrationFile } from '../bundle/lambda-bundle';

/** Where a synth-time choice can come from: an environment variable, then a cdktf context value. */
export interface ChoiceSources {
  env?: string | undefined;
  context?: unknown;
}

const chosen = (sources: ChoiceSources): string | undefined =>
  sources.env || (typeof sources.context === 'string' && sources.context) || undefined;

/**
 * The migration module to bundle: the MIGRATION_FILE environment variable, else the cdktf context
 * value `migrationFile`, else the shipped example. Relative paths are taken from the working directory.
 */
export function chooseMigrationFile(sources: ChoiceSources): string {
  const file = resolve(chosen(sources) ?? defaultMigrationFile);
  if (!existsSync(file)) {
    throw new Error(`Migration file ${file} does not exist; set MIGRATION_FILE (or the cdktf context value migrationFile) to your migration module.`);
  }
  return file;
}

/** The stack id when none is chosen; it names cdktf.out/stacks/<id> and the state file terraform.<id>.tfstate. */
export const DEFAULT_STACK_ID = 'dynamodb-migration';

/**
 * The stack id: the MIGRATION_STACK environment variable, else the cdktf context value `stackName`,
 * else `dynamodb-migration`. Each id has its own Terraform state, so a second table needs a second id.
 */
export function chooseStackId(sources: ChoiceSources): string {
  const id = chosen(sources) ?? DEFAULT_STACK_ID;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) {
    throw new Error(`Stack name '${id}' is not valid; use 1 to 64 letters, digits, "_" or "-" (MIGRATION_STACK or the cdktf context value stackName).`);
  }
  return id;
}
