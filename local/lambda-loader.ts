import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Tuning } from '../workflow/input';
import type { StepHandler } from '../workflow/steps';
import { bundleLambda, type LambdaBundle } from '../bundle/lambda-bundle';
import { connectionConfig, type Connection } from './connection';

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

/** Builds the deployable bundle for `migrationFile`, with errors a user can act on. */
export function buildBundle(migrationFile: string): LambdaBundle {
  const file = resolve(migrationFile);
  if (!existsSync(file)) {
    throw new MigrationModuleError(`The migration file ${file} does not exist. Pass the path of a .ts or .js file with --migration.`);
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
export function loadLambda(bundle: LambdaBundle, table: string, connection: Connection, defaults: Tuning): LoadedLambda {
  const config = connectionConfig(connection);
  Object.assign(process.env, {
    TABLE_NAME: table,
    MIGRATION_DEFAULTS: JSON.stringify(defaults),
    MIGRATION_LOG: process.env.MIGRATION_LOG ?? 'off',
    SAFETY_MARGIN_MS: process.env.SAFETY_MARGIN_MS ?? '2000',
  });
  if (typeof config.region === 'string') process.env.AWS_REGION = config.region;
  if (connection.endpoint) process.env.AWS_ENDPOINT_URL_DYNAMODB = connection.endpoint;
  const credentials = config.credentials as { accessKeyId: string; secretAccessKey: string } | undefined;
  if (credentials) {
    process.env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
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
