import { migrationSummary } from '../handlers/summarize';
import type { Summary } from '../workflow/contract';
import { unpackTotals, zeroTotals, addTotals } from '../workflow/totals';
import type { LocalRunResult } from './runner';

/** The summary a failed run put into its cause (a Fail state's cause ends with ` Summary: {...}`). */
function summaryInCause(cause: string | undefined): Summary | undefined {
  const at = cause?.indexOf(' Summary: {') ?? -1;
  if (at < 0 || cause === undefined) return undefined;
  try {
    return JSON.parse(cause.slice(at + ' Summary: '.length)) as Summary;
  } catch {
    return undefined;
  }
}

/**
 * A migration run's result as one object: the execution output when it succeeded, and otherwise the
 * same shape with status FAILED, the error, its cause and the totals so far.
 */
export function resultSummary(result: LocalRunResult, table: string): Summary {
  const failure = { status: 'FAILED' as const, error: result.error ?? 'Error', cause: result.cause ?? '' };
  const awsFit = { awsFit: result.awsFit };
  if (result.summary) return { ...result.summary, ...awsFit };
  const fromCause = summaryInCause(result.cause);
  if (fromCause) return { ...fromCause, ...failure, ...awsFit };
  if (result.plan) {
    const totals = result.segments.reduce((sum, p) => addTotals(sum, unpackTotals(p.totals)), zeroTotals());
    return { ...migrationSummary(result.plan, result.backup ?? 'skipped', [{ kind: 'migrate', number: 1, ...totals }], result.segments), ...failure, ...awsFit };
  }
  return { migrationId: '', table, dryRun: false, ...zeroTotals(), backup: 'skipped', failures: [], changes: [], ...failure, ...awsFit };
}
