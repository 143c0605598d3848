/**
 * The latency scenario: DynamoDB 20 ms away, as it is from a Lambda in the same region under load,
 * so that what limits one segment is how many calls it keeps in flight, not this machine's CPU. One
 * segment (one Lambda) with 16 writes in flight against the plain pipelined loop (raw-loop.ts) with
 * the same 16, both through the capacity emulator's latency in front of the same dynalite, measured
 * ABBA (ours, raw, raw, ours) so that a drift in the shared machine's load falls on both.
 */
import { localConnection } from '../local/connection';
import type { LambdaBundle } from '../bundle/lambda-bundle';
import { startCapacityProxy } from '../emulators/capacity-proxy';
import { builtInTuning } from '../workflow/input';
import { progress, type BenchTables } from './bench-tables';
import type { Measurement } from './jobs';

/** What the latency scenario measured. */
export interface LatencyScenario {
  latencyMs: number;
  writeConcurrency: number;
  items: number;
  /** In-flight writes ÷ latency: the most one segment could do if nothing else took time. */
  theoreticalItemsPerSecond: number;
  ours: { itemsPerSecond: number; itemsPerLambdaSecond: number; runs: number[]; loadAverage: [number, number] };
  raw: { itemsPerSecond: number; runs: number[]; loadAverage: [number, number] };
  ratios: { oursOverRaw: number; oursOverTheoretical: number; rawOverTheoretical: number };
}

const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

/** Runs the latency scenario on `items` items per run. */
export async function runLatencyScenario(
  tables: BenchTables,
  upstream: string,
  options: { bundle: LambdaBundle; items: number; latencyMs: number; writeConcurrency: number; batchBudgetMs: number },
): Promise<LatencyScenario> {
  const proxy = await startCapacityProxy({ upstream, latencyMs: options.latencyMs });
  progress(`latency scenario: ${options.latencyMs} ms added to every DynamoDB call by the capacity emulator at ${proxy.endpoint}`);
  const ours = () =>
    tables.measure(
      { contender: 'ours', items: options.items, bundle: options.bundle, totalSegments: 1, maxConcurrency: 1, batchBudgetMs: options.batchBudgetMs },
      `latency ${options.latencyMs} ms: ours 1 × 1`,
      localConnection(proxy.endpoint),
    );
  const raw = () =>
    tables.measure(
      {
        contender: 'raw',
        items: options.items,
        keyAttributes: ['requestId'],
        totalSegments: 1,
        maxConcurrency: 1,
        pageSize: builtInTuning.pageSize,
        writeConcurrency: options.writeConcurrency,
      },
      `latency ${options.latencyMs} ms: raw pipelined loop 1 × 1`,
      localConnection(proxy.endpoint),
    );
  const runs: { ours: Measurement[]; raw: Measurement[] } = { ours: [], raw: [] };
  try {
    runs.ours.push(await ours());
    runs.raw.push(await raw());
    runs.raw.push(await raw());
    runs.ours.push(await ours());
    progress(`latency scenario CPU ms per item: ours ${runs.ours.map((m) => (m.cpuMs / m.scanned).toFixed(3)).join(', ')}; raw ${runs.raw.map((m) => (m.cpuMs / m.scanned).toFixed(3)).join(', ')}`);
  } finally {
    await proxy.close();
  }
  const theoretical = options.writeConcurrency / (options.latencyMs / 1000);
  const oursRate = mean(runs.ours.map((m) => m.itemsPerSecond));
  const rawRate = mean(runs.raw.map((m) => m.itemsPerSecond));
  return {
    latencyMs: options.latencyMs,
    writeConcurrency: options.writeConcurrency,
    items: options.items,
    theoreticalItemsPerSecond: theoretical,
    ours: {
      itemsPerSecond: oursRate,
      itemsPerLambdaSecond: mean(runs.ours.map((m) => m.itemsPerLambdaSecond!)),
      runs: runs.ours.map((m) => m.itemsPerSecond),
      loadAverage: [runs.ours[0]!.loadAverage[0], runs.ours[1]!.loadAverage[1]],
    },
    raw: { itemsPerSecond: rawRate, runs: runs.raw.map((m) => m.itemsPerSecond), loadAverage: [runs.raw[0]!.loadAverage[0], runs.raw[1]!.loadAverage[1]] },
    ratios: { oursOverRaw: oursRate / rawRate, oursOverTheoretical: oursRate / theoretical, rawOverTheoretical: rawRate / theoretical },
  };
}
