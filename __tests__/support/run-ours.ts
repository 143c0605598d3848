/**
 * The one way tests run a migration: our real workflow definition on the local runner, with the
 * Lambda built in-process by `createHandler`, so a test can hand the Lambda a client with fault
 * injection or call counting.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createHandler, type HandlerDependencies } from '../../handlers/create-handler';
import type { LocalLambda } from '../../local/lambda-service';
import { localDefinition } from '../../local/local-deployment';
import { localRunningExecutions } from '../../local/step-functions-api';
import { runWorkflowLocally, type LocalRunOptions, type LocalRunResult } from '../../local/runner';
import { resultSummary } from '../../local/run-summary';
import { defineMigration, type Item, type Migration, type TransformResult } from '../../migrations/define';
import type { Summary } from '../../workflow/contract';
import { builtInTuning } from '../../workflow/input';
import { testBackend, testConditionStyle } from './dynamo';

/** The migration Lambda in-process, quiet, keeping 40% of runOurs' 5 s time limit for returning (the machine may be busy). */
export function inProcessLambda(
  client: DynamoDBClient,
  table: string,
  migration: Migration,
  options: Partial<Pick<HandlerDependencies, 'writeConcurrency' | 'safetyMarginMs' | 'defaults' | 'conditionStyle'>> = {},
): LocalLambda {
  const handler = createHandler({
    client,
    table,
    migration,
    defaults: options.defaults ?? builtInTuning,
    safetyMarginMs: options.safetyMarginMs ?? 2_000,
    conditionStyle: options.conditionStyle ?? testConditionStyle(),
    ...(options.writeConcurrency !== undefined && { writeConcurrency: options.writeConcurrency }),
    executions: localRunningExecutions(),
  });
  return { handler, client };
}

/** Everything a test may vary about one run of our workflow. */
export interface OurRun extends Partial<Omit<LocalRunOptions, 'lambda' | 'client' | 'definition'>> {
  /** The client the Lambda uses (fault injection goes here). */
  client: DynamoDBClient;
  /** The client the runner uses for its own calls (backup copy); defaults to `client`. */
  runnerClient?: DynamoDBClient;
  table: string;
  migration: Migration;
  lambda?: LocalLambda;
}

/** Runs our workflow definition for `table` on the local runner. */
export function runOurs(run: OurRun): Promise<LocalRunResult> {
  const { client, runnerClient, table, migration, lambda, ...options } = run;
  return runWorkflowLocally({
    definition: localDefinition(table),
    input: {},
    executionName: 'test-run',
    // DynamoDB Local answers more slowly than dynalite: longer calls keep deadline cut-offs as rare as there.
    lambdaTimeoutMs: testBackend() === 'dynamodb-local' ? 15_000 : 5_000,
    ...options,
    lambda: lambda ?? inProcessLambda(client, table, migration),
    client: runnerClient ?? client,
  });
}

/**
 * Migrates `table` with `transform` through the workflow (no backup, 2 segments unless `input` says
 * otherwise) and returns the summary; a failed run's summary says FAILED with the totals so far.
 */
export async function migrateWith(
  client: DynamoDBClient,
  table: string,
  transform: (item: Item) => TransformResult | Promise<TransformResult>,
  input: Record<string, unknown> = {},
): Promise<Summary> {
  const result = await runOurs({
    client,
    table,
    migration: defineMigration({ id: 'test-migration', transform }),
    input: { skipBackup: true, totalSegments: 2, ...input },
  });
  return resultSummary(result, table);
}
