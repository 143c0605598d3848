import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Migration } from '../migrations/define';
import type { Plan, PrepareResult } from '../workflow/contract';
import { InvalidInputError, resolveInput, type Tuning } from '../workflow/input';
import { tableLevelError } from './errors';

/** DynamoDB's rules for a backup name: 3 to 255 of letters, digits, `_`, `-` and `.`. */
export function backupNameFor(table: string, migrationId: string, executionName: string): string {
  const raw = `${table}-${migrationId}-${executionName}`.replace(/[^A-Za-z0-9_.-]/g, '-');
  return raw.length > 255 ? raw.slice(0, 255) : raw.padEnd(3, '-');
}

/** Validates and defaults the execution input, describes the table, and returns the plan. */
export async function prepare(
  input: unknown,
  executionName: string,
  deps: { client: DynamoDBClient; table: string; migration: Migration; defaults: Tuning },
): Promise<PrepareResult> {
  const resolved = resolveInput(input, deps.defaults);
  let description;
  try {
    description = await deps.client.send(new DescribeTableCommand({ TableName: deps.table }));
  } catch (error) {
    throw tableLevelError(error, deps.table, 'dynamodb:DescribeTable') ?? error;
  }
  const table = description.Table!;
  const keyAttributes = (table.KeySchema ?? []).sort((a) => (a.KeyType === 'HASH' ? -1 : 1)).map((k) => k.AttributeName!);
  if (resolved.versionAttribute && keyAttributes.includes(resolved.versionAttribute)) {
    throw new InvalidInputError(
      `The execution input is not valid: 'versionAttribute' is the key attribute '${resolved.versionAttribute}'; choose a non-key attribute name such as "migrationVersion".`,
      ['versionAttribute: is a key attribute'],
    );
  }
  const plan: Plan = {
    table: deps.table,
    migrationId: deps.migration.id,
    ...resolved,
    keyAttributes,
    itemEstimate: table.ItemCount ?? 0,
    backupName: backupNameFor(deps.table, deps.migration.id, executionName),
  };
  return { plan, segments: Array.from({ length: plan.totalSegments }, (_, i) => i) };
}
