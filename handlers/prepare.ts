import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Migration } from '../migrations/define';
import type { Plan } from '../workflow/contract';
import { InvalidInputError, RunInProgressError } from '../workflow/errors';
import { resolveInput, type ResolvedInput, type Tuning } from '../workflow/input';
import type { EventOf, ResultOf } from '../workflow/steps';
import { isLimited, resolveCapacityBudget } from './capacity-budget';
import type { RunningExecutions } from './running-executions';
import { tableLevelError } from './sdk-errors';

/** DynamoDB's rules for a backup name: 3 to 255 of letters, digits, `_`, `-` and `.`. */
export function backupNameFor(table: string, migrationId: string, executionName: string): string {
  const raw = `${table}-${migrationId}-${executionName}`.replace(/[^A-Za-z0-9_.-]/g, '-');
  return raw.length > 255 ? raw.slice(0, 255) : raw.padEnd(3, '-');
}

/** What Prepare is built from. */
export interface PrepareDependencies {
  client: DynamoDBClient;
  table: string;
  migration: Migration;
  defaults: Tuning;
  /** The function's reserved concurrency, when it has one. */
  reservedConcurrency?: number;
  /** The other runs of this stack; without it (a test's handler) no run is refused for another. */
  executions?: RunningExecutions;
}

/** Whether a run writes to the table: two of those at once must not happen. */
const writes = (input: Pick<ResolvedInput, 'mode' | 'dryRun'>): boolean => input.mode === 'migrate' && !input.dryRun;

/** Refuses to start a writing run while another writing run of the same stack is running. */
async function refuseConcurrentWriters(event: EventOf<'prepare'>, executions: RunningExecutions): Promise<void> {
  const others = await executions.others(event.stateMachineArn, event.executionArn);
  const writer = others.find((other) => {
    const input = (typeof other.input === 'object' && other.input !== null ? other.input : {}) as { mode?: unknown; dryRun?: unknown };
    return writes({ mode: input.mode === 'verify' ? 'verify' : 'migrate', dryRun: input.dryRun === true });
  });
  if (writer) throw new RunInProgressError(writer, `aws stepfunctions stop-execution --execution-arn ${writer.arn}`);
}

/** Validates and defaults the execution input, describes the table, and returns the plan of the first pass. */
export async function prepare(event: EventOf<'prepare'>, deps: PrepareDependencies): Promise<ResultOf<'prepare'>> {
  const resolved = resolveInput(event.input, deps.defaults);
  // Refused rather than warned about: the segments beyond the reservation would be throttled for the
  // whole run, each retrying for minutes, and the run would look stuck instead of saying why.
  if (deps.reservedConcurrency !== undefined && Math.min(resolved.maxConcurrency, resolved.totalSegments) > deps.reservedConcurrency) {
    throw new InvalidInputError(
      `The execution input is not valid: 'maxConcurrency' ${resolved.maxConcurrency} is more than the ${deps.reservedConcurrency} concurrent executions reserved for the migration Lambda; lower maxConcurrency to at most ${deps.reservedConcurrency}, or raise the Terraform variable lambda_reserved_concurrency.`,
      ['maxConcurrency: above the reserved concurrency'],
    );
  }
  let described;
  try {
    described = await deps.client.send(new DescribeTableCommand({ TableName: deps.table }));
  } catch (error) {
    throw tableLevelError(error, deps.table, 'dynamodb:DescribeTable') ?? error;
  }
  const keySchema = described.Table?.KeySchema ?? [];
  // The hash key first, then the range key, whatever order DynamoDB lists them in.
  const keyAttributes = ['HASH', 'RANGE'].flatMap((type) => keySchema.filter((k) => k.KeyType === type).map((k) => k.AttributeName ?? ''));
  if (resolved.versionAttribute && keyAttributes.includes(resolved.versionAttribute)) {
    throw new InvalidInputError(
      `The execution input is not valid: 'versionAttribute' is the key attribute '${resolved.versionAttribute}'; choose a non-key attribute name such as "migrationVersion".`,
      ['versionAttribute: is a key attribute'],
    );
  }
  const budget = resolveCapacityBudget(resolved, described.Table ?? {});
  if (writes(resolved) && deps.executions) await refuseConcurrentWriters(event, deps.executions);
  const plan: Plan = {
    table: deps.table,
    migrationId: deps.migration.id,
    ...resolved,
    // Nothing is written by a dry run or a verification, so there is nothing to back up for.
    skipBackup: resolved.skipBackup || !writes(resolved),
    pass: { kind: resolved.mode, number: 1 },
    keyAttributes,
    itemEstimate: described.Table?.ItemCount ?? 0,
    backupName: backupNameFor(deps.table, deps.migration.id, event.executionName),
    ...(isLimited(budget) && { budget }),
  };
  return { plan, segments: Array.from({ length: plan.totalSegments }, (_, i) => i), passes: [] };
}
