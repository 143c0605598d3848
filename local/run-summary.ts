import { summarize } from '../handlers/summarize';
import type { Summary } from '../workflow/contract';
import { zeroTotals } from '../workflow/totals';
import type { LocalRunResult } from './runner';

/**
 * The run's result as one object: the execution output when it succeeded, and otherwise the same
 * shape with status FAILED, the error, its cause and the totals so far.
 */
export function resultSummary(result: LocalRunResult, table: string): Summary {
  const failure = { status: 'FAILED' as const, error: result.error ?? 'Error', cause: result.cause ?? '' };
  const awsFit = { awsFit: result.awsFit };
  if (result.summary) return result.status === 'SUCCEEDED' ? { ...result.summary, ...awsFit } : { ...result.summary, ...failure, ...awsFit };
  if (result.plan) return { ...summarize(result.plan, result.backup ?? 'skipped', result.segments).summary, ...failure, ...awsFit };
  return { migrationId: '', table, dryRun: false, ...zeroTotals(), backup: 'skipped', failures: [], changes: [], ...failure, ...awsFit };
}
