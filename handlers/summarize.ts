import type { Backup, Plan, SegmentProgress, Summary } from '../workflow/contract';
import { SAMPLE_LIMIT } from '../workflow/samples';
import type { ResultOf } from '../workflow/steps';
import { addTotals, unpackTotals, zeroTotals } from '../workflow/totals';

/** A Fail state's cause holds at most 32,768 characters. */
const MAX_CAUSE_CHARS = 30_000;

/** Adds up the segments' totals and samples, and decides whether the run stayed within tolerance. */
export function summarize(plan: Plan, backup: Backup, segments: SegmentProgress[]): ResultOf<'summarize'> {
  const totals = segments.reduce((sum, s) => addTotals(sum, unpackTotals(s.totals)), zeroTotals());
  const status = totals.failed > plan.toleratedFailures ? 'FAILED' : 'SUCCEEDED';
  const summary: Summary = {
    status,
    migrationId: plan.migrationId,
    table: plan.table,
    dryRun: plan.dryRun,
    ...totals,
    backup,
    failures: segments.flatMap((s) => s.failures ?? []).slice(0, SAMPLE_LIMIT),
    changes: segments.flatMap((s) => s.changes ?? []).slice(0, SAMPLE_LIMIT),
  };
  // Keep the cause whole JSON by dropping samples first.
  const withSamples = JSON.stringify(summary);
  const failureCause =
    status === 'FAILED'
      ? `${totals.failed} items failed, more than the ${plan.toleratedFailures} tolerated (toleratedFailures). Failed items were left as they were. Summary: ${
          withSamples.length < MAX_CAUSE_CHARS ? withSamples : JSON.stringify({ ...summary, failures: summary.failures.slice(0, 3), changes: [] })
        }`
      : '';
  return { summary, failureCause };
}
