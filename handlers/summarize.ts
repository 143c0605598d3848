import {
  addTotals,
  SAMPLE_LIMIT,
  zeroTotals,
  type BackupRef,
  type Plan,
  type SegmentProgress,
  type Summary,
  type SummarizeResult,
} from '../workflow/contract';

/** Adds up the segments' totals and samples, and decides whether the run stayed within tolerance. */
export function summarize(plan: Plan, backup: BackupRef, segments: SegmentProgress[]): SummarizeResult {
  const totals = segments.reduce((sum, s) => addTotals(sum, s.totals), zeroTotals());
  const status = totals.failed > plan.toleratedFailures ? 'FAILED' : 'SUCCEEDED';
  const summary: Summary = {
    status,
    migrationId: plan.migrationId,
    table: plan.table,
    dryRun: plan.dryRun,
    ...totals,
    backup: backup === 'skipped' ? 'skipped' : { name: backup.name, arn: backup.arn },
    failures: segments.flatMap((s) => s.failures).slice(0, SAMPLE_LIMIT),
    changes: segments.flatMap((s) => s.changes).slice(0, SAMPLE_LIMIT),
  };
  // A Fail state's cause holds at most 32,768 characters: keep it whole JSON by dropping samples first.
  const withSamples = JSON.stringify(summary);
  const failureCause =
    status === 'FAILED'
      ? `${totals.failed} items failed, more than the ${plan.toleratedFailures} tolerated (toleratedFailures). Failed items were left as they were. Summary: ${
          withSamples.length < 30_000 ? withSamples : JSON.stringify({ ...summary, failures: summary.failures.slice(0, 3), changes: [] })
        }`
      : '';
  return { summary, failureCause };
}
