import { itemsPerSecondPerSegment, pageLimit } from '../../handlers/migrate-batch';
import { Pacer } from '../../handlers/pacer';
import { backupNameFor } from '../../handlers/prepare';
import type { Plan } from '../../workflow/contract';

describe('rate limiting', () => {
  it('spaces items 1/rate apart and never sleeps when unlimited', async () => {
    let now = 0;
    const sleeps: number[] = [];
    const pacer = new Pacer(4, () => now, async (ms) => { sleeps.push(ms); now += ms; });
    for (let i = 0; i < 5; i++) await pacer.take();
    expect(sleeps).toStrictEqual([250, 250, 250, 250]);
    expect(now).toBe(1000);

    const unlimited = new Pacer(0, () => 0, async () => { throw new Error('must not sleep'); });
    await expect(Promise.all([unlimited.take(), unlimited.take()])).resolves.toBeDefined();
  });

  it('shares the run-wide rate between the segments that run at once', () => {
    const plan = { maxItemsPerSecond: 1000, maxConcurrency: 4, totalSegments: 16 } as Plan;
    expect(itemsPerSecondPerSegment(plan)).toBe(250);
    expect(itemsPerSecondPerSegment({ ...plan, totalSegments: 2 })).toBe(500);
    expect(itemsPerSecondPerSegment({ ...plan, maxItemsPerSecond: 0 })).toBe(0);
  });
});

describe('page size under a rate limit', () => {
  it.each([
    [100, 0, 1_000, 100],
    [1000, 1, 900_000, 450],
    [1000, 1, 10_000, 5],
    [100, 50, 60_000, 100],
    [100, 1, 0, 1],
  ])('asks for %i items at %i items/s with %i ms left: %i', (pageSize, rate, availableMs, expected) => {
    expect(pageLimit(pageSize, rate, availableMs)).toBe(expected);
  });
});

describe('backup names', () => {
  it.each([
    ['orders', 'clf', 'exec-1', 'orders-clf-exec-1'],
    ['t', 'm', 'a:b c', 't-m-a-b-c'],
    ['x'.repeat(250), 'm', 'e', `${'x'.repeat(250)}-m-e`.slice(0, 255)],
  ])('fits DynamoDB rules for %s/%s/%s', (table, id, execution, expected) => {
    const name = backupNameFor(table, id, execution);
    expect(name).toBe(expected);
    expect(name).toMatch(/^[A-Za-z0-9_.-]{3,255}$/);
  });
});
