import type { TableDescription } from '@aws-sdk/client-dynamodb';
import { resolveCapacityBudget, segmentBudget, type BudgetInput } from '../../handlers/capacity-budget';
import type { Plan } from '../../workflow/contract';
import { builtInTuning, resolveInput } from '../../workflow/input';

const none: BudgetInput = { maxWriteUnitsPerSecond: 0, maxReadUnitsPerSecond: 0, writeCapacityPercent: 0, readCapacityPercent: 0 };

const provisioned: TableDescription = {
  TableName: 'orders',
  ProvisionedThroughput: { ReadCapacityUnits: 400, WriteCapacityUnits: 200 },
  GlobalSecondaryIndexes: [
    { IndexName: 'by-customer', ProvisionedThroughput: { ReadCapacityUnits: 50, WriteCapacityUnits: 100 } },
    { IndexName: 'by-status', ProvisionedThroughput: { ReadCapacityUnits: 10, WriteCapacityUnits: 30 } },
  ],
};
const onDemand: TableDescription = {
  TableName: 'events',
  BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
  ProvisionedThroughput: { ReadCapacityUnits: 0, WriteCapacityUnits: 0 },
};

describe('GIVEN capacity budgets in the execution input', () => {
  it('WHEN nothing is asked THEN nothing is limited, on either kind of table', () => {
    expect(resolveCapacityBudget(none, provisioned)).toStrictEqual({});
    expect(resolveCapacityBudget(none, onDemand)).toStrictEqual({});
  });

  it('WHEN writeCapacityPercent is 50 on a provisioned table THEN the table and each GSI get half their own write capacity', () => {
    expect(resolveCapacityBudget({ ...none, writeCapacityPercent: 50 }, provisioned)).toStrictEqual({
      tableWrite: 100,
      indexWrites: { 'by-customer': 50, 'by-status': 15 },
    });
  });

  it('WHEN readCapacityPercent and an absolute read budget are both set THEN the stricter one applies', () => {
    expect(resolveCapacityBudget({ ...none, readCapacityPercent: 25, maxReadUnitsPerSecond: 500 }, provisioned)).toStrictEqual({ read: 100 });
    expect(resolveCapacityBudget({ ...none, readCapacityPercent: 25, maxReadUnitsPerSecond: 40 }, provisioned)).toStrictEqual({ read: 40 });
  });

  it('WHEN absolute budgets are set on an on-demand table THEN they are the budget as given (writes: table and indexes together)', () => {
    expect(resolveCapacityBudget({ ...none, maxWriteUnitsPerSecond: 300, maxReadUnitsPerSecond: 1000 }, onDemand)).toStrictEqual({ write: 300, read: 1000 });
  });

  it.each([
    [{ writeCapacityPercent: 50 }, ["'writeCapacityPercent' 50", 'maxWriteUnitsPerSecond (--max-write-units-per-second)'], ['readCapacityPercent']],
    [{ readCapacityPercent: 10 }, ["'readCapacityPercent' 10", 'maxReadUnitsPerSecond (--max-read-units-per-second)'], ['writeCapacityPercent']],
    [{ writeCapacityPercent: 5, readCapacityPercent: 5 }, ["'writeCapacityPercent' 5 and 'readCapacityPercent' 5", 'maxWriteUnitsPerSecond', 'maxReadUnitsPerSecond'], []],
  ])('WHEN %j is asked of an on-demand table THEN the input error names the table and the absolute option to use instead', (asked, mentions, absent) => {
    let error: unknown;
    try {
      resolveCapacityBudget({ ...none, ...asked }, onDemand);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ name: 'InvalidInputError', message: expect.stringContaining("table 'events' is on-demand (PAY_PER_REQUEST)") });
    for (const text of mentions) expect((error as Error).message).toContain(text);
    for (const text of absent) expect((error as Error).message).not.toContain(text);
  });

  it.each([
    [{ writeCapacityPercent: 101 }, "'writeCapacityPercent' must be at most 100, got 101"],
    [{ readCapacityPercent: -1 }, "'readCapacityPercent' must be at least 0, got -1"],
    [{ maxWriteUnitsPerSecond: 2.5 }, "'maxWriteUnitsPerSecond' must be a whole number, got 2.5"],
    [{ maxReadUnitsPerSecond: '100' }, '\'maxReadUnitsPerSecond\' must be a number, got "100"'],
  ])('WHEN the input has %j THEN it is refused naming the field, the value and the range', (input, message) => {
    expect(() => resolveInput(input, builtInTuning)).toThrow(message);
  });
});

describe('GIVEN a run-wide budget and segments running side by side', () => {
  const plan = { maxConcurrency: 4, totalSegments: 16 } as Plan;

  it('WHEN it is split THEN each running segment gets an equal share of every dimension', () => {
    expect(segmentBudget({ read: 100, write: 80, tableWrite: 40, indexWrites: { g: 20 } }, plan)).toStrictEqual({ read: 25, write: 20, tableWrite: 10, indexWrites: { g: 5 } });
    expect(segmentBudget({ write: 80 }, { ...plan, totalSegments: 2 })).toStrictEqual({ write: 40 });
  });
});
