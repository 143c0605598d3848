import type { RunOutcome } from '../local/run-migration';
import type { AwsFit } from '../asl/limits';
import type { Summary } from '../workflow/contract';

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;

/** How close the run came to Step Functions' limits, in words. */
export const awsFitLine = (fit: AwsFit): string =>
  `largest state payload ${kib(fit.largestPayloadBytes)} of ${kib(fit.payloadLimitBytes)}; longest history ${fit.mostHistoryEvents} of ${fit.historyEventLimit} events`;

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
    ...(summary.awsFit ? [['AWS limits', awsFitLine(summary.awsFit)] as [string, string]] : []),
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`);
  for (const f of summary.failures.slice(0, 5)) lines.push(`  failed item ${JSON.stringify(f.key)}: ${f.reason}`);
  for (const c of summary.changes.slice(0, 3)) lines.push(`  would ${c.action} ${JSON.stringify(c.key)}${c.set ? ` set ${JSON.stringify(c.set)}` : ''}${c.remove ? ` remove ${c.remove.join(', ')}` : ''}`);
  if (summary.error) lines.push(`  error: ${summary.error}: ${summary.cause ?? ''}`);
  return lines.join('\n');
}

/** What the CLI prints at the end of a run: one JSON object with --json, else the table and what to do next. */
export function renderOutcome(outcome: RunOutcome, json: boolean): string {
  const { summary, verification } = outcome;
  if (json) return `${JSON.stringify(summary)}\n`;
  let text = `\n${summaryTable(summary, outcome.seconds)}\n`;
  if (verification) {
    const ok = verification.problems.length === 0;
    text +=
      `\nVerification: ${verification.correct}/${verification.checked} items migrated correctly${ok ? '' : ` — problems: ${verification.problems.join('; ')}`}\n` +
      (verification.example ? `  example before: ${JSON.stringify(verification.example.before)}\n  example after:  ${JSON.stringify(verification.example.after)}\n` : '');
  }
  if (outcome.resumeFrom) text += `\nProgress is saved in ${outcome.resumeFrom}; fix the cause and run again with --resume.\n`;
  return text;
}
