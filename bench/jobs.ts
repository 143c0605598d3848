import type { LambdaBundle } from '../bundle/lambda-bundle';

/** What every measurement needs: where DynamoDB is, the seeded table, and the migration module. */
interface JobBase {
  endpoint: string;
  table: string;
  /** Items seeded into the table (each contender gets a fresh, unmigrated copy). */
  items: number;
  migrationFile: string;
}

/** Our workflow through the local runner: the real definition and the deployable bundle. */
export interface OursJob extends JobBase {
  contender: 'ours';
  bundle: LambdaBundle;
  totalSegments: number;
  maxConcurrency: number;
  /** The per-MigrateBatch time budget (the Lambda's remaining time). */
  batchBudgetMs: number;
  /** More execution input (e.g. a capacity budget). */
  input?: Record<string, unknown>;
}

/** The same migration as a plain SDK loop (see raw-loop.ts). */
export interface RawJob extends JobBase {
  contender: 'raw';
  keyAttributes: string[];
  totalSegments: number;
  maxConcurrency: number;
  pageSize: number;
  writeConcurrency: number;
}

/** The AWS sample's shape through the same interpreter (fixtures/aws-sample-workflow.ts). */
export interface SampleJob extends JobBase {
  contender: 'sample';
}

/** One measurement, run in a fresh child process. */
export type Job = OursJob | RawJob | SampleJob;

/** The Step Functions event counts a workflow run produced. */
export interface RunCounts {
  stateTransitions: number;
  lambdaInvocations: number;
  mapIterations: number;
  historyEvents?: number;
}

/** What a child process measured. */
export interface Measurement {
  contender: Job['contender'];
  status: 'SUCCEEDED' | 'FAILED';
  error?: string;
  /** Items the run scanned (all of them when it succeeded). */
  scanned: number;
  updated: number;
  elapsedMs: number;
  itemsPerSecond: number;
  /** CPU time (user + system) this process spent in the run: the client side's cost. */
  cpuMs: number;
  /** CPU time dynalite spent during the run (set by the parent from /proc; absent elsewhere). */
  serverCpuMs?: number;
  /** The machine's 1-minute load average when the run started and ended (it is shared and noisy). */
  loadAverage: [number, number];
  /** RSS after loading everything, just before the run started. */
  rssBeforeMb: number;
  /** `process.resourceUsage().maxRSS` at the end: the process's peak resident set. */
  peakRssMb: number;
  counts?: RunCounts;
  /** MigrateBatch invocations per segment (ours only). */
  invocationsPerSegment?: number[];
  /** Items per second of Lambda time inside MigrateBatch (ours only): a segment's own rate. */
  itemsPerLambdaSecond?: number;
}

/** A job before the bench picks its table and endpoint. */
export type JobSpec = Job extends infer J ? (J extends Job ? Omit<J, 'table' | 'endpoint' | 'migrationFile'> : never) : never;
