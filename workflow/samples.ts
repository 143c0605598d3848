/**
 * Samples of failed and changed items ride in each segment's result, which the Map gathers into one
 * state of at most 256 KiB. So samples are budgeted in bytes: the run's budget is spread over the
 * first segments, and every sample is shrunk as a whole (key, reason, values, lists) to fit its share.
 */
import { payloadBytes } from '../asl/limits';

/** How many failure samples, and how many change samples, a run's summary keeps. */
export const SAMPLE_LIMIT = 25;
/** The largest one sample may be, as UTF-8 JSON. */
export const MAX_SAMPLE_BYTES = 512;
/** All segments' samples together, as UTF-8 JSON. */
export const RUN_SAMPLE_BYTES = 24 * 1024;

/** Bytes of samples segment `segment` may keep: a share of the run's budget for the first segments, none for the rest. */
export function segmentSampleBytes(segment: number, totalSegments: number): number {
  const keeping = Math.min(totalSegments, Math.floor(RUN_SAMPLE_BYTES / MAX_SAMPLE_BYTES));
  return segment < keeping ? Math.floor(RUN_SAMPLE_BYTES / keeping) : 0;
}


const cut = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, Math.max(max - 1, 1))}…`);

/** A copy of `value` with strings (and object keys) cut to `maxChars` and lists and objects cut to `maxEntries`. */
function shrink(value: unknown, maxChars: number, maxEntries: number): unknown {
  if (typeof value === 'string') return cut(value, maxChars);
  if (Array.isArray(value)) {
    const kept = value.slice(0, maxEntries).map((v) => shrink(v, maxChars, maxEntries));
    return value.length > maxEntries ? [...kept, `… ${value.length - maxEntries} more`] : kept;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    const kept = entries.slice(0, maxEntries).map(([k, v]) => [cut(k, maxChars), shrink(v, maxChars, maxEntries)]);
    if (entries.length > maxEntries) kept.push(['…', `${entries.length - maxEntries} more`]);
    return Object.fromEntries(kept);
  }
  return value;
}

/**
 * `sample` shrunk until its JSON takes at most `maxBytes`: long strings first, then long lists and
 * maps. Undefined when not even the smallest form fits.
 */
export function fitSample<T>(sample: T, maxBytes: number): T | undefined {
  if (payloadBytes(sample) <= maxBytes) return sample;
  for (let maxChars = 200, maxEntries = 20; maxChars >= 8; maxChars = Math.floor(maxChars / 2), maxEntries = Math.max(1, Math.floor(maxEntries / 2))) {
    // The sample's own fields stay (a reader and the schema expect them); what they hold shrinks.
    const smaller = (
      sample !== null && typeof sample === 'object' && !Array.isArray(sample)
        ? Object.fromEntries(Object.entries(sample).map(([field, value]) => [field, shrink(value, maxChars, maxEntries)]))
        : shrink(sample, maxChars, maxEntries)
    ) as T;
    if (payloadBytes(smaller) <= maxBytes) return smaller;
  }
  return undefined;
}

/** One segment's sample budget, shared by its lists: what does not fit is left out (and still counted). */
export class SampleBudget {
  private used: number;

  constructor(
    private readonly budgetBytes: number,
    lists: readonly unknown[][],
  ) {
    this.used = lists.flat().reduce<number>((n, s) => n + payloadBytes(s) + 1, 0);
  }

  /** Appends `sample` to `list`, shrunk to fit, if the list is under SAMPLE_LIMIT and the budget allows. */
  admit<T>(list: T[], sample: T): void {
    const room = Math.min(MAX_SAMPLE_BYTES, this.budgetBytes - this.used - 1);
    if (list.length >= SAMPLE_LIMIT || room <= 0) return;
    const fitted = fitSample(sample, room);
    if (fitted === undefined) return;
    list.push(fitted);
    this.used += payloadBytes(fitted) + 1;
  }
}
