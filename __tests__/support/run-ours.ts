/**
 * Runs our real workflow definition locally with the Lambda built in-process by `createHandler`, so a
 * test can hand the Lambda a client with fault injection or call counting.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createHandler, type HandlerDependencies } from '../../handlers/create-handler';
import type { LambdaHandler } from '../../local/lambda-loader';
import { localDefinition, runWorkflowLocally, type LocalRunOptions, type LocalRunResult } from '../../local/run-workflow';
import type { Migration } from '../../migrations/define';
import { builtInTuning } from '../../workflow/input';

/** The migration Lambda in-process, quiet, with a small safety margin so one call may do several pages. */
export function inProcessLambda(
  client: DynamoDBClient,
  table: string,
  migration: Migration,
  options: Partial<Pick<HandlerDependencies, 'writeConcurrency' | 'safetyMarginMs' | 'defaults'>> = {},
): LambdaHandler {
  return createHandler({
    client,
    table,
    migration,
    defaults: options.defaults ?? builtInTuning,
    safetyMarginMs: options.safetyMarginMs ?? 200,
    ...(options.writeConcurrency !== undefined && { writeConcurrency: options.writeConcurrency }),
    log: () => undefined,
  }) as LambdaHandler;
}

/** Everything a test may vary about one run of our workflow. */
export interface OurRun {
  /** The client the Lambda uses (fault injection goes here). */
  client: DynamoDBClient;
  /** The client the runner uses for its own calls (backup copy); defaults to `client`. */
  runnerClient?: DynamoDBClient;
  table: string;
  migration: Migration;
  input: unknown;
  lambda?: LambdaHandler;
  executionName?: string;
  batchBudgetMs?: number;
  checkpoint?: LocalRunOptions['checkpoint'];
  taskOverrides?: LocalRunOptions['taskOverrides'];
}

/** Runs our workflow definition for `table` with aws-local-stepfunctions. */
export function runOurs(run: OurRun): Promise<LocalRunResult> {
  return runWorkflowLocally({
    definition: localDefinition(run.table),
    lambda: run.lambda ?? inProcessLambda(run.client, run.table, run.migration),
    client: run.runnerClient ?? run.client,
    input: run.input,
    executionName: run.executionName ?? 'safety-test',
    batchBudgetMs: run.batchBudgetMs ?? 1_000,
    ...(run.checkpoint && { checkpoint: run.checkpoint }),
    ...(run.taskOverrides && { taskOverrides: run.taskOverrides }),
  });
}
