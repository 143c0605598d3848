import { payloadBytes, StepFunctionsLimits } from '../../asl/limits';
import { LimitMeter } from '../../local/aws-limits';
import type { SegmentProgress } from '../../workflow/contract';
import { MAX_SAMPLE_BYTES, SAMPLE_LIMIT, SampleBudget, segmentSampleBytes } from '../../workflow/samples';
import { TOTALS_FIELDS } from '../../workflow/totals';

describe('GIVEN the largest gathered Map output a run can produce', () => {
  it('WHEN 1,000 segments finish with every counter at 12 digits and every sample at its cap THEN the gathered output stays at or under 200 KiB', () => {
    const segments: SegmentProgress[] = Array.from({ length: 1000 }, (_, segment) => {
      const failures: SegmentProgress['failures'] = [];
      const changes: SegmentProgress['changes'] = [];
      const budget = new SampleBudget(segmentSampleBytes(segment, 1000), [failures, changes]);
      for (let i = 0; i < SAMPLE_LIMIT; i++) {
        budget.admit(failures, { key: { pk: 'k'.repeat(1024), sk: `${segment}-${i}` }, reason: `a long reason ${'r'.repeat(400)}` });
        budget.admit(changes, {
          key: { pk: 'k'.repeat(1024) },
          action: 'update',
          set: Object.fromEntries(Array.from({ length: 22 }, (_, a) => [`renamed-attribute-with-a-long-name-${a}-${'n'.repeat(100)}`, 'v'.repeat(200)])),
          remove: Array.from({ length: 22 }, (_, a) => `old-attribute-with-a-long-name-${a}-${'o'.repeat(100)}`),
        });
      }
      return {
        calls: 999_999,
        // Capacity units travel with one decimal.
        totals: TOTALS_FIELDS.map((field) => (field.endsWith('Units') ? 999_999_999_999.5 : 999_999_999_999)),
        ...(failures.length > 0 && { failures }),
        ...(changes.length > 0 && { changes }),
      };
    });
    const bytes = payloadBytes(segments);
    console.log(`gathered Map output at 1,000 worst-case segments: ${bytes} bytes`);
    expect(bytes).toBeLessThanOrEqual(200 * 1024);
    // The samples really are at their caps: the first segments hold some, each within its size.
    expect((segments[0]!.failures?.length ?? 0) + (segments[0]!.changes?.length ?? 0)).toBeGreaterThan(0);
    expect(segments.flatMap((s) => [...(s.failures ?? []), ...(s.changes ?? [])]).every((s) => payloadBytes(s) <= MAX_SAMPLE_BYTES)).toBe(true);
  });
});

describe('GIVEN the limit meter', () => {
  it('WHEN a payload is over 256 KiB THEN it throws States.DataLimitExceeded naming what, which no Retry or Catch may handle', () => {
    const meter = new LimitMeter();
    meter.payload('input of the state X', { small: true });
    const big = 'x'.repeat(StepFunctionsLimits.payloadBytes);
    expect(() => meter.payload("gathered result of the Map state 'Segments'", big)).toThrow(
      expect.objectContaining({ name: 'States.DataLimitExceeded', isRetryable: false, isCatchable: false, message: expect.stringContaining("gathered result of the Map state 'Segments'") }),
    );
    expect(meter.fit()).toMatchObject({ largestPayloadBytes: StepFunctionsLimits.payloadBytes + 2, payloadLimitBytes: 262_144 });
  });

  it('WHEN an execution passes 25,000 history events THEN it fails as AWS would, and each execution counts its own', () => {
    const meter = new LimitMeter();
    const parent = meter.history('parent');
    const child = meter.history('child');
    parent.add(24_000);
    child.add(25_000);
    expect(() => parent.add(1_001)).toThrow(expect.objectContaining({ name: 'States.Runtime', isCatchable: false }));
    expect(meter.fit()).toMatchObject({ mostHistoryEvents: 25_001, historyEventLimit: 25_000 });
  });
});
