import { setMaxListeners } from 'node:events';
import { ScanCommand, type DynamoDBClient, type ScanCommandOutput } from '@aws-sdk/client-dynamodb';
import pLimit from 'p-limit';
import type { AheadItem, ItemChange, ItemFailure, Plan, SegmentProgress } from '../workflow/contract';
import { SampleBudget, segmentSampleBytes } from '../workflow/samples';
import { packTotals, unpackTotals, type Totals } from '../workflow/totals';
import { keyOf, type RawItem } from './attribute-values';
import { segmentBudget } from './capacity-budget';
import type { CapacityGate } from './capacity-gate';
import { decodeCursor, encodeCursor, START_CURSOR } from './cursor';
import { batchClock, InterruptedError, type BatchClock } from './deadline';
import { itemFailureFields } from './failure-reason';
import type { ItemMigrator, ItemOutcome, ItemReport } from './item-migrator';
import type { Landing } from './landing';
import type { Logger } from './log';
import { Pacer } from './pacer';
import { tableLevelError } from './sdk-errors';
import { SegmentCapacity } from './segment-capacity';

/** What one MigrateBatch invocation needs besides its payload. */
export interface BatchContext {
  client: DynamoDBClient;
  migrator: ItemMigrator;
  /** Milliseconds left before the Lambda is stopped. */
  remainingMs: () => number;
  /** Local runs: aborts when the invocation is killed; no call may start after it. */
  killed?: AbortSignal;
  /** Time kept back for returning the cursor (see handlers/deadline.ts). */
  safetyMarginMs: number;
  /** Items migrated at once, across page boundaries. */
  writeConcurrency: number;
  log: Logger;
}

/** The per-Lambda share of the run's item rate, since segments run side by side. */
export const itemsPerSecondPerSegment = (plan: Plan): number =>
  plan.maxItemsPerSecond === 0 ? 0 : plan.maxItemsPerSecond / Math.min(plan.maxConcurrency, plan.totalSegments);

/**
 * The most items a segment can migrate per second under its budgets (0 = unlimited): the item rate,
 * and the write budget, since every written item costs at least one write unit.
 */
export function itemsPerSecondCeiling(plan: Plan): number {
  const share = segmentBudget(plan.budget ?? {}, plan);
  const rates = [itemsPerSecondPerSegment(plan), ...(plan.dryRun ? [] : [share.write ?? 0, share.tableWrite ?? 0])].filter((r) => r > 0);
  return rates.length > 0 ? Math.min(...rates) : 0;
}

/**
 * Items to ask for in the next page: a rate-limited page must finish within half the time left, or
 * a slow rate with a large page could outlast the Lambda and never advance its cursor.
 */
export function pageLimit(pageSize: number, itemsPerSecond: number, availableMs: number): number {
  if (itemsPerSecond <= 0) return pageSize;
  return Math.max(1, Math.min(pageSize, Math.floor((itemsPerSecond * Math.max(availableMs, 0)) / 2000)));
}

/** One scanned item on its way, or the end of a page (whose LastEvaluatedKey is a cursor once all before it are done). */
type Entry =
  | { type: 'item'; raw: RawItem; key: string; state: 'running' | 'done' | 'interrupted' }
  | { type: 'item'; raw: RawItem; key: string; state: 'uncertain'; landing: Landing }
  | { type: 'pageEnd'; lastKey?: RawItem };

/** A segment's counters and samples while a batch runs. */
class BatchTally {
  readonly totals: Totals;
  readonly failures: ItemFailure[];
  readonly changes: ItemChange[];
  private readonly samples: SampleBudget;

  constructor(previous: SegmentProgress, sampleBytes: number) {
    this.totals = unpackTotals(previous.totals);
    this.failures = [...(previous.failures ?? [])];
    this.changes = [...(previous.changes ?? [])];
    this.samples = new SampleBudget(sampleBytes, [this.failures, this.changes]);
  }

