/**
 * Progress between batch results. A MigrateBatch call returns exact totals only when it ends (every
 * 15 s locally, up to 15 minutes deployed), so the local run also watches the Lambda's own DynamoDB
 * client: items returned by each segment's Scans and writes that succeeded, counted on top of the
 * segment's last exact totals. Each batch result replaces the estimate with the exact figures.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Plan, SegmentProgress } from '../workflow/contract';
import type { StepHandler } from '../workflow/steps';
import { unpackTotals, type Totals } from '../workflow/totals';

/** How the run stands right now. */
export interface LiveSnapshot {
  segments: number;
  segmentsDone: number;
  /** Items read so far: exact at batch ends, counted from the Scans in between (which read a few pages ahead of the writes). */
  scanned: number;
  updated: number;
  deleted: number;
  failed: number;
  /** DynamoDB's item count estimate, when it has one (it is 0 for a new table and always on dynalite). */
  expected?: number;
  elapsedMs: number;
  /** Items read per second over the last few seconds. */
  itemsPerSecond: number;
  /** When the expected count is known and items are moving: how long the rest should take. */
  etaMs?: number;
}

interface InBatch {
  scanned: number;
  updated: number;
  deleted: number;
}

const RATE_WINDOW_MS = 5_000;

/** Live counters for one local run. */
export class LiveProgress {
  private readonly exact = new Map<number, Totals>();
  private readonly inBatch = new Map<number, InBatch>();
  private readonly done = new Set<number>();
  private readonly segmentOf = new AsyncLocalStorage<number>();
  private readonly samples: { at: number; scanned: number }[] = [];
  private segments = 0;
  private expected = 0;
  /** Scans read a few pages ahead, and a batch's exact result may be below that estimate: the figure shown never goes back. */
  private highWater = 0;

  constructor(private readonly started = Date.now()) {}

  /** Counts what `client` reads and writes for the segment whose batch is running. */
  observe(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        const segment = this.segmentOf.getStore();
        if (segment !== undefined) {
          const counts = this.inBatch.get(segment) ?? { scanned: 0, updated: 0, deleted: 0 };
          if (context.commandName === 'ScanCommand') counts.scanned += (result.output as { Count?: number }).Count ?? 0;
          else if (context.commandName === 'UpdateItemCommand') counts.updated += 1;
          else if (context.commandName === 'DeleteItemCommand') counts.deleted += 1;
          this.inBatch.set(segment, counts);
        }
        return result;
      },
      { step: 'initialize', name: 'liveProgress', override: true },
    );
  }

  /** The handler with each MigrateBatch call's requests attributed to its segment. */
  wrap(handler: StepHandler): StepHandler {
    const wrapped = (event: unknown, context: unknown) => {
      const batch = event as { step?: string; segment?: number; progress?: SegmentProgress };
      if (batch.step !== 'migrateBatch' || typeof batch.segment !== 'number') return (handler as (e: unknown, c: unknown) => Promise<unknown>)(event, context);
      const segment = batch.segment;
      if (batch.progress) this.exact.set(segment, unpackTotals(batch.progress.totals));
      this.inBatch.delete(segment);
      return this.segmentOf.run(segment, () => (handler as (e: unknown, c: unknown) => Promise<unknown>)(event, context));
    };
    return wrapped as StepHandler;
  }

  /** The plan is known: how many segments, and how many items DynamoDB estimates. */
  planned(plan: Plan, expectedItems: number): void {
    this.segments = plan.totalSegments;
    this.expected = expectedItems;
  }

  /** A batch returned (or a resumed run's saved progress): exact figures for its segment. */
  batchReturned(segment: number, progress: SegmentProgress): void {
    this.exact.set(segment, unpackTotals(progress.totals));
    this.inBatch.delete(segment);
    if (progress.cursor === undefined) this.done.add(segment);
  }

  /** The figures now. */
  snapshot(now = Date.now()): LiveSnapshot {
    const sum = (pick: (t: Totals) => number, live: (b: InBatch) => number) =>
      [...this.exact.values()].reduce((n, t) => n + pick(t), 0) + [...this.inBatch.values()].reduce((n, b) => n + live(b), 0);
    this.highWater = Math.max(this.highWater, sum((t) => t.scanned, (b) => b.scanned));
    const scanned = this.highWater;
    this.samples.push({ at: now, scanned });
    while (this.samples.length > 2 && this.samples[0]!.at < now - RATE_WINDOW_MS) this.samples.shift();
    const first = this.samples[0]!;
    const itemsPerSecond = now > first.at ? Math.max(0, ((scanned - first.scanned) * 1000) / (now - first.at)) : 0;
    const expected = this.expected > 0 ? this.expected : undefined;
    const left = expected !== undefined ? expected - scanned : 0;
    return {
      segments: this.segments,
      segmentsDone: this.done.size,
      scanned,
      updated: sum((t) => t.updated, (b) => b.updated),
      deleted: sum((t) => t.deleted, (b) => b.deleted),
      failed: sum((t) => t.failed, () => 0),
      ...(expected !== undefined && { expected }),
      elapsedMs: now - this.started,
      itemsPerSecond,
      ...(left > 0 && itemsPerSecond > 0 && { etaMs: (left / itemsPerSecond) * 1000 }),
    };
  }
}
