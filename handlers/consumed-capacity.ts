import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';

/**
 * What one call cost, split the way DynamoDB provisions it: `total` is what is billed (the table's
 * units plus every index's), `table` is drawn from the table's capacity (local secondary indexes
 * share it), and `indexes` from each global secondary index's own capacity.
 */
export interface Charge {
  total: number;
  table: number;
  indexes: Record<string, number>;
}

const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);

/**
 * The charge a response reports: ConsumedCapacity asked with INDEXES has the breakdown, with TOTAL
 * only the total (all of it the table's). Undefined when the response reports nothing (the request
 * did not ask, or the endpoint does not tell).
 */
export function chargeOf(consumed: ConsumedCapacity | undefined): Charge | undefined {
  if (consumed?.CapacityUnits === undefined) return undefined;
  const indexes = Object.fromEntries(Object.entries(consumed.GlobalSecondaryIndexes ?? {}).map(([name, c]) => [name, c.CapacityUnits ?? 0]));
  const table =
    consumed.Table?.CapacityUnits !== undefined
      ? consumed.Table.CapacityUnits + sum(Object.values(consumed.LocalSecondaryIndexes ?? {}).map((c) => c.CapacityUnits ?? 0))
      : consumed.CapacityUnits - sum(Object.values(indexes));
  return { total: consumed.CapacityUnits, table, indexes };
}
