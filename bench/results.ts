import type { CapacityScenario } from './capacity-scenario';
import type { Cost } from './cost-model';
import type { LatencyScenario } from './latency-scenario';

/** CPU milliseconds per item: the bench's client process, and dynalite's process where /proc exists. */
export interface CpuPerItem {
  cpuMsPerItem: number;
  dynaliteCpuMsPerItem?: number;
}

/** One point of the segments/concurrency sweep. */
export interface SweepPoint {
  segments: number;
  maxConcurrency: number;
  itemsPerSecond: number;
}

/** Segments scanned in parallel and how many run at once. */
export interface SegmentTuning {
  segments: number;
  maxConcurrency: number;
}

/** What a design uses and costs per million items, and the largest table one execution can migrate. */
export interface PerMillionItems {
  transitionsPerMillion: number;
  lambdaInvocationsPerMillion: number;
  maxItemsPerExecution: number;
  readUnitsPerMillion: number;
  writeUnitsPerMillion: number;
  lambdaGbSecondsPerMillion: number;
  cost: Cost;
  costPerMillionUsd: number;
}

/** A target from issues 6 and 11 and whether the run met it. */
export interface TargetCheck {
  name: string;
  target: string;
  value: string;
  met: boolean;
}

/** Everything `npm run bench` measured and modelled; `--json` prints this object. */
export interface BenchResult {
  items: number;
  date: string;
  machine: { cpus: number; node: string; dynalite: string; loadAverageStart: number; loadAverageEnd: number };
  settings: {
    migration: string;
    skipBackup: true;
    batchBudgetMs: number;
    sweepItems: number;
    sampleItems: number;
    memoryItems: number;
    pageSize: number;
    writeConcurrency: number;
    averageItemBytes: { before: number; after: number };
    latencyItems: number;
    capacityItems: number;
  };
  sweep: SweepPoint[];
  ours: PerMillionItems & {
    /** At the best segments/concurrency the sweep found, on `items` items. */
    itemsPerSecond: number;
    itemsPerSecondDefault: number;
    defaultTuning: SegmentTuning;
    bestTuning: SegmentTuning;
    itemsPerSecond4x: number;
    cpu: CpuPerItem;
    cpuDefault: CpuPerItem;
    cpu4x: CpuPerItem;
    /** 1-minute load average at the start and end of the default, best and 4N runs. */
    loadAverageDefault: [number, number];
    loadAverage: [number, number];
    loadAverage4x: [number, number];
    peakRssMb: number;
    peakRssMb4x: number;
    /** Measured locally in the default-tuning run (the local runner's default budget per MigrateBatch), scaled from `items` to a million. */
    measuredTransitionsPerMillion: number;
    measuredLambdaInvocationsPerMillion: number;
    measuredLambdaInvocations: number;
    /** One segment's rate inside MigrateBatch with DynamoDB 20 ms away (the latency scenario): the deployed model's input. */
    itemsPerLambdaSecond: number;
    /** A segment's rate inside MigrateBatch in the default-tuning run, 8 segments sharing two cores (for comparison). */
    itemsPerLambdaSecondSharedCpu: number;
    /** Modelled for the deployed defaults (8 segments, 900 s Lambda timeout), as are the per-million figures. */
    itemsPerInvocation: number;
    historyEventsParent: number;
    historyEventsPerChildPerMillion: number;
    maxItemsPerChild: number;
  };
  raw: SegmentTuning & { itemsPerSecond: number; cpu: CpuPerItem; loadAverage: [number, number] };
  sample: PerMillionItems & {
    items: number;
    itemsPerSecond: number;
    cpu: CpuPerItem;
    loadAverage: [number, number];
    historyEvents: number;
    historyEventsFixed: number;
    historyEventsPerMillion: number;
  };
  /** Issue 11: one segment with DynamoDB 20 ms away, ours against the plain pipelined loop. */
  latency: LatencyScenario;
  /** Issue 11: the migration's budget on a provisioned table shared with its application. */
  capacity: CapacityScenario;
  /** What DynamoDB alone charges per million items: Scan reads in 1-MB pages and the writes of changed items. */
  floor: { readUnitsPerMillion: number; writeUnitsPerMillion: number; cost: Cost; costPerMillionUsd: number };
  ratios: {
    oursOverRaw: number;
    oursDefaultOverRaw: number;
    oursOverSample: number;
    /** Client CPU per item, raw ÷ ours: the a/b comparison with the machine's load taken out. */
    cpuPerItemRawOverOurs: number;
    transitionsSampleOverOurs: number;
    peakRss4xOverN: number;
    latencyOursOverRaw: number;
    latencyOursOverTheoretical: number;
    costOverDynamoDbFloor: number;
  };
  targets: TargetCheck[];
  elapsedSeconds: number;
}
