import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import selected from 'ddb-migrate-selected-migration';
import { isMigration } from '../migrations/define';
import { builtInTuning, parseTuning } from '../workflow/input';
import { createHandler } from './create-handler';
import { DYNAMODB_MAX_ATTEMPTS, PerRequestRetryStrategy } from './retry-strategy';

/** Configuration is read and checked at load, so a bad deployment fails on its first call, loudly. */
function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Environment variable ${name} is not set; the stack sets it on the function.`);
  return value;
}

if (!isMigration(selected)) {
  throw new Error('The bundled migration module has no default export made with defineMigration({ id, transform }).');
}

/** Backoff with full jitter on throttling and transient errors, without the client-wide retry quota. */
const client = new DynamoDBClient({
  retryStrategy: new PerRequestRetryStrategy(DYNAMODB_MAX_ATTEMPTS),
  // Without these a stalled connection waits for the socket default (minutes) on every attempt.
  requestHandler: { connectionTimeout: 3_000, requestTimeout: 30_000 },
});

export const handler = createHandler({
  client,
  table: requireEnv('TABLE_NAME'),
  migration: selected,
  defaults: parseTuning({ ...builtInTuning, ...JSON.parse(process.env.MIGRATION_DEFAULTS ?? '{}') }),
  ...(process.env.WRITE_CONCURRENCY && { writeConcurrency: Number(process.env.WRITE_CONCURRENCY) }),
  ...(process.env.SAFETY_MARGIN_MS && { safetyMarginMs: Number(process.env.SAFETY_MARGIN_MS) }),
});

/** The id of the bundled migration, so a local resume can check it is still the same one. */
export const migrationId = selected.id;
