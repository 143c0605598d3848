import type { AwsFit } from '../asl/limits';
import type { RunOutcome } from '../local/run-migration';
import type { PassReport, Summary, Verification } from '../workflow/contract';
import { inFlagTerms } from './options';

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;

/** Failure and change samples shown before "and N more". */
const SHOWN_FAILURES = 5;
const SHOWN_CHANGES = 3;
/** A cause longer than this is cut: the details are in --json. */
const MAX_CAUSE_CHARS = 300;

/** How close the run came to Step Functions' limits, in words. */
export const awsFitLine = (fit: AwsFit): string =>
  `largest state payload ${kib(fit.largestPayloadBytes)} of ${kib(fit.payloadLimitBytes)}; longest history ${fit.mostHistoryEvents} of ${fit.historyEventLimit} events`;

/** An error's cause in one short readable sentence: no embedded JSON, flags instead of input fields. */
export function shortCause(cause: string): string {
  const withoutJson = cause.replace(/\s*Summary:\s*\{[\s\S]*$/, '').replace(/\{[\s\S]*\}/, '{…}');
  const text = inFlagTerms(withoutJson.trim());
  return text.length > MAX_CAUSE_CHARS ? `${text.slice(0, MAX_CAUSE_CHARS - 1)}…` : text;
}

/** A short human summary table. */
export function summaryTable(summary: Summary, seconds: number, stopped = false): string {
  const rows: [string, string][] = [
    ['status', stopped ? 'STOPPED' : summary.status],
    ['table', summary.table],
    ['migration', `${summary.migrationId}${summary.dryRun ? ' (dry run: nothing written)' : ''}`],
    ['scanned', String(summary.scanned)],
    [summary.dryRun ? 'would update' : 'updated', String(summary.updated)],
    ['unchanged', String(summary.unchanged)],
    [summary.dryRun ? 'would delete' : 'deleted', String(summary.deleted)],
    ['skipped', String(summary.skipped)],
    ['failed', String(summary.failed)],
    ['retries / conflicts', `${summary.retries} / ${summary.conflicts}`],
    ...(summary.throttles + summary.readUnits + summary.writeUnits > 0
      ? [['throttles / units', `${summary.throttles} throttled / ${summary.readUnits} read, ${summary.writeUnits} write units`] as [string, string]]
      : []),
    ...(summary.passes ? [['passes', summary.passes.map(passLine).join('; ')] as [string, string]] : []),
    ...(summary.verification ? [['verified', verificationLine(summary.verification)] as [string, string]] : []),
    ['backup', summary.backup !== 'skipped' ? summary.backup.name : summary.dryRun ? 'none (a dry run writes nothing)' : 'skipped'],
    ['time', `${seconds.toFixed(1)} s (${Math.round(summary.scanned / Math.max(seconds, 0.001))} items/s)`],
    ...(summary.awsFit ? [['AWS limits', awsFitLine(summary.awsFit)] as [string, string]] : []),
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`);
  const failures = summary.failures.slice(0, SHOWN_FAILURES);
  for (const f of failures) lines.push(`  failed item ${JSON.stringify(f.key)}: ${f.reason}`);
  if (summary.failed > failures.length) lines.push(`  ... and ${summary.failed - failures.length} more failed item${summary.failed - failures.length === 1 ? '' : 's'} (--json has up to 25 samples)`);
  const changes = summary.changes.slice(0, SHOWN_CHANGES);
  for (const c of changes) lines.push(`  would ${c.action} ${JSON.stringify(c.key)}${c.set ? ` set ${JSON.stringify(c.set)}` : ''}${c.remove ? ` remove ${c.remove.join(', ')}` : ''}`);
  const changed = summary.updated + summary.deleted;
  if (summary.dryRun && changed > changes.length && changes.length > 0) lines.push(`  ... and ${changed - changes.length} more would change`);
  if (summary.error && !stopped) lines.push(`  error: ${summary.error}${summary.cause ? `: ${shortCause(summary.cause)}` : ''}`);
  return lines.join('\n');
}

/** One pass of a multi-pass run, in words. */
const passLine = (pass: PassReport): string =>
  pass.kind === 'migrate'
    ? `${pass.number}: migrate, ${pass.scanned} scanned, ${pass.updated + pass.deleted} changed`
    : `${pass.number}: verify, ${pass.status}`;

/** A verification's verdict in one line. */
const verificationLine = (v: Verification): string =>
  `${v.status}: ${v.migrated} of ${v.checked} items migrated${v.unmigrated > 0 ? `, ${v.unmigrated} not` : ''} (digest ${v.digest})`;

/** What `verify` prints: with --json exactly the verification object (or the failure), else a short table. */
export function renderVerification(outcome: RunOutcome, json: boolean): string {
  const v = outcome.verified;
  if (json) {
    if (!v) return `${JSON.stringify({ status: outcome.stopped ? 'STOPPED' : 'FAILED', error: outcome.summary.error, cause: outcome.summary.cause })}\n`;
    const { status, checked, migrated, unmigrated, samples, digest } = v;
    return `${JSON.stringify({ status, checked, migrated, unmigrated, samples, digest })}\n`;
  }
  if (!v) {
    const { error, cause } = outcome.summary;
    return `\n  status  ${outcome.stopped ? 'STOPPED' : 'FAILED'}\n${error && !outcome.stopped ? `  error   ${error}${cause ? `: ${shortCause(cause)}` : ''}\n` : ''}`;
  }
  const lines = [`  status     ${v.status}`, `  table      ${outcome.summary.table}`, `  checked    ${v.checked}`, `  migrated   ${v.migrated}`, `  unmigrated ${v.unmigrated}`, `  digest     ${v.digest}`, `  time       ${outcome.seconds.toFixed(1)} s`];
  const shown = v.samples.slice(0, SHOWN_FAILURES);
  for (const sample of shown) lines.push(`  unmigrated ${JSON.stringify(sample.key)}: ${sample.reason}`);
  if (v.unmigrated > shown.length) lines.push(`  ... and ${v.unmigrated - shown.length} more unmigrated item${v.unmigrated - shown.length === 1 ? '' : 's'} (--json has up to 25 samples)`);
  return `\n${lines.join('\n')}\n`;
}

/** What the CLI prints at the end of a run: one JSON object with --json, else the table and the demo's check. */
export function renderOutcome(outcome: RunOutcome, json: boolean): string {
  const { summary, verification } = outcome;
  if (json) return `${JSON.stringify(summary)}\n`;
  let text = `\n${summaryTable(summary, outcome.seconds, outcome.stopped)}\n`;
  if (verification) {
    const ok = verification.problems.length === 0;
    text +=
      `\nVerification: ${verification.correct}/${verification.checked} items migrated correctly${ok ? '' : ` — problems: ${verification.problems.join('; ')}`}\n` +
      (verification.example ? `  example before: ${JSON.stringify(verification.example.before)}\n  example after:  ${JSON.stringify(verification.example.after)}\n` : '');
  }
  return text;
}
