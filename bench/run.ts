/**
 * `npm run bench` (issue 6): throughput of our workflow against a raw SDK loop and the AWS sample's
 * shape, peak memory at N and 4N items, and the per-million-items cost model, on a dynalite started
 * as its own process. Progress goes to stderr; stdout gets the markdown tables, or with `--json`
 * exactly one JSON object (see results.ts).
 */
import '../local/polyfills';
import { Command, InvalidArgumentError } from 'commander';
import { cpus, loadavg } from 'node:os';
import { basename } from 'node:path';
import { defaultMigrationFile } from '../bundle/lambda-bundle';
import { SAMPLE_PAGE_SIZE } from '../fixtures/aws-sample-workflow';
import { toPlainItem, toRawItem } from '../handlers/attribute-values';
import type { Migration } from '../migrations/define';
import { demoItem } from '../local/demo';
import { dynamoDbClient, localConnection } from '../local/connection';
import { buildBundle } from '../local/lambda-loader';
import { DEFAULT_LAMBDA_TIMEOUT_MS } from '../local/runner';
import { builtInTuning } from '../workflow/input';
import { BenchTables, progress } from './bench-tables';
import { runCapacityScenario } from './capacity-scenario';
import {
  dynamoDbFloor,
  itemSizeBytes,
  modelOurs,
  parentStatesOf,
  perMillion,
  priceUsage,
  sampleLambdaAssumption,
  sampleMaxItems,
  scanReadUnits,
  writeUnitsPerWrite,
} from './cost-model';
import { startDynaliteProcess } from './dynalite-process';
import type { Measurement } from './jobs';
import { runLatencyScenario } from './latency-scenario';
import { renderMarkdown } from './report';
import type { BenchResult, CpuPerItem, SweepPoint, TargetCheck } from './results';

/** The date the published figures in docs/performance.md were measured on. */
const BENCH_DATE = '2026-11-25';
const DYNALITE_VERSION = (require('dynalite/package.json') as { version: string }).version;
const LOCAL_BATCH_BUDGET_MS = DEFAULT_LAMBDA_TIMEOUT_MS;
/** The Lambda's default write concurrency (handlers/create-handler.ts); the raw loop uses the same. */
const WRITE_CONCURRENCY = 16;
const MEMORY_FACTOR = 4;
const MILLION = 1_000_000;
/** The latency scenario: what DynamoDB's distance does to one segment (issue 11). */
const LATENCY_MS = 20;
/** The capacity scenario: a 200-WCU table, its application at 60 writes/s, the migration at 50%. */
const CAPACITY = { table: { readUnits: 1000, writeUnits: 200 }, applicationWritesPerSecond: 60, writeCapacityPercent: 50, windowSeconds: 5 } as const;

interface Options {
  items: number;
  json: boolean;
  sweep: number[];
  sweepItems: number;
  sampleItems: number;
  latencyItems: number;
  capacityItems: number;
}

const positiveInt = (value: string): number => {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`expected a whole number of at least 1, got ${JSON.stringify(value)}`);
  return n;
};
const segmentList = (value: string): number[] => value.split(',').map((s) => positiveInt(s.trim()));

function parseOptions(argv: string[]): Options {
  const program = new Command('bench')
    .description('Throughput, memory and cost of the migration workflow vs a raw SDK loop and the AWS sample (issue 6).')
    .option('--items <n>', 'items per throughput run (N)', positiveInt, 50_000)
    .option('--json', 'print exactly one JSON object on stdout (progress stays on stderr)', false)
    .option('--sweep <list>', 'segment counts to try, concurrency = segments', segmentList, [1, 2, 4, 8, 16])
    .option('--sweep-items <n>', 'items per sweep run (default: min(N, 5000))', positiveInt)
    .option('--sample-items <n>', 'items for the AWS sample shape, which is slow (default: min(N, 2000))', positiveInt)
    .option('--latency-items <n>', `items per run of the latency scenario (${LATENCY_MS} ms per call, 1 segment)`, positiveInt, 8_000)
    .option('--capacity-items <n>', 'items of the capacity scenario (a provisioned table shared with an application)', positiveInt, 3_000)
    .parse(argv);
  const o = program.opts<{ items: number; json: boolean; sweep: number[]; sweepItems?: number; sampleItems?: number; latencyItems: number; capacityItems: number }>();
  return { ...o, sweepItems: o.sweepItems ?? Math.min(o.items, 5_000), sampleItems: o.sampleItems ?? Math.min(o.items, 2_000) };
}