  /** Counts one item that finished (each item is counted once, when it finishes). */
  finished(outcome: Exclude<ItemOutcome, { kind: 'interrupted' | 'uncertain' }>, key: ItemReport['key']): void {
    this.totals.scanned += 1;
    this.totals[outcome.kind] += 1;
    if (outcome.kind === 'failed') this.samples.admit(this.failures, { key, reason: outcome.reason });
    if ((outcome.kind === 'updated' || outcome.kind === 'deleted') && outcome.change) this.samples.admit(this.changes, outcome.change);
  }

  conflicts(report: { conflicts: number }): void {
    this.totals.conflicts += report.conflicts;
  }
}

const isFinished = (outcome: ItemOutcome): outcome is Exclude<ItemOutcome, { kind: 'interrupted' | 'uncertain' }> =>
  outcome.kind !== 'interrupted' && outcome.kind !== 'uncertain';

/**
 * Scans one segment from the cursor and migrates its items until the segment ends or the call's time
 * is up (handlers/deadline.ts): the next page is read while the current one is written, and writes
 * stay at the concurrency limit across page boundaries. The cursor it returns points after items that
 * are all finished; items finished beyond it, or whose write is still unknown, travel in `ahead`, so
 * a retry, resume or redrive neither repeats nor miscounts an item.
 */
export async function migrateBatch(plan: Plan, segment: number, previous: SegmentProgress, ctx: BatchContext): Promise<SegmentProgress> {
  const clock = batchClock(ctx.remainingMs, ctx.safetyMarginMs, ctx.killed);
  const capacity = new SegmentCapacity(plan, previous, ctx.client, clock);
  try {
    const progress = await runBatch(plan, segment, previous, ctx, clock, capacity.gate);
    const totals = unpackTotals(progress.totals);
    totals.retries += capacity.effort.retries;
    totals.throttles += capacity.effort.throttles;
    totals.readUnits += capacity.pacer.consumed.read;
    totals.writeUnits += capacity.pacer.consumed.write;
    return { ...progress, ...capacity.paceFor(progress.cursor), totals: packTotals(totals) };
  } finally {
    capacity.stop();
    clock.dispose();
  }
}

