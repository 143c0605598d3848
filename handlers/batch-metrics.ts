import type { Plan, SegmentProgress } from '../workflow/contract';
import { BATCH_METRICS, COUNTER_METRICS, type MetricSpec } from '../workflow/telemetry';
import { unpackTotals } from '../workflow/totals';

/** One metric value to publish. */
export interface MetricValue extends MetricSpec {
  value: number;
}

/** The run's write budget, all units together: the stricter of the absolute one and the table's plus its GSIs' shares. */
function writeBudget(plan: Plan): number | undefined {
  const { write, tableWrite, indexWrites } = plan.budget ?? {};
  const perIndex = tableWrite !== undefined ? tableWrite + Object.values(indexWrites ?? {}).reduce((a, b) => a + b, 0) : undefined;
  const limits = [write, perIndex].filter((v): v is number => v !== undefined);
  return limits.length > 0 ? Math.min(...limits) : undefined;
}

/**
 * What one MigrateBatch invocation did, as metric values: how much each counter grew between the
 * progress it was given and the progress it returned, its wall time, and the run's item estimate
 * and item rate budget. Derived from the step's input and output, so the batch itself stays unaware
 * of metrics and every counter it keeps is published. Pure.
 */
export function batchMetrics(plan: Plan, before: SegmentProgress, after: SegmentProgress, durationMs: number): MetricValue[] {
  const [was, now] = [unpackTotals(before.totals), unpackTotals(after.totals)];
  const writeUnits = writeBudget(plan);
  return [
    ...COUNTER_METRICS.map((metric) => ({ ...metric, value: now[metric.name] - was[metric.name] })),
    { ...BATCH_METRICS.batchDuration, value: durationMs },
    { ...BATCH_METRICS.itemEstimate, value: plan.itemEstimate },
    ...(plan.maxItemsPerSecond > 0 ? [{ ...BATCH_METRICS.itemsPerSecondBudget, value: plan.maxItemsPerSecond }] : []),
    ...(plan.budget?.read !== undefined ? [{ ...BATCH_METRICS.readUnitsBudget, value: plan.budget.read }] : []),
    ...(writeUnits !== undefined ? [{ ...BATCH_METRICS.writeUnitsBudget, value: writeUnits }] : []),
  ];
}