/** Mean item size before and after the migration, over the demo items a run seeds. */
async function averageItemBytes(migration: Migration, items: number): Promise<{ before: number; after: number }> {
  const count = Math.min(items, 10_000);
  let before = 0;
  let after = 0;
  for (let i = 0; i < count; i++) {
    const raw = demoItem(i);
    const result = await migration.transform(toPlainItem(raw));
    before += itemSizeBytes(raw);
    after += itemSizeBytes(result ? toRawItem(result) : raw);
  }
  return { before: before / count, after: after / count };
}

async function runBench(o: Options): Promise<BenchResult> {
  const started = performance.now();
  const loadAverageStart = loadavg()[0]!;
  const migration = (require(defaultMigrationFile) as { default: Migration }).default;
  progress(`building the Lambda bundle for ${basename(defaultMigrationFile)}`);
  const bundle = buildBundle(defaultMigrationFile);
  const db = await startDynaliteProcess();
  progress(`dynalite ${DYNALITE_VERSION} listening at ${db.endpoint} (pid ${db.pid})`);
  const client = dynamoDbClient(localConnection(db.endpoint));
  const bench = new BenchTables(db, client);
  const ours = (items: number, segments: number) =>
    ({ contender: 'ours', items, bundle, totalSegments: segments, maxConcurrency: segments, batchBudgetMs: LOCAL_BATCH_BUDGET_MS }) as const;

  try {
    // 1a. A small sweep on fewer items picks the tuning; default and best are then measured on N.
    const sweep: SweepPoint[] = [];
    for (const segments of o.sweep) {
      const m = await bench.measure(ours(o.sweepItems, segments), `sweep ${segments} × ${segments}`);
      sweep.push({ segments, maxConcurrency: segments, itemsPerSecond: m.itemsPerSecond });
    }
    const best = sweep.reduce((a, b) => (b.itemsPerSecond > a.itemsPerSecond ? b : a));
    const defaultSegments = builtInTuning.totalSegments;
    const oursDefault = await bench.measure(ours(o.items, defaultSegments), `ours default ${defaultSegments} × ${builtInTuning.maxConcurrency}`);
    const oursBest =
      best.segments === defaultSegments && builtInTuning.maxConcurrency === defaultSegments
        ? oursDefault
        : await bench.measure(ours(o.items, best.segments), `ours best ${best.segments} × ${best.segments}`);

    // 1b. The raw limit, at the same segments, concurrency, page size and write concurrency.
    const raw = await bench.measure(
      {
        contender: 'raw',
        items: o.items,
        keyAttributes: ['requestId'],
        totalSegments: best.segments,
        maxConcurrency: best.segments,
        pageSize: builtInTuning.pageSize,
        writeConcurrency: WRITE_CONCURRENCY,
      },
      `raw SDK loop ${best.segments} × ${best.segments}`,
    );

    // 1c. The sample's shape on fewer items (one interpreter Task per item); its rate is what compares.
    const sample = await bench.measure({ contender: 'sample', items: o.sampleItems }, 'AWS sample shape');
    const sampleFixed = await bench.sampleFixedHistoryEvents(migration);

    // 2. Memory at 4N in a fresh process, same tuning as the N run it is compared with.
    const memoryItems = o.items * MEMORY_FACTOR;
    const ours4x = await bench.measure(ours(memoryItems, best.segments), `ours at ${MEMORY_FACTOR}N ${best.segments} × ${best.segments}`);

    // 3. Issue 11: one segment with DynamoDB 20 ms away, against the plain pipelined loop; then a
    // provisioned table shared with its application, the migration at writeCapacityPercent 50.
    const latency = await runLatencyScenario(bench, db.endpoint, {
      bundle,
      items: o.latencyItems,
      latencyMs: LATENCY_MS,
      writeConcurrency: WRITE_CONCURRENCY,
      batchBudgetMs: LOCAL_BATCH_BUDGET_MS,
    });
    const capacity = await runCapacityScenario(bench, db.endpoint, client, { bundle, items: o.capacityItems, ...CAPACITY, batchBudgetMs: LOCAL_BATCH_BUDGET_MS });

    // 4. Counts and cost per million items.
    const sizes = await averageItemBytes(migration, o.items);
    const writeUnits = writeUnitsPerWrite(sizes.before, sizes.after);
    // The deployed model: the stack's default tuning, with the states the default run entered, and the
    // rate of one segment that has a Lambda to itself with DynamoDB 20 ms away (the latency scenario),
    // rather than that of 8 segments sharing this machine's two cores.
    const modelled = oursDefault;
    const oursCounts = modelled.counts!;
    const parent = parentStatesOf(oursCounts, modelled.invocationsPerSegment!);
    const model = modelOurs({ items: MILLION, segments: defaultSegments, itemsPerLambdaSecond: latency.ours.itemsPerLambdaSecond, parent });
    const oursReads = scanReadUnits(MILLION, sizes.before, builtInTuning.pageSize);
    const changedShare = modelled.updated / modelled.scanned;
    const oursWrites = MILLION * changedShare * writeUnits;
    const oursCost = priceUsage({
      stateTransitions: model.stateTransitions,
      lambdaInvocations: model.lambdaInvocations,
      lambdaGbSeconds: model.lambdaGbSeconds,
      lambdaArchitecture: 'arm64',
      readUnits: oursReads,
      writeUnits: oursWrites,
    });
    const floor = dynamoDbFloor({ items: MILLION, averageItemBytes: sizes.before, changedShare, writeUnitsPerWrite: writeUnits });
    const floorCost = priceUsage({ stateTransitions: 0, lambdaInvocations: 0, lambdaGbSeconds: 0, lambdaArchitecture: 'arm64', ...floor });

    const sampleCounts = sample.counts!;
    const sampleInvocations = perMillion(sampleCounts.lambdaInvocations, sample.scanned);
    const sampleGbSeconds = sampleInvocations * (sampleLambdaAssumption.billedMsPerInvocation / 1000) * (sampleLambdaAssumption.memoryMb / 1024);
    const sampleReads = scanReadUnits(MILLION, sizes.before, SAMPLE_PAGE_SIZE);
    const sampleWrites = MILLION * writeUnits;
    const sampleTransitions = perMillion(sampleCounts.stateTransitions, sample.scanned);
    const sampleCost = priceUsage({
      stateTransitions: sampleTransitions,
      lambdaInvocations: sampleInvocations,
      lambdaGbSeconds: sampleGbSeconds,
      lambdaArchitecture: 'x86_64',
      readUnits: sampleReads,
      writeUnits: sampleWrites,
    });
    const sampleMax = sampleMaxItems({ fixed: sampleFixed, atItems: sampleCounts.historyEvents!, items: sample.scanned });

    const cpuPerItem = (m: Measurement) => m.cpuMs / m.scanned;
    const cpu = (m: Measurement): CpuPerItem => ({
      cpuMsPerItem: cpuPerItem(m),
      ...(m.serverCpuMs !== undefined && { dynaliteCpuMsPerItem: m.serverCpuMs / m.scanned }),
    });
    const ratios = {
      oursOverRaw: oursBest.itemsPerSecond / raw.itemsPerSecond,
      oursDefaultOverRaw: oursDefault.itemsPerSecond / raw.itemsPerSecond,
      oursOverSample: oursBest.itemsPerSecond / sample.itemsPerSecond,
      cpuPerItemRawOverOurs: cpuPerItem(raw) / cpuPerItem(oursBest),
      transitionsSampleOverOurs: sampleTransitions / model.stateTransitions,
      peakRss4xOverN: ours4x.peakRssMb / oursBest.peakRssMb,
      latencyOursOverRaw: latency.ratios.oursOverRaw,
      latencyOursOverTheoretical: latency.ratios.oursOverTheoretical,
      costOverDynamoDbFloor: oursCost.total / floorCost.total,
    };
    const measuredTransitions = perMillion(oursCounts.stateTransitions, modelled.scanned);
    const measuredInvocations = perMillion(oursCounts.lambdaInvocations, modelled.scanned);
    const targets: TargetCheck[] = [
      { name: 'a/b throughput, ours ÷ raw loop', target: '≥ 0.85', value: ratios.oursOverRaw.toFixed(2), met: ratios.oursOverRaw >= 0.85 },
      {
        name: 'state transitions per million (deployed)',
        target: `≤ sample ÷ 1000 = ${Math.round(sampleTransitions / 1000)}`,
        value: `${Math.round(model.stateTransitions)} (1/${Math.round(ratios.transitionsSampleOverOurs)} of the sample; local ${LOCAL_BATCH_BUDGET_MS / 1000} s budget: ${Math.round(measuredTransitions)})`,
        met: model.stateTransitions <= sampleTransitions / 1000,
      },
      {
        name: 'Lambda invocations per million (deployed)',
        target: '< 1,000',
        value: `${Math.round(model.lambdaInvocations)} (local ${LOCAL_BATCH_BUDGET_MS / 1000} s budget: ${Math.round(measuredInvocations)})`,
        met: model.lambdaInvocations < 1000,
      },
      {
        name: `peak RSS at ${MEMORY_FACTOR}N vs N`,
        target: '≤ 1.10',
        value: `${ratios.peakRss4xOverN.toFixed(2)} (${ours4x.peakRssMb} MB vs ${oursBest.peakRssMb} MB)`,
        met: ratios.peakRss4xOverN <= 1.1,
      },
      {
        name: `latency ${LATENCY_MS} ms, 1 segment × ${WRITE_CONCURRENCY} in flight: ours ÷ pipelined raw loop`,
        target: '≥ 0.90',
        value: `${ratios.latencyOursOverRaw.toFixed(2)} (ours ÷ in-flight ÷ latency: ${ratios.latencyOursOverTheoretical.toFixed(2)})`,
        met: ratios.latencyOursOverRaw >= 0.9,
      },
      {
        name: `writeCapacityPercent ${CAPACITY.writeCapacityPercent}: write units per ${CAPACITY.windowSeconds}-s window ÷ budget, after the first`,
        target: '0.90 to 1.10',
        value: `${capacity.afterFirst.min.toFixed(2)} to ${capacity.afterFirst.max.toFixed(2)}`,
        met: capacity.afterFirst.min >= 0.9 && capacity.afterFirst.max <= 1.1,
      },
      {
        name: 'application throttle rate beside the migration',
        target: '< 1%',
        value: `${(capacity.application.throttleRate * 100).toFixed(2)}% (${capacity.application.throttled} of ${capacity.application.requests})`,
        met: capacity.application.throttleRate < 0.01,
      },
      {
        name: 'cost per million ÷ DynamoDB floor (Scan reads + writes of changed items)',
        target: '≤ 1.03',
        value: ratios.costOverDynamoDbFloor.toFixed(3),
        met: ratios.costOverDynamoDbFloor <= 1.03,
      },
      {
        name: 'largest table in one execution',
        target: '≥ 1e9 items (sample ~1,600)',
        value: `${model.maxItemsPerExecution.toExponential(1)} (sample shape: ${sampleMax.toLocaleString('en-US')})`,
        met: model.maxItemsPerExecution >= 1e9,
      },
    ];

    return {
      items: o.items,
      date: BENCH_DATE,
      machine: { cpus: cpus().length, node: process.versions.node, dynalite: DYNALITE_VERSION, loadAverageStart, loadAverageEnd: loadavg()[0]! },
      settings: {
        migration: migration.id,
        skipBackup: true,
        batchBudgetMs: LOCAL_BATCH_BUDGET_MS,
        sweepItems: o.sweepItems,
        sampleItems: o.sampleItems,
        memoryItems,
        pageSize: builtInTuning.pageSize,
        writeConcurrency: WRITE_CONCURRENCY,
        averageItemBytes: sizes,
        latencyItems: o.latencyItems,
        capacityItems: o.capacityItems,
      },
      sweep,
      ours: {
        itemsPerSecond: oursBest.itemsPerSecond,
        itemsPerSecondDefault: oursDefault.itemsPerSecond,
        defaultTuning: { segments: builtInTuning.totalSegments, maxConcurrency: builtInTuning.maxConcurrency },
        bestTuning: { segments: best.segments, maxConcurrency: best.maxConcurrency },
        itemsPerSecond4x: ours4x.itemsPerSecond,
        cpu: cpu(oursBest),
        cpuDefault: cpu(oursDefault),
        cpu4x: cpu(ours4x),
        loadAverageDefault: oursDefault.loadAverage,
        loadAverage: oursBest.loadAverage,
        loadAverage4x: ours4x.loadAverage,
        peakRssMb: oursBest.peakRssMb,
        peakRssMb4x: ours4x.peakRssMb,
        measuredTransitionsPerMillion: measuredTransitions,
        measuredLambdaInvocationsPerMillion: measuredInvocations,
        measuredLambdaInvocations: oursCounts.lambdaInvocations,
        itemsPerLambdaSecond: latency.ours.itemsPerLambdaSecond,
        itemsPerLambdaSecondSharedCpu: modelled.itemsPerLambdaSecond!,
        itemsPerInvocation: model.itemsPerInvocation,
        transitionsPerMillion: model.stateTransitions,
        lambdaInvocationsPerMillion: model.lambdaInvocations,
        historyEventsParent: model.parentHistoryEvents,
        historyEventsPerChildPerMillion: model.childHistoryEvents,
        maxItemsPerChild: model.maxItemsPerChild,
        maxItemsPerExecution: model.maxItemsPerExecution,
        readUnitsPerMillion: oursReads,
        writeUnitsPerMillion: oursWrites,
        lambdaGbSecondsPerMillion: model.lambdaGbSeconds,
        cost: oursCost,
        costPerMillionUsd: oursCost.total,
      },
      raw: {
        itemsPerSecond: raw.itemsPerSecond,
        cpu: cpu(raw),
        segments: best.segments,
        maxConcurrency: best.segments,
        loadAverage: raw.loadAverage,
      },
      sample: {
        items: sample.scanned,
        itemsPerSecond: sample.itemsPerSecond,
        cpu: cpu(sample),
        loadAverage: sample.loadAverage,
        historyEvents: sampleCounts.historyEvents!,
        historyEventsFixed: sampleFixed,
        transitionsPerMillion: sampleTransitions,
        lambdaInvocationsPerMillion: sampleInvocations,
        historyEventsPerMillion: perMillion(sampleCounts.historyEvents!, sample.scanned),
        maxItemsPerExecution: sampleMax,
        readUnitsPerMillion: sampleReads,
        writeUnitsPerMillion: sampleWrites,
        lambdaGbSecondsPerMillion: sampleGbSeconds,
        cost: sampleCost,
        costPerMillionUsd: sampleCost.total,
      },
      latency,
      capacity,
      floor: { readUnitsPerMillion: floor.readUnits, writeUnitsPerMillion: floor.writeUnits, cost: floorCost, costPerMillionUsd: floorCost.total },
      ratios,
      targets,
      elapsedSeconds: (performance.now() - started) / 1000,
    };
  } finally {
    client.destroy();
    await db.stop();
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv);
  const result = await runBench(options);
  if (options.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else process.stdout.write(renderMarkdown(result));
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
