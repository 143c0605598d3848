/**
 * The deploy rehearsal's one use of the local runner: the definition as Terraform renders it, run
 * with the real Lambda bundle configured by the environment Terraform would give the function.
 */
import type { StateMachineDefinition } from '../../../asl/types';
import type { LambdaBundle } from '../../../bundle/lambda-bundle';
import { dynamoDbClient, localConnection } from '../../../local/connection';
import { loadLambda } from '../../../local/lambda-loader';
import { runWorkflowLocally, type LocalRunResult } from '../../../local/runner';
import { parseTuning } from '../../../workflow/input';

/** A rendered definition and what the deployed function would be given. */
export interface RenderedRun {
  definition: StateMachineDefinition;
  /** The ARN the definition's Lambda tasks invoke. */
  functionArn: string;
  bundle: LambdaBundle;
  /** The function's environment from the plan: TABLE_NAME and MIGRATION_DEFAULTS. */
  environment: Record<string, string>;
  /** The DynamoDB the table lives in. */
  endpoint: string;
  input: unknown;
}

/** Runs a rendered definition end to end on the local runner; its Lambda tasks call the bundle in-process. */
export async function runRenderedDefinition(run: RenderedRun): Promise<LocalRunResult> {
  const table = run.environment.TABLE_NAME;
  const defaults = run.environment.MIGRATION_DEFAULTS;
  if (!table || !defaults) throw new Error(`The planned function environment lacks TABLE_NAME or MIGRATION_DEFAULTS: ${JSON.stringify(run.environment)}`);
  const lambda = loadLambda(run.bundle, table, localConnection(run.endpoint), parseTuning(JSON.parse(defaults)));
  const client = dynamoDbClient(localConnection(run.endpoint));
  try {
    return await runWorkflowLocally({
      definition: run.definition,
      functionArn: run.functionArn,
      lambda,
      client,
      input: run.input,
      executionName: 'deploy-rehearsal',
      lambdaTimeoutMs: 5_000,
    });
  } finally {
    client.destroy();
  }
}
