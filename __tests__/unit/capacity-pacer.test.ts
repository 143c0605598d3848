import { AdaptiveRate } from '../../handlers/adaptive-rate';
import { CapacityPacer, type CallKind } from '../../handlers/capacity-pacer';
import { chargeOf, type Charge } from '../../handlers/consumed-capacity';
import { NotSentError } from '../../handlers/deadline';
import { itemsPerSecondCeiling } from '../../handlers/migrate-batch';
import { RateBucket } from '../../handlers/rate-bucket';
import { payloadBytes } from '../../asl/limits';
import type { Plan, SegmentProgress } from '../../workflow/contract';
import { RUN_SAMPLE_BYTES } from '../../workflow/samples';
import { packTotals, TOTALS_FIELDS, type Totals } from '../../workflow/totals';

/** A clock that moves only when the code under test sleeps. */
function fakeTime() {
  let now = 1_000_000;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
    sleep: async (ms: number, signal: AbortSignal) => {
      if (signal.aborted) throw new NotSentError();
      now += ms;
    },
  };
}

const never = new AbortController().signal;
const charge = (total: number, table = total, indexes: Record<string, number> = {}): Charge => ({ total, table, indexes });

/** Sends `calls` calls of `kind` one after another through the pacer, each costing `cost`; returns the fake seconds taken. */
async function drive(pacer: CapacityPacer, time: ReturnType<typeof fakeTime>, kind: CallKind, calls: number, cost: Charge): Promise<number> {
  const started = time.now();
  for (let i = 0; i < calls; i++) {
    const ticket = await pacer.admit(kind, { signal: never, notAfter: Infinity });
    pacer.settle(ticket, cost);
  }
  return (time.now() - started) / 1000;
}

describe('GIVEN a rate bucket of 10 units a second', () => {
  it('WHEN a 30-unit call drains it THEN it is in debt for 3 s, and refilled it holds at most its burst', () => {
    const time = fakeTime();
    const bucket = new RateBucket(10, 1, time.now);
    time.advance(100);
    expect(bucket.msUntilAvailable()).toBe(0);
    bucket.take(30);
    expect(bucket.units).toBeCloseTo(-29);
    expect(bucket.msUntilAvailable()).toBeCloseTo(2900, 0);
    time.advance(60_000);
    expect(bucket.units).toBe(10);
  });
});

describe('GIVEN an adaptive rate with a budget of 100 units a second', () => {
  it('WHEN every recent call was throttled THEN it halves, once per reaction time, and recovers 5 units a second back to the budget', () => {
    const time = fakeTime();
    const rate = new AdaptiveRate(100, undefined, { now: time.now });
    expect(rate.limit()).toBe(100);

    expect(rate.throttled({ rate: 100, throttledShare: 1 })).toBe(true);
    expect(rate.limit()).toBe(50);
    // The answers to calls already in flight do not cut again.
    expect(rate.throttled({ rate: 100, throttledShare: 1 })).toBe(false);
    time.advance(2_000);
    expect(rate.limit()).toBeCloseTo(60);
    time.advance(8_000);
    expect(rate.limit()).toBe(100);
    expect(rate.holdingBack).toBe(false);
  });

  it('WHEN a stray call among many was throttled THEN it barely slows (cut by half the throttled share)', () => {
    const time = fakeTime();
    const rate = new AdaptiveRate(100, undefined, { now: time.now });
    rate.throttled({ rate: 100, throttledShare: 0.02 });
    expect(rate.limit()).toBeCloseTo(99);
  });

  it('WHEN the segment used less than its budget THEN the cut starts from what it used', () => {
    const time = fakeTime();
    const rate = new AdaptiveRate(100, undefined, { now: time.now });
    rate.throttled({ rate: 40, throttledShare: 1 });
    expect(rate.limit()).toBe(20);
  });

  it('WHEN throttles keep coming THEN it goes no lower than 5% of the budget', () => {
    const time = fakeTime();
    const rate = new AdaptiveRate(100, undefined, { now: time.now });
    for (let i = 0; i < 20; i++) {
      rate.throttled({ rate: rate.limit(), throttledShare: 1 });
      time.advance(1_000);
    }
    expect(rate.limit()).toBeGreaterThanOrEqual(5);
    expect(rate.limit()).toBeLessThan(11);
  });

  it('WHEN a call carries a rate from the last one THEN it goes on recovering from there', () => {
    const time = fakeTime();
    const rate = new AdaptiveRate(100, 30, { now: time.now });
    expect(rate.limit()).toBe(30);
    time.advance(4_000);
    expect(rate.limit()).toBeCloseTo(50);
  });

  it('WHEN there is no budget THEN nothing is limited until a throttle with a measured rate, which cuts from it', () => {
    const time = fakeTime();
    const rate = new AdaptiveRate(Infinity, undefined, { now: time.now });
    expect(rate.throttled({ rate: Number.NaN, throttledShare: 1 })).toBe(false);
    expect(rate.limit()).toBe(Infinity);
    rate.throttled({ rate: 300, throttledShare: 1 });
    expect(rate.limit()).toBe(150);
    time.advance(1_000);
    expect(rate.limit()).toBeCloseTo(165);
  });

  it('WHEN a side that consumes little (Scan pages) keeps being throttled THEN it still gets a unit a second', () => {
    const time = fakeTime();
    const rate = new AdaptiveRate(Infinity, undefined, { now: time.now });
    for (let i = 0; i < 20; i++) {
      rate.throttled({ rate: Math.min(rate.limit(), 3), throttledShare: 1, peakRate: 3 });
      time.advance(1_000);
    }
    expect(rate.limit()).toBeGreaterThanOrEqual(1);
    expect(rate.limit()).toBeLessThan(1.5);
  });
});

