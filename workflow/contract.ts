/**
 * The data that flows between the workflow's states and the Lambda: one place, so the definition,
 * the handler and the local runner cannot disagree about a field.
 */

/** Counts kept per segment and summed for the run. */
export interface Totals {
  scanned: number;
  updated: number;
  unchanged: number;
  deleted: number;
  failed: number;
  skipped: number;
  /** DynamoDB calls that were retried after throttling or a transient error. */
  retries: number;
  /** Writes re-done after a concurrent change made their condition fail. */
  conflicts: number;
}

/** A fresh set of counters. */
export const zeroTotals = (): Totals => ({
  scanned: 0,
  updated: 0,
  unchanged: 0,
  deleted: 0,
  failed: 0,
  skipped: 0,
  retries: 0,
  conflicts: 0,
});

/** Adds `more` into `into`, in place. */
export function addTotals(into: Totals, more: Totals): Totals {
  for (const k of Object.keys(into) as (keyof Totals)[]) into[k] += more[k];
  return into;
}

/** One item the migration could not migrate, and why. */
export interface ItemFailure {
  key: Record<string, unknown>;
  reason: string;
}

/** A before/after sample of one item, kept in dry runs. */
export interface ItemChange {
  key: Record<string, unknown>;
  action: 'update' | 'delete';
  set?: Record<string, unknown>;
  remove?: string[];
}

/** The validated, defaulted plan that Prepare returns and every later step reads. */
export interface Plan {
  table: string;
  migrationId: string;
  dryRun: boolean;
  skipBackup: boolean;
  totalSegments: number;
  maxConcurrency: number;
  pageSize: number;
  maxItemsPerSecond: number;
  toleratedFailures: number;
  versionAttribute?: string;
  keyAttributes: string[];
  itemEstimate: number;
  backupName: string;
}

/** A segment's progress: the cursor to go on from (absent when the segment is done) and its totals. */
export interface SegmentProgress {
  segment: number;
  cursor?: string;
  invocations: number;
  totals: Totals;
  failures: ItemFailure[];
  changes: ItemChange[];
}

/** What CreateBackup/DescribeBackup leave in the state, or 'skipped'. */
export type BackupRef = { name: string; arn: string; status: string } | 'skipped';

/** The payload of each Lambda step; `step` names which one runs. */
export type StepEvent =
  | { step: 'prepare'; input: unknown; executionName: string }
  | { step: 'migrateBatch'; plan: Plan; segment: number; progress: Partial<SegmentProgress> }
  | { step: 'summarize'; plan: Plan; backup: BackupRef; segments: SegmentProgress[] };

/** The execution's output, and the JSON that `ddb-migrate run --json` prints. */
export interface Summary extends Totals {
  status: 'SUCCEEDED' | 'FAILED';
  migrationId: string;
  table: string;
  dryRun: boolean;
  backup: { name: string; arn: string } | 'skipped';
  failures: ItemFailure[];
  changes: ItemChange[];
  error?: string;
  cause?: string;
}

/** What Prepare and Summarize return. */
export interface PrepareResult {
  plan: Plan;
  segments: number[];
}
export interface SummarizeResult {
  summary: Summary;
  failureCause: string;
}

/** How many failure and change samples the whole run keeps (split across segments). */
export const SAMPLE_LIMIT = 25;

/**
 * How many samples one segment keeps. The Map gathers every segment's output into one state of at
 * most 256 KiB, so only the first SAMPLE_LIMIT segments keep samples (the others still count their
 * failures, and log each with its key): 1,000 segments stay near 200 KB in all.
 */
export const samplesForSegment = (segment: number, totalSegments: number): number =>
  segment < SAMPLE_LIMIT ? Math.max(1, Math.floor(SAMPLE_LIMIT / Math.min(totalSegments, SAMPLE_LIMIT))) : 0;