async function runBatch(
  plan: Plan,
  segment: number,
  previous: SegmentProgress,
  ctx: BatchContext,
  clock: BatchClock,
  gate: CapacityGate,
): Promise<SegmentProgress> {
  const tally = new BatchTally(previous, segmentSampleBytes(segment, plan.totalSegments));
  const migrator = ctx.migrator.withCapacity(gate);
  const keyOfItem = (raw: RawItem) => encodeCursor(keyOf(raw, plan.keyAttributes));

  // First the items the last call left unsettled: a write of ours may have landed.
  const alreadyDone = new Set<string>();
  const unsettled: AheadItem[] = [];
  for (const item of previous.ahead ?? []) {
    if ('done' in item) {
      alreadyDone.add(item.key);
      continue;
    }
    const outcome = await migrator.settle(decodeCursor(item.key), item.landing, clock.signal);
    if (outcome.kind === 'uncertain') unsettled.push(item);
    else if (isFinished(outcome)) {
      tally.finished(outcome, {});
      alreadyDone.add(item.key);
    }
  }
  const startCursor = previous.cursor ?? START_CURSOR;
  if (unsettled.length > 0) {
    // Still unknown (DynamoDB does not answer): going past them could count them twice. Try again next call.
    return progressOf(previous.calls + 1, startCursor, [...[...alreadyDone].map((key) => ({ key, done: true as const })), ...unsettled], tally);
  }

  const limit = pLimit(ctx.writeConcurrency);
  let finishedHere = 0;
  // Slow start: the call's first item goes alone, the rest once it is done. A table-level error
  // (access denied, table gone) then costs one request, not a whole window of them, and a call
  // that meets one has finished nothing and fails at once.
  let firstDone: Promise<void> | undefined;
  const rate = itemsPerSecondPerSegment(plan);
  const itemPacer = new Pacer(rate);
  let fatal: unknown;
  const open = () => fatal === undefined && Date.now() < clock.softDeadline;

  // The items from the cursor on, in scan order, with the ends of their pages: the finished prefix is
  // dropped as the cursor moves over it, so a long call holds only what is still on its way.
  const entries: Entry[] = [];
  let cursor: string | undefined = startCursor;
  const advance = (): void => {
    let index = 0;
    for (; index < entries.length; index++) {
      const entry = entries[index]!;
      if (entry.type === 'pageEnd') cursor = entry.lastKey ? encodeCursor(entry.lastKey) : undefined;
      else if (entry.state === 'done') {
        cursor = entry.key;
        alreadyDone.delete(entry.key); // passed: the scan will not meet it again
      } else break;
    }
    entries.splice(0, index);
  };

  // Items queued or being migrated. A page is queued once at most `room` are: writers never run dry
  // across a page boundary (small pages included), and at most about three pages are held at once.
  const inFlight = new Set<Promise<void>>();
  const room = Math.max(ctx.writeConcurrency, plan.pageSize);
  let wakeReader: (() => void) | undefined;
  const roomForAPage = (): Promise<void> => (inFlight.size <= room ? Promise.resolve() : new Promise((resolve) => (wakeReader = resolve)));
  const queue = (entry: Extract<Entry, { type: 'item' }>): void => {
    const work = limit(() => migrate(entry)).finally(() => {
      inFlight.delete(work);
      if (inFlight.size <= room && wakeReader) {
        const wake = wakeReader;
        wakeReader = undefined;
        wake();
      }
    });
    inFlight.add(work);
  };

  const itemsCeiling = itemsPerSecondCeiling(plan);
  const scan = (startKey: string): Promise<ScanCommandOutput> => {
    const exclusiveStartKey = decodeCursor(startKey);
    return gate.send('scan', clock.signal, (abortSignal, track) =>
      ctx.client.send(
        track(
        new ScanCommand({
          TableName: plan.table,
          Segment: segment,
          TotalSegments: plan.totalSegments,
          Limit: pageLimit(plan.pageSize, itemsCeiling, clock.softDeadline - Date.now()),
          ReturnConsumedCapacity: 'TOTAL',
          ...(Object.keys(exclusiveStartKey).length > 0 && { ExclusiveStartKey: exclusiveStartKey }),
        })),
        { abortSignal },
      ),
    ).catch((error: unknown) => {
      if (error instanceof InterruptedError) return undefined as never;
      throw tableLevelError(error, plan.table, 'dynamodb:Scan') ?? error;
    });
  };

  const migrate = async (entry: Extract<Entry, { type: 'item' }>): Promise<void> => {
    if (firstDone) await firstDone;
    else {
      let done!: () => void;
      firstDone = new Promise((resolve) => (done = resolve));
      try {
        await migrateOne(entry);
      } finally {
        done();
      }
      return;
    }
    await migrateOne(entry);
  };

  const migrateOne = async (entry: Extract<Entry, { type: 'item' }>): Promise<void> => {
    await itemPacer.take();
    if (!open()) {
      entry.state = 'interrupted';
      return;
    }
    let report: ItemReport;
    try {
      report = await migrator.migrate(entry.raw, clock.signal);
    } catch (error) {
      fatal ??= error;
      entry.state = 'interrupted';
      return;
    }
    tally.conflicts(report);
    if (report.kind === 'uncertain') Object.assign(entry, { state: 'uncertain', landing: report.landing });
    else if (report.kind === 'interrupted') entry.state = 'interrupted';
    else {
      entry.state = 'done';
      finishedHere += 1;
      tally.finished(report, report.key);
      if (report.kind === 'failed') ctx.log('item.failed', { segment, ...itemFailureFields(report.key, report) });
    }
  };

  // The next page is read while this one is written.
  let next: Promise<ScanCommandOutput | undefined> | undefined = open() ? scan(startCursor).catch((e: unknown) => ((fatal ??= e), undefined)) : undefined;
  while (next && open()) {
    const page = await next;
    next = undefined;
    if (!page) break;
    if (page.LastEvaluatedKey && open()) next = scan(encodeCursor(page.LastEvaluatedKey)).catch((e: unknown) => ((fatal ??= e), undefined));
    await roomForAPage();
    let whole = true;
    for (const raw of page.Items ?? []) {
      const key = keyOfItem(raw);
      if (alreadyDone.has(key)) {
        entries.push({ type: 'item', raw, key, state: 'done' });
        continue;
      }
      if (!open()) {
        whole = false;
        break;
      }
      const entry: Extract<Entry, { type: 'item' }> = { type: 'item', raw, key, state: 'running' };
      entries.push(entry);
      queue(entry);
    }
    if (whole) entries.push({ type: 'pageEnd', ...(page.LastEvaluatedKey && { lastKey: page.LastEvaluatedKey }) });
    advance();
    if (!whole) break;
  }
  await Promise.all(inFlight);
  await next;
  // A table-level error fails the call only when it finished nothing; otherwise the call hands over
  // its exact progress first, and the next call meets the error again at once.
  if (fatal !== undefined && finishedHere === 0) throw fatal;

  // Writes abandoned at the deadline: settle them now if DynamoDB answers in the time kept for it.
  gate.notAfter = clock.settleDeadline;
  const settleBy = new AbortController();
  setMaxListeners(0, settleBy.signal);
  // A killed invocation settles nothing: its process is gone.
  clock.killed.addEventListener('abort', () => settleBy.abort(), { once: true });
  if (clock.killed.aborted) settleBy.abort();
  const timer = setTimeout(() => settleBy.abort(), Math.max(0, clock.settleDeadline - Date.now()));
  try {
    await Promise.all(
      entries.map(async (entry) => {
        if (entry.type !== 'item' || entry.state !== 'uncertain') return;
        const outcome = await migrator.settle(entry.raw, entry.landing, settleBy.signal);
        if (outcome.kind === 'interrupted') Object.assign(entry, { state: 'interrupted' });
        else if (isFinished(outcome)) {
          Object.assign(entry, { state: 'done' });
          tally.finished(outcome, {});
        }
      }),
    );
  } finally {
    clearTimeout(timer);
  }

  // The cursor moves over the finished prefix; what lies beyond it travels in `ahead`: what is done
  // (this call's, and the last call's that the scan has not passed yet) and what is unknown.
  advance();
  const done = new Set(alreadyDone);
  const unknown: AheadItem[] = [];
  for (const entry of entries) {
    if (entry.type === 'item' && entry.state === 'done') done.add(entry.key);
    if (entry.type === 'item' && entry.state === 'uncertain') unknown.push({ key: entry.key, landing: entry.landing });
  }
  // A finished segment has nothing beyond its end (items deleted there are never scanned again).
  const ahead: AheadItem[] = cursor === undefined ? [] : [...[...done].map((key) => ({ key, done: true as const })), ...unknown];
  const calls = previous.calls + 1;
  ctx.log('batch.done', { segment, done: cursor === undefined, call: calls, totals: tally.totals });
  return progressOf(calls, cursor, ahead, tally);
}

/** The progress to return: wire totals, and empty lists left out. */
function progressOf(calls: number, cursor: string | undefined, ahead: AheadItem[], tally: BatchTally): SegmentProgress {
  return {
    ...(cursor !== undefined && { cursor }),
    ...(ahead.length > 0 && { ahead }),
    calls,
    totals: packTotals(tally.totals),
    ...(tally.failures.length > 0 && { failures: tally.failures }),
    ...(tally.changes.length > 0 && { changes: tally.changes }),
  };
}
