import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Migration } from '../migrations/define';
import type { Plan } from '../workflow/contract';
import { InvalidInputError } from '../workflow/errors';
import { resolveInput, type Tuning } from '../workflow/input';
import type { ResultOf } from '../workflow/steps';
import { isLimited, resolveCapacityBudget } from './capacity-budget';
import { tableLevelError } from './sdk-errors';

/** DynamoDB's rules for a backup name: 3 to 255 of letters, digits, `_`, `-` and `.`. */
export function backupNameFor(table: string, migrationId: string, executionName: string): string {
  const raw = `${table}-${migrationId}-${executionName}`.replace(/[^A-Za-z0-9_.-]/g, '-');
  return raw.length > 255 ? raw.slice(0, 255) : raw.padEnd(3, '-');
}

/** Validates and defaults the execution input, describes the table, and returns the plan. */
export async function prepare(
  input: unknown,
  executionName: string,
  deps: { client: DynamoDBClient; table: string; migration: Migration; defaults: Tuning; reservedConcurrency?: number },
): Promise<ResultOf<'prepare'>> {
  const resolved = resolveInput(input, deps.defaults);
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
  const plan: Plan = {
    table: deps.table,
    migrationId: deps.migration.id,
    ...resolved,
    keyAttributes,
    itemEstimate: described.Table?.ItemCount ?? 0,
    backupName: backupNameFor(deps.table, deps.migration.id, executionName),
    ...(isLimited(budget) && { budget }),
  };
  return { plan, segments: Array.from({ length: plan.totalSegments }, (_, i) => i) };
}