describe('GIVEN a segment pacer', () => {
  it('WHEN writes of 2 units each go through a 10-unit budget THEN 20 units a second are consumed, not 10 writes', async () => {
    const time = fakeTime();
    const pacer = new CapacityPacer({ write: 10 }, time);
    const seconds = await drive(pacer, time, 'write', 101, charge(2));
    // The first write goes at once; the next 100 (200 units) take 20 s.
    expect(seconds).toBeCloseTo(20, 0);
    expect(pacer.consumed.write).toBe(202);
  });

  it('WHEN a write also costs a GSI with a smaller budget THEN the GSI budget paces it', async () => {
    const time = fakeTime();
    const pacer = new CapacityPacer({ tableWrite: 100, indexWrites: { g: 5 } }, time);
    const seconds = await drive(pacer, time, 'write', 51, charge(2, 1, { g: 1 }));
    expect(seconds).toBeCloseTo(10, 0);
  });

  it('WHEN reads and writes have budgets THEN each is paced by its own (a Scan page waits for reads only)', async () => {
    const time = fakeTime();
    const pacer = new CapacityPacer({ read: 4, write: 1000 }, time);
    expect(await drive(pacer, time, 'scan', 11, charge(2))).toBeCloseTo(5, 0);
    expect(await drive(pacer, time, 'write', 100, charge(1))).toBeLessThan(0.2);
  });

  it('WHEN nothing limits a side THEN calls go out at once and are still counted', async () => {
    const time = fakeTime();
    const pacer = new CapacityPacer({}, time);
    expect(await drive(pacer, time, 'write', 1000, charge(1.5))).toBe(0);
    expect(pacer.consumed).toEqual({ read: 0, write: 1500 });
  });

  it('WHEN the wait would pass the time it may wait THEN the call is refused at once as never sent', async () => {
    const time = fakeTime();
    const pacer = new CapacityPacer({ write: 1 }, time);
    pacer.settle(await pacer.admit('write', { signal: never, notAfter: Infinity }), charge(10));
    const before = time.now();
    await expect(pacer.admit('write', { signal: never, notAfter: before + 5_000 })).rejects.toBeInstanceOf(NotSentError);
    expect(time.now()).toBe(before);
  });

  it('WHEN calls are throttled THEN the write rate is cut, carried as the pace, and a throttled call consumed nothing', async () => {
    const time = fakeTime();
    const pacer = new CapacityPacer({ write: 100 }, time);
    await drive(pacer, time, 'write', 200, charge(1));
    const ticket = await pacer.admit('write', { signal: never, notAfter: Infinity });
    for (let i = 0; i < 200; i++) pacer.throttled('write');
    pacer.settle(ticket, 'throttled');
    expect(pacer.consumed.write).toBe(200);
    // About half the recent calls were throttled: cut by a quarter from the measured 100 units a second.
    expect(pacer.pace().write).toBeGreaterThan(70);
    expect(pacer.pace().write).toBeLessThan(80);
    expect(pacer.pace().read).toBeUndefined();
  });

  it('WHEN the budget changes (the table was scaled) THEN the new one paces from then on', async () => {
    const time = fakeTime();
    const pacer = new CapacityPacer({ tableWrite: 100 }, time);
    pacer.setBudget({ tableWrite: 10 });
    expect(await drive(pacer, time, 'write', 51, charge(1))).toBeCloseTo(5, 0);
  });

  it('WHEN a call reports nothing it consumed (a failed conditional write) THEN its estimate is charged', async () => {
    const time = fakeTime();
    const pacer = new CapacityPacer({ write: 10 }, time);
    pacer.settle(await pacer.admit('write', { signal: never, notAfter: Infinity }), 'unknown');
    expect(pacer.consumed.write).toBe(1);
  });
});

