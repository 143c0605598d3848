import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Tuning } from '../workflow/input';
import type { StepHandler } from '../workflow/steps';
import { bundleLambda, type LambdaBundle } from '../bundle/lambda-bundle';
import type { ConditionStyle } from '../handlers/write-plan';
import type { Connection } from './connection';
import { isTypeScript, typeCheckMigration } from './type-check';

/** A loaded bundle: its handler, its DynamoDB client and the id of the migration inside it. */
export interface LoadedLambda {
  handler: StepHandler;
  client: DynamoDBClient;
  migrationId: string;
}

/** A migration module that cannot be used; the message says what is wrong and what to do. */
export class MigrationModuleError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MigrationModuleError';
  }
}

/** Type errors shown before "and N more". */
const SHOWN_TYPE_ERRORS = 10;

/** Builds the deployable bundle for `migrationFile`, with errors a user can act on; a TypeScript file is type-checked first. */
export function buildBundle(migrationFile: string): LambdaBundle {
  const file = resolve(migrationFile);
  if (!existsSync(file)) {
    throw new MigrationModuleError(`The migration file ${file} does not exist. Pass the path of a .ts or .js file with --migration.`);
  }
  if (isTypeScript(file)) {
    const problems = typeCheckMigration(file);
    if (problems.length > 0) {
      const shown = problems.slice(0, SHOWN_TYPE_ERRORS).map((p) => `  ${p.file}:${p.line}:${p.column} - error TS${p.code}: ${p.message.split('\n')[0]}`);
      const more = problems.length > SHOWN_TYPE_ERRORS ? [`  ... and ${problems.length - SHOWN_TYPE_ERRORS} more`] : [];
      throw new MigrationModuleError(
        `The migration file ${file} does not compile (${problems.length} error${problems.length === 1 ? '' : 's'}); nothing was run or written:\n${[...shown, ...more].join('\n')}`,
      );
    }
  }
  try {
    return bundleLambda(file);
  } catch (error) {
    const errors = (error as { errors?: { text: string; location?: { file: string; line: number; column: number } | null }[] }).errors ?? [];
    const first = errors[0];
    if (first && /No matching export .* for import "default"/.test(first.text)) {
      throw new MigrationModuleError(
        `The migration file ${file} has no default export made with defineMigration. Add: export default defineMigration({ id: 'my-migration', transform(item) { return item; } }).`,
        { cause: error },
      );
    }
    const where = first?.location ? `${first.location.file}:${first.location.line}:${first.location.column}: ` : '';
    throw new MigrationModuleError(
      `The migration file ${file} does not compile: ${where}${first?.text ?? (error as Error).message}. Fix it and run again.`,
      { cause: error },
    );
  }
}

/**
 * Loads the same bundle the stack deploys and returns its handler, configured like the Lambda
 * environment: TABLE_NAME, MIGRATION_DEFAULTS, and the DynamoDB endpoint to use.
 */
export function loadLambda(bundle: LambdaBundle, table: string, connection: Connection, defaults: Tuning, conditionStyle: ConditionStyle = 'whole-values'): LoadedLambda {
  Object.assign(process.env, {
    TABLE_NAME: table,
    MIGRATION_DEFAULTS: JSON.stringify(defaults),
    MIGRATION_LOG: process.env.MIGRATION_LOG ?? 'off',
    SAFETY_MARGIN_MS: process.env.SAFETY_MARGIN_MS ?? '2000',
    CONDITION_STYLE: conditionStyle,
  });
  if (connection.region) process.env.AWS_REGION = connection.region;
  if (connection.endpoint) process.env.AWS_ENDPOINT_URL_DYNAMODB = connection.endpoint;
  // Stand-ins only when the chain had none; otherwise the bundle's client finds the user's own, as deployed.
  if (connection.credentials) {
    process.env.AWS_ACCESS_KEY_ID = connection.credentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = connection.credentials.secretAccessKey;
  }
  delete require.cache[bundle.file];
  try {
    return require(bundle.file) as LoadedLambda;
  } catch (error) {
    throw new MigrationModuleError(
      `The migration module could not be loaded: ${(error as Error).message} Export it as: export default defineMigration({ id: 'my-migration', transform(item) { return item; } }).`,
      { cause: error },
    );
  }
}
