import { payloadBytes } from '../../asl/limits';
import { decodeCursor, encodeCursor } from '../../handlers/cursor';
import { permanentStepErrorNames, stepErrors } from '../../workflow/errors';
import { waitForOtherSegments } from '../../workflow/retries';
import { fitSample, MAX_SAMPLE_BYTES, RUN_SAMPLE_BYTES, SAMPLE_LIMIT, SampleBudget, segmentSampleBytes } from '../../workflow/samples';
import { packTotals, TOTALS_FIELDS, unpackTotals, zeroTotals } from '../../workflow/totals';

describe('GIVEN scan cursors', () => {
  it('WHEN a LastEvaluatedKey with string, number and binary parts goes through JSON THEN it comes back exactly', () => {
    const key = { pk: { B: new Uint8Array([0, 255, 7]) }, sk: { N: '12345678901234567890123456789012345678' }, g: { S: 'x' } };
    const cursor = encodeCursor(key);
    expect(decodeCursor(JSON.parse(JSON.stringify(cursor)) as string)).toStrictEqual(key);
  });

  it('WHEN a key attribute is named like an encoding marker THEN the cursor still round-trips', () => {
    const key = { $b64: { S: 'not binary' }, B: { B: new Uint8Array([1, 2]) } };
    expect(decodeCursor(encodeCursor(key))).toStrictEqual(key);
  });

  it('WHEN a cursor is damaged THEN the error says so', () => {
    expect(() => decodeCursor('not-base64-json')).toThrow(/The scan cursor "not-base64-json" is damaged/);
  });
});

describe('GIVEN the counters on the wire', () => {
  it('WHEN packed and unpacked THEN every counter keeps its name and value, and a short array counts as zeros', () => {
    const totals = Object.fromEntries(TOTALS_FIELDS.map((f, i) => [f, i * 1000 + 1])) as ReturnType<typeof zeroTotals>;
    expect(unpackTotals(packTotals(totals))).toStrictEqual(totals);
    expect(unpackTotals([])).toStrictEqual(zeroTotals());
  });
});

describe('GIVEN samples budgeted in bytes', () => {
  it.each([1, 8, 25, 48, 49, 1000])('WHEN a run has %i segments THEN their budgets add up to at most the run budget', (totalSegments) => {
    const budgets = Array.from({ length: totalSegments }, (_, s) => segmentSampleBytes(s, totalSegments));
    expect(budgets.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(RUN_SAMPLE_BYTES);
    expect(budgets[0]).toBeGreaterThanOrEqual(MAX_SAMPLE_BYTES);
  });

  it('WHEN a sample is far too large (long key, long reason, many attributes) THEN it is shrunk as a whole to fit', () => {
    const huge = {
      key: { pk: 'k'.repeat(1024), sk: 'é'.repeat(600) },
      action: 'update',
      set: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`attribute-with-a-long-name-${'x'.repeat(200)}-${i}`, 'v'.repeat(300)])),
      remove: Array.from({ length: 300 }, (_, i) => `gone-${i}`),
    };
    const fitted = fitSample(huge, MAX_SAMPLE_BYTES);
    expect(fitted).toBeDefined();
    expect(payloadBytes(fitted)).toBeLessThanOrEqual(MAX_SAMPLE_BYTES);
    expect((fitted!.key.pk as string).startsWith('kkkk')).toBe(true);
    expect(Object.keys(fitted!).sort()).toStrictEqual(['action', 'key', 'remove', 'set']);
    expect(fitSample({ key: 'x' }, 4)).toBeUndefined();
  });

  it('WHEN samples keep coming THEN a segment keeps what fits its budget and at most SAMPLE_LIMIT of each kind', () => {
    const failures: unknown[] = [];
    const changes: unknown[] = [];
    const budget = new SampleBudget(2000, [failures, changes]);
    for (let i = 0; i < 100; i++) {
      budget.admit(failures, { key: { pk: `item-${i}` }, reason: 'r'.repeat(300) });
      budget.admit(changes, { key: { pk: `item-${i}` }, action: 'delete' });
    }
    expect(payloadBytes(failures) + payloadBytes(changes)).toBeLessThanOrEqual(2000);
    expect(failures.length).toBeGreaterThan(0);
    expect(changes.length).toBeLessThanOrEqual(SAMPLE_LIMIT);
  });
});

describe('GIVEN the errors the steps throw', () => {
  it.each(stepErrors.map((e) => [e.errorName, e] as const))('WHEN %s is thrown THEN its name is what the definition lists', (errorName, ErrorClass) => {
    const error = new (ErrorClass as new (...args: string[]) => Error)('t', 'x');
    expect(error.name).toBe(errorName);
    expect(waitForOtherSegments(960).ErrorEquals).toContain(error.name);
  });

  it('WHEN the definition lists errors it never retries THEN they are exactly the step errors', () => {
    expect([...permanentStepErrorNames].sort()).toStrictEqual(stepErrors.map((e) => e.errorName).sort());
  });
});
