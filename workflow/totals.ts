/**
 * The counters a segment keeps and a run adds up. On the wire (the state payload) they travel as a
 * fixed-order array, so that 1,000 segments' gathered results stay far below the 256 KiB state limit
 * whatever the counts; everywhere else they are a named object.
 */

/** The counters, in their wire order. Append new ones at the end: the order is the wire format. */
export const TOTALS_FIELDS = [
  'scanned',
  'updated',
  'unchanged',
  'deleted',
  'failed',
  'skipped',
  /** DynamoDB calls that were retried after throttling or a transient error. */
  'retries',
  /** Writes re-done after a concurrent change made their condition fail. */
  'conflicts',
  /** DynamoDB calls (attempts) refused for lack of capacity: ProvisionedThroughputExceeded, ThrottlingException, RequestLimitExceeded. */
  'throttles',
  /** Read units the migration consumed (Scan and re-reads), as DynamoDB reported them; may be fractional. */
  'readUnits',
  /** Write units the migration consumed, the table's and every index's, as DynamoDB reported them; may be fractional. */
  'writeUnits',
] as const;

/** Counts kept per segment and summed for the run. */
export type Totals = Record<(typeof TOTALS_FIELDS)[number], number>;

/** A fresh set of counters. */
export const zeroTotals = (): Totals => Object.fromEntries(TOTALS_FIELDS.map((f) => [f, 0])) as Totals;

/** Adds `more` into `into`, in place. */
export function addTotals(into: Totals, more: Totals): Totals {
  for (const field of TOTALS_FIELDS) into[field] += more[field];
  return into;
}

/** The counters of a verification pass, in their wire order (append only). */
export const VERIFY_FIELDS = ['checked', 'migrated', 'unmigrated', 'retries', 'throttles', 'readUnits'] as const;

/** Counts of a verification pass. */
export type VerifyTotals = Record<(typeof VERIFY_FIELDS)[number], number>;

/** A fresh set of verification counters. */
export const zeroVerifyTotals = (): VerifyTotals => Object.fromEntries(VERIFY_FIELDS.map((f) => [f, 0])) as VerifyTotals;

/** Verification counters in wire order, and back. */
export const packVerifyTotals = (totals: VerifyTotals): number[] => VERIFY_FIELDS.map((f) => Math.round(totals[f] * 10) / 10);
export const unpackVerifyTotals = (packed: readonly number[]): VerifyTotals =>
  Object.fromEntries(VERIFY_FIELDS.map((f, i) => [f, packed[i] ?? 0])) as VerifyTotals;
/**
 * The wire form: the counters in `TOTALS_FIELDS` order. Capacity units are sums of halves and of
 * fractional GSI charges, so they are rounded to one decimal: the gathered Map output of 1,000
 * segments must stay small whatever float noise the sums carry.
 */
export const packTotals = (totals: Totals): number[] => TOTALS_FIELDS.map((f) => Math.round(totals[f] * 10) / 10);

/** The named form of a wire array; missing trailing counters (an older payload) count as 0. */
export const unpackTotals = (packed: readonly number[]): Totals =>
  Object.fromEntries(TOTALS_FIELDS.map((f, i) => [f, packed[i] ?? 0])) as Totals;
