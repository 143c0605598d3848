import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import type { RunObserver } from '../local/run-migration';
import type { SegmentProgress } from '../workflow/contract';
import { unpackTotals, type Totals } from '../workflow/totals';

/** Shows a run's progress as batches complete; `stop` leaves the terminal as it was. */
export type ProgressReporter = Required<RunObserver> & { stop(): void };

const describeTotals = (t: Totals): string =>
  `scanned ${t.scanned}, updated ${t.updated}, unchanged ${t.unchanged}, deleted ${t.deleted}, failed ${t.failed}, skipped ${t.skipped}`;

/** Plain lines, one per completed batch: for logs, CI and pipes. */
export function lineReporter(write: (line: string) => void): ProgressReporter {
  return {
    note: write,
    planned: (plan, expected) =>
      write(`Migrating ${plan.table} with '${plan.migrationId}': ~${expected} items in ${plan.totalSegments} segments${plan.dryRun ? ' (dry run)' : ''}`),
    progress: (segment, p) => write(`segment ${segment}${p.cursor ? '' : ' done'}: ${describeTotals(unpackTotals(p.totals))}`),
    stop: () => undefined,
  };
}

/** Live bars on a terminal: one per segment (up to 16, else one for the whole run). */
export function terminalReporter(stream: NodeJS.WriteStream, note: (line: string) => void): ProgressReporter {
  const bars = new MultiBar(
    {
      stream,
      format: ' {label} |{bar}| {value}/{total} scanned · {updated} updated · {failed} failed',
      hideCursor: true,
      clearOnComplete: false,
      forceRedraw: true,
    },
    Presets.shades_classic,
  );
  const perSegment = new Map<number, SingleBar>();
  const latest = new Map<number, Totals>();
  let overall: SingleBar | undefined;
  let share = 0;
  let stopped = false;
  return {
    note,
    planned(plan, expected) {
      share = Math.max(1, Math.ceil(expected / plan.totalSegments));
      if (plan.totalSegments > 16) overall = bars.create(expected, 0, { label: 'all segments', updated: 0, failed: 0 });
      else for (let s = 0; s < plan.totalSegments; s++) perSegment.set(s, bars.create(share, 0, { label: `segment ${String(s).padStart(2)}`, updated: 0, failed: 0 }));
    },
    progress(segment, p: SegmentProgress) {
      const t = unpackTotals(p.totals);
      latest.set(segment, t);
      const bar = perSegment.get(segment);
      if (bar) {
        // A finished segment is full, whatever the estimate said.
        bar.setTotal(p.cursor ? Math.max(share, t.scanned) : t.scanned);
        bar.update(t.scanned, { updated: t.updated + t.deleted, failed: t.failed });
      } else if (overall) {
        const all = [...latest.values()];
        const sum = (k: 'scanned' | 'updated' | 'failed') => all.reduce((n, x) => n + x[k], 0);
        overall.setTotal(Math.max(overall.getTotal(), sum('scanned')));
        overall.update(sum('scanned'), { updated: sum('updated'), failed: sum('failed') });
      }
    },
    stop() {
      if (stopped) return;
      stopped = true;
      bars.stop();
    },
  };
}

/** Nothing: `--json` keeps stdout for the one result object. */
export const silentReporter: ProgressReporter = { note: () => undefined, planned: () => undefined, progress: () => undefined, stop: () => undefined };

/** The reporter for where the output goes: nothing with --json, bars on a terminal, lines otherwise. */
export function reporterFor(json: boolean, out: NodeJS.WriteStream, err: NodeJS.WriteStream): ProgressReporter {
  const line = (text: string) => out.write(`${text}\n`);
  if (json) return silentReporter;
  return out.isTTY ? terminalReporter(err, line) : lineReporter(line);
}
