import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import type { Plan, SegmentProgress } from '../workflow/contract';

/** Shows a run's progress as batches complete. */
export interface ProgressReporter {
  planned(plan: Plan, expectedItems: number): void;
  batch(progress: SegmentProgress): void;
  stop(): void;
}

const describeTotals = (p: SegmentProgress): string => {
  const t = p.totals;
  return `scanned ${t.scanned}, updated ${t.updated}, unchanged ${t.unchanged}, deleted ${t.deleted}, failed ${t.failed}, skipped ${t.skipped}`;
};

/** Plain lines, one per completed batch: for logs, CI and pipes. */
export function lineReporter(write: (line: string) => void): ProgressReporter {
  return {
    planned: (plan, expected) =>
      write(`Migrating ${plan.table} with '${plan.migrationId}': ~${expected} items in ${plan.totalSegments} segments${plan.dryRun ? ' (dry run)' : ''}`),
    batch: (p) => write(`segment ${p.segment}${p.cursor ? '' : ' done'}: ${describeTotals(p)}`),
    stop: () => undefined,
  };
}

/** Live bars on a terminal: one per segment (up to 16, else one for the whole run). */
export function terminalReporter(stream: NodeJS.WriteStream): ProgressReporter {
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
  const scanned = new Map<number, SegmentProgress>();
  let overall: SingleBar | undefined;
  let share = 0;
  let stopped = false;
  return {
    planned(plan, expected) {
      share = Math.max(1, Math.ceil(expected / plan.totalSegments));
      if (plan.totalSegments > 16) overall = bars.create(expected, 0, { label: 'all segments', updated: 0, failed: 0 });
      else for (let s = 0; s < plan.totalSegments; s++) perSegment.set(s, bars.create(share, 0, { label: `segment ${String(s).padStart(2)}`, updated: 0, failed: 0 }));
    },
    batch(p) {
      scanned.set(p.segment, p);
      const bar = perSegment.get(p.segment);
      if (bar) {
        // A finished segment is full, whatever the estimate said.
        bar.setTotal(p.cursor ? Math.max(share, p.totals.scanned) : p.totals.scanned);
        bar.update(p.totals.scanned, { updated: p.totals.updated + p.totals.deleted, failed: p.totals.failed });
      } else if (overall) {
        const all = [...scanned.values()];
        const sum = (k: 'scanned' | 'updated' | 'failed') => all.reduce((n, x) => n + x.totals[k], 0);
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
export const silentReporter: ProgressReporter = { planned: () => undefined, batch: () => undefined, stop: () => undefined };