describe('GIVEN ConsumedCapacity as DynamoDB reports it', () => {
  it.each([
    ['INDEXES, with GSIs and an LSI', { TableName: 't', CapacityUnits: 7, Table: { CapacityUnits: 2 }, LocalSecondaryIndexes: { l: { CapacityUnits: 1 } }, GlobalSecondaryIndexes: { a: { CapacityUnits: 2 }, b: { CapacityUnits: 2 } } }, charge(7, 3, { a: 2, b: 2 })],
    ['TOTAL', { TableName: 't', CapacityUnits: 1.5 }, charge(1.5)],
    ['nothing', undefined, undefined],
  ])('WHEN it is %s THEN the charge splits it by the capacity each part draws on', (_case, consumed, expected) => {
    expect(chargeOf(consumed)).toStrictEqual(expected);
  });
});

describe('GIVEN pages sized under a budget', () => {
  const plan = { maxConcurrency: 4, totalSegments: 16, maxItemsPerSecond: 0, dryRun: false } as Plan;

  it('WHEN a segment has a write budget THEN it bounds the items it can migrate per second (each written item costs at least a unit)', () => {
    expect(itemsPerSecondCeiling({ ...plan, budget: { tableWrite: 40 } })).toBe(10);
    expect(itemsPerSecondCeiling({ ...plan, budget: { write: 80, tableWrite: 400 }, maxItemsPerSecond: 20 })).toBe(5);
    expect(itemsPerSecondCeiling({ ...plan, budget: { read: 80 } })).toBe(0);
    // A dry run writes nothing: its write budget does not slow it.
    expect(itemsPerSecondCeiling({ ...plan, dryRun: true, budget: { tableWrite: 40 } })).toBe(0);
  });
});

describe('GIVEN the counters on the wire', () => {
  it('WHEN 1,000 segments finish with every counter at 12 digits and the samples full THEN the gathered Map output stays under 200 KiB', () => {
    const totals = Object.fromEntries(TOTALS_FIELDS.map((f) => [f, f.endsWith('Units') ? 99_999_999_999.95 : 999_999_999_999])) as Totals;
    const finished: SegmentProgress = { calls: 999_999, totals: packTotals(totals) };
    const gathered = Array.from({ length: 1000 }, () => finished);
    expect(payloadBytes(gathered) + RUN_SAMPLE_BYTES).toBeLessThanOrEqual(200 * 1024);
  });

  it('WHEN capacity units carry float noise THEN they travel rounded to one decimal', () => {
    const totals = Object.fromEntries(TOTALS_FIELDS.map((f) => [f, 0])) as Totals;
    totals.readUnits = 0.1 + 0.2;
    totals.writeUnits = 1234.56;
    const packed = packTotals(totals);
    expect(packed[TOTALS_FIELDS.indexOf('readUnits')]).toBe(0.3);
    expect(packed[TOTALS_FIELDS.indexOf('writeUnits')]).toBe(1234.6);
  });
});
