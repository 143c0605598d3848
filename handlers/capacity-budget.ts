import type { TableDescription } from '@aws-sdk/client-dynamodb';
import type { CapacityBudget, Plan } from '../workflow/contract';
import { InvalidInputError } from '../workflow/errors';
import type { Tuning } from '../workflow/input';

/** The input fields a capacity budget comes from. */
export type BudgetInput = Pick<Tuning, 'maxWriteUnitsPerSecond' | 'maxReadUnitsPerSecond' | 'writeCapacityPercent' | 'readCapacityPercent'>;

/** Whether a table bills per request: it has no provisioned capacity to take a share of. */
export function isOnDemand(table: TableDescription): boolean {
  const provisioned = table.ProvisionedThroughput;
  // On-demand tables describe themselves with 0/0; a provisioned table has at least 1 unit each way.
  return table.BillingModeSummary?.BillingMode === 'PAY_PER_REQUEST' || (!provisioned?.ReadCapacityUnits && !provisioned?.WriteCapacityUnits);
}

const shareOf = (percent: number, units: number | undefined): number | undefined => (percent > 0 && units ? (percent / 100) * units : undefined);

const smallest = (...rates: (number | undefined)[]): number | undefined => {
  const set = rates.filter((r): r is number => r !== undefined && r > 0);
  return set.length > 0 ? Math.min(...set) : undefined;
};

/**
 * The run's budget in units per second: the absolute limits as given, and the percentages as that
 * share of the provisioned capacity of the table (reads and writes) and of each GSI (writes: a write
 * also costs every GSI it touches, from the GSI's own capacity). Both kinds may be set; the stricter
 * applies. A percentage of an on-demand table is an input error that names the absolute option.
 */
export function resolveCapacityBudget(input: BudgetInput, table: TableDescription): CapacityBudget {
  if (isOnDemand(table)) {
    const asked = (
      [
        ['writeCapacityPercent', input.writeCapacityPercent, 'maxWriteUnitsPerSecond', '--max-write-units-per-second'],
        ['readCapacityPercent', input.readCapacityPercent, 'maxReadUnitsPerSecond', '--max-read-units-per-second'],
      ] as const
    ).filter(([, percent]) => percent > 0);
    if (asked.length > 0) {
      const problems = asked.map(([field, percent]) => `'${field}' ${percent}: the table is on-demand`);
      throw new InvalidInputError(
        `The execution input is not valid: ${asked.map(([field, percent]) => `'${field}' ${percent}`).join(' and ')} ${asked.length > 1 ? 'are shares' : 'is a share'} of provisioned capacity, but table '${table.TableName ?? ''}' is on-demand (PAY_PER_REQUEST) and has none; ` +
          `set ${asked.map(([field]) => field).join(' and ')} to 0 and give an absolute budget instead with ${asked.map(([, , absolute, flag]) => `${absolute} (${flag})`).join(' and ')}.`,
        problems,
      );
    }
  }
  const read = smallest(input.maxReadUnitsPerSecond, shareOf(input.readCapacityPercent, table.ProvisionedThroughput?.ReadCapacityUnits));
  const write = smallest(input.maxWriteUnitsPerSecond);
  const tableWrite = shareOf(input.writeCapacityPercent, table.ProvisionedThroughput?.WriteCapacityUnits);
  const indexWrites = Object.fromEntries(
    (table.GlobalSecondaryIndexes ?? []).flatMap((index) => {
      const rate = shareOf(input.writeCapacityPercent, index.ProvisionedThroughput?.WriteCapacityUnits);
      return index.IndexName && rate !== undefined ? [[index.IndexName, rate]] : [];
    }),
  );
  return {
    ...(read !== undefined && { read }),
    ...(write !== undefined && { write }),
    ...(tableWrite !== undefined && { tableWrite }),
    ...(Object.keys(indexWrites).length > 0 && { indexWrites }),
  };
}

/** How many segments share the run's budget: those running at once. */
export const segmentsAtOnce = (plan: Pick<Plan, 'maxConcurrency' | 'totalSegments'>): number => Math.min(plan.maxConcurrency, plan.totalSegments);

/** One segment's part of the run's budget. */
export function segmentBudget(budget: CapacityBudget, plan: Pick<Plan, 'maxConcurrency' | 'totalSegments'>): CapacityBudget {
  const n = segmentsAtOnce(plan);
  return {
    ...(budget.read !== undefined && { read: budget.read / n }),
    ...(budget.write !== undefined && { write: budget.write / n }),
    ...(budget.tableWrite !== undefined && { tableWrite: budget.tableWrite / n }),
    ...(budget.indexWrites && { indexWrites: Object.fromEntries(Object.entries(budget.indexWrites).map(([name, rate]) => [name, rate / n])) }),
  };
}

/** Whether a budget limits anything. */
export const isLimited = (budget: CapacityBudget | undefined): budget is CapacityBudget =>
  budget !== undefined && (budget.read !== undefined || budget.write !== undefined || budget.tableWrite !== undefined || budget.indexWrites !== undefined);
