import { summarize } from '../handlers/summarize';
import { zeroTotals, type Summary } from '../workflow/contract';
import type { LocalRunResult } from '../local/run-workflow';
import type { BackupDetails } from '../local/table-backup';

/**
 * The one JSON object `--json` prints: the execution output when the run succeeded, and otherwise
 * the same shape with status FAILED, the error, its cause and the totals so far.
 */
export function resultObject(result: LocalRunResult, table: string, backup?: BackupDetails): Summary {
  if (result.summary) {
    return result.status === 'SUCCEEDED' ? result.summary : { ...result.summary, status: 'FAILED', error: result.error!, cause: result.cause! };
  }
  const backupRef = backup ? { name: backup.BackupName, arn: backup.BackupArn, status: backup.BackupStatus } : ('skipped' as const);
  const failure = { status: 'FAILED' as const, error: result.error ?? 'Error', cause: result.cause ?? '' };
  if (result.plan) return { ...summarize(result.plan, backupRef, result.segments).summary, ...failure };
  return { migrationId: '', table, dryRun: false, ...zeroTotals(), backup: 'skipped', failures: [], changes: [], ...failure };
}

/** A short human summary table. */
export function summaryTable(summary: Summary, seconds: number): string {
  const rows: [string, string][] = [
    ['status', summary.status],
    ['table', summary.table],
    ['migration', `${summary.migrationId}${summary.dryRun ? ' (dry run: nothing written)' : ''}`],
    ['scanned', String(summary.scanned)],
    [summary.dryRun ? 'would update' : 'updated', String(summary.updated)],
    ['unchanged', String(summary.unchanged)],
    [summary.dryRun ? 'would delete' : 'deleted', String(summary.deleted)],
    ['skipped', String(summary.skipped)],
    ['failed', String(summary.failed)],
    ['retries / conflicts', `${summary.retries} / ${summary.conflicts}`],
    ['backup', summary.backup === 'skipped' ? 'skipped' : summary.backup.name],
    ['time', `${seconds.toFixed(1)} s (${Math.round(summary.scanned / Math.max(seconds, 0.001))} items/s)`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`);
  for (const f of summary.failures.slice(0, 5)) lines.push(`  failed item ${JSON.stringify(f.key)}: ${f.reason}`);
  for (const c of summary.changes.slice(0, 3)) lines.push(`  would ${c.action} ${JSON.stringify(c.key)}${c.set ? ` set ${JSON.stringify(c.set)}` : ''}${c.remove ? ` remove ${c.remove.join(', ')}` : ''}`);
  if (summary.error) lines.push(`  error: ${summary.error}: ${summary.cause ?? ''}`);
  return lines.join('\n');
}
