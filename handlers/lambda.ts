import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import selected from 'ddb-migrate-selected-migration';
import { isMigration } from '../migrations/define';
import { builtInTuning, parseTuning } from '../workflow/input';
import { createHandler } from './create-handler';
import { migrationClientConfig } from './dynamodb-client';
import { stepFunctionsExecutions } from './running-executions';
import { telemetryFromEnv } from './telemetry';

/** Configuration is read and checked at load, so a bad deployment fails on its first call, loudly. */
function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Environment variable ${name} is not set; the stack sets it on the function.`);
  return value;
}

if (!isMigration(selected)) {
  throw new Error('The bundled migration module has no default export made with defineMigration({ id, transform }).');
}

/** The function's DynamoDB client (exported so a local run can stop a killed invocation's requests). */
export const client = new DynamoDBClient(migrationClientConfig());

export const handler = createHandler({
  client,
  table: requireEnv('TABLE_NAME'),
  migration: selected,
  defaults: parseTuning({ ...builtInTuning, ...JSON.parse(process.env.MIGRATION_DEFAULTS ?? '{}') }),
  ...(process.env.WRITE_CONCURRENCY && { writeConcurrency: Number(process.env.WRITE_CONCURRENCY) }),
  ...(process.env.SAFETY_MARGIN_MS && { safetyMarginMs: Number(process.env.SAFETY_MARGIN_MS) }),
  ...(Number(process.env.RESERVED_CONCURRENCY) > 0 && { reservedConcurrency: Number(process.env.RESERVED_CONCURRENCY) }),
  // Locally, AWS_ENDPOINT_URL_SFN points this client at the local runner's own Step Functions API.
  executions: stepFunctionsExecutions(new SFNClient({})),
  telemetry: telemetryFromEnv(),
  // Only a local run sets it, for an endpoint that cannot compare whole maps and lists (dynalite).
  ...(process.env.CONDITION_STYLE === 'element-by-element' && { conditionStyle: 'element-by-element' as const }),
});

/** The id of the bundled migration, so a local resume can check it is still the same one. */
export const migrationId = selected.id;
