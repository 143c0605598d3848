import type { LiveSnapshot } from '../local/live-progress';
import type { RunDescription, RunObserver } from '../local/run-migration';
import type { Plan, SegmentProgress } from '../workflow/contract';
import { unpackTotals } from '../workflow/totals';
import type { Output } from './output';

/** Shows a run's progress; `stop` leaves the terminal as it was. */
export type ProgressReporter = Required<RunObserver> & { stop(): void };

const count = (n: number): string => Math.round(n).toLocaleString('en-US');

/** 75 s → "1:15", 3,725 s → "1:02:05". */
export function duration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const [h, m, s] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

/** What a run does to the table, for its progress lines: writes, would write (a dry run), or only checks. */
export type RunStyle = 'write' | 'dry-run' | 'verify';

const styleOf = (run: RunDescription): RunStyle => (run.verifying ? 'verify' : run.dryRun ? 'dry-run' : 'write');

/** The header: what runs where, and whether it writes. */
export function describeRun(run: RunDescription): string[] {
  return [
    `${run.resumed ? 'Resuming' : run.verifying ? 'Verifying' : 'Migrating'} table '${run.table}' at ${run.where} with migration '${run.migrationId}' (${run.migrationFile})`,
    ...(run.dryRun ? ['DRY RUN: nothing will be written (no backup, no checkpoint)'] : []),
    ...(run.verifying ? ['VERIFY: every item is read and checked; nothing will be written'] : []),
    ...run.retuned.map((r) => `resumed with new settings: ${r}`),
  ];
}

/** The plan in words. */
export function describePlan(plan: Plan, expected: number): string {
  const items = expected > 0 ? `about ${count(expected)} items` : 'item count unknown (DynamoDB reports 0 until it updates its estimate)';
  return `${plan.totalSegments} segments, ${Math.min(plan.maxConcurrency, plan.totalSegments)} at a time; ${items}`;
}

/** One progress line: items, rate, ETA (or elapsed time), what changed, segments done. */
export function statusLine(s: LiveSnapshot, style: RunStyle, barWidth = 0): string {
  const dryRun = style === 'dry-run';
  // Reading runs a few pages ahead of writing, and the count is an estimate: 100% only once every segment is done.
  const share = s.expected ? Math.min(s.segments > 0 && s.segmentsDone === s.segments ? 1 : 0.99, s.scanned / s.expected) : undefined;
  const bar = share !== undefined && barWidth > 0 ? `[${'#'.repeat(Math.round(share * barWidth)).padEnd(barWidth, '.')}] ${String(Math.floor(share * 100)).padStart(3)}% ` : '';
  const items = s.expected ? `${count(s.scanned)}/${count(s.expected)} items` : `${count(s.scanned)} items`;
  const time = s.etaMs !== undefined ? `ETA ${duration(s.etaMs)}` : `elapsed ${duration(s.elapsedMs)}`;
  const segments = `segments ${s.segmentsDone}/${s.segments} done`;
  if (style === 'verify') return `${bar}${items} checked · ${count(s.itemsPerSecond)}/s · ${time} · ${segments}`;
  const changed = dryRun ? `would update ${count(s.updated)}` : `updated ${count(s.updated)}`;
  const deleted = s.deleted > 0 ? ` · ${dryRun ? 'would delete' : 'deleted'} ${count(s.deleted)}` : '';
  return `${bar}${items} · ${count(s.itemsPerSecond)}/s · ${time} · ${changed}${deleted} · failed ${count(s.failed)} · ${segments}`;
}

/** Plain lines for logs and pipes: the header, then a status line at most once a second while it changes. */
export function lineReporter(out: Output): ProgressReporter {
  let style: RunStyle = 'write';
  let lastLine = '';
  let lastAt = 0;
  return {
    note: (line) => out.write(`${line}\n`),
    assuming: (assumed) => assumed.forEach((a) => out.write(`note: ${a}\n`)),
    starting(run) {
      style = styleOf(run);
      for (const line of describeRun(run)) out.write(`${line}\n`);
    },
    planned: (plan, expected) => out.write(`${describePlan(plan, expected)}\n`),
    live(snapshot) {
      const line = statusLine(snapshot, style);
      const now = Date.now();
      // The elapsed time changes every second; only a change in the work done is news in a log.
      const work = line.replace(/ · (ETA|elapsed) [0-9:]+/, '');
      if (work === lastLine || now - lastAt < 1000) return;
      lastLine = work;
      lastAt = now;
      out.write(`${line}\n`);
    },
    progress(segment: number, p: SegmentProgress) {
      if (p.cursor !== undefined || style === 'verify') return;
      const t = unpackTotals(p.totals);
      out.write(`segment ${segment} done: ${t.scanned} items, ${style === 'dry-run' ? 'would update' : 'updated'} ${t.updated}, failed ${t.failed}\n`);
    },
    stop: () => undefined,
  };
}

/**
 * A terminal: the header, then one status line redrawn in place (with a bar when the item count is
 * known). The cursor is never hidden, so nothing is left to restore, even after kill -9.
 */
export function terminalReporter(out: Output): ProgressReporter {
  let style: RunStyle = 'write';
  let drawn = false;
  const clear = () => {
    if (drawn) out.write('\r\x1b[2K');
    drawn = false;
  };
  const print = (line: string) => {
    clear();
    out.write(`${line}\n`);
  };
  return {
    note: print,
    assuming: (assumed) => assumed.forEach((a) => print(`note: ${a}`)),
    starting(run) {
      style = styleOf(run);
      for (const line of describeRun(run)) print(line);
    },
    planned: (plan, expected) => print(describePlan(plan, expected)),
    live(snapshot) {
      const line = statusLine(snapshot, style, 20);
      clear();
      out.write(line.length < out.columns ? line : `${line.slice(0, Math.max(10, out.columns - 2))}…`);
      drawn = true;
    },
    progress: () => undefined,
    // The last figures stay on screen above the summary.
    stop() {
      if (drawn) out.write('\n');
      drawn = false;
    },
  };
}

/** With --json: stdout keeps the one result object; stderr only says what the run had to assume. */
export const jsonReporter = (err: Output): ProgressReporter => ({
  note: () => undefined,
  assuming: (assumed) => assumed.forEach((a) => err.write(`note: ${a}\n`)),
  starting: () => undefined,
  planned: () => undefined,
  live: () => undefined,
  progress: () => undefined,
  stop: () => undefined,
});

/** The reporter for where progress goes (stderr): nothing with --json, a live line on a terminal, lines otherwise. */
export function reporterFor(json: boolean, err: Output): ProgressReporter {
  if (json) return jsonReporter(err);
  return err.isTTY ? terminalReporter(err) : lineReporter(err);
}
