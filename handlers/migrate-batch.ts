import { ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import pLimit from 'p-limit';
import { samplesForSegment, zeroTotals, type Plan, type SegmentProgress } from '../workflow/contract';
import { decodeCursor, encodeCursor } from './cursor';
import { tableLevelError } from './errors';
import type { ItemMigrator, ItemReport } from './item-migrator';
import type { Logger } from './log';
import { Pacer } from './pacer';

/** What one MigrateBatch invocation needs besides its payload. */
export interface BatchContext {
  client: DynamoDBClient;
  migrator: ItemMigrator;
  /** Milliseconds left before the Lambda is stopped. */
  remainingMs: () => number;
  /** Time kept back for returning the cursor; the batch stops when less than this (or 3 pages) is left. */
  safetyMarginMs: number;
  /** Items migrated at once within a page. */
  writeConcurrency: number;
  log: Logger;
}

/** The per-Lambda share of the run's item rate, since segments run side by side. */
export const itemsPerSecondPerSegment = (plan: Plan): number =>
  plan.maxItemsPerSecond === 0 ? 0 : plan.maxItemsPerSecond / Math.min(plan.maxConcurrency, plan.totalSegments);

/**
 * Items to ask for in the next page: a rate-limited page must finish within half the time left, or
 * a slow rate with a large page could outlast the Lambda and never advance its cursor.
 */
export function pageLimit(pageSize: number, itemsPerSecond: number, availableMs: number): number {
  if (itemsPerSecond <= 0) return pageSize;
  return Math.max(1, Math.min(pageSize, Math.floor((itemsPerSecond * Math.max(availableMs, 0)) / 2000)));
}

function record(progress: SegmentProgress, report: ItemReport, sampleLimit: number): void {
  const t = progress.totals;
  t[report.kind] += 1;
  t.retries += report.retries;
  t.conflicts += report.conflicts;
  if (report.kind === 'failed' && progress.failures.length < sampleLimit) {
    progress.failures.push({ key: report.key, reason: report.reason.slice(0, 200) });
  }
  if ((report.kind === 'updated' || report.kind === 'deleted') && report.change && progress.changes.length < sampleLimit) {
    progress.changes.push(report.change);
  }
}

/**
 * Scans pages of one segment from the cursor and migrates their items until the segment ends or the
 * time budget runs low; returns the new cursor (absent when done) and the running totals. A cursor
 * always points after a page whose items are all finished, so a retry or redrive resumes cleanly.
 */
export async function migrateBatch(
  plan: Plan,
  segment: number,
  previous: Partial<SegmentProgress>,
  ctx: BatchContext,
): Promise<SegmentProgress> {
  const progress: SegmentProgress = {
    segment,
    invocations: (previous.invocations ?? 0) + 1,
    totals: { ...zeroTotals(), ...previous.totals },
    failures: [...(previous.failures ?? [])],
    changes: [...(previous.changes ?? [])],
  };
  const sampleLimit = samplesForSegment(segment, plan.totalSegments);
  const limit = pLimit(ctx.writeConcurrency);
  const rate = itemsPerSecondPerSegment(plan);
  const pacer = new Pacer(rate);
  let cursor = previous.cursor;
  let slowestPageMs = 0;

  for (;;) {
    const started = Date.now();
    let page;
    try {
      page = await ctx.client.send(
        new ScanCommand({
          TableName: plan.table,
          Segment: segment,
          TotalSegments: plan.totalSegments,
          Limit: pageLimit(plan.pageSize, rate, ctx.remainingMs() - ctx.safetyMarginMs),
          ...(cursor && { ExclusiveStartKey: decodeCursor(cursor) }),
        }),
      );
    } catch (error) {
      throw tableLevelError(error, plan.table, 'dynamodb:Scan') ?? error;
    }
    progress.totals.retries += (page.$metadata.attempts ?? 1) - 1;
    const items = page.Items ?? [];
    progress.totals.scanned += items.length;
    // A table-level error (access denied, table gone) stops the page: queued items do not start, and
    // the error is thrown only once the items already running have finished.
    let stop: unknown;
    const settled = await Promise.allSettled(
      items.map((item) =>
        limit(async () => {
          await pacer.take();
          if (stop !== undefined) throw stop;
          return ctx.migrator.migrate(item).catch((error: unknown) => {
            stop ??= error;
            throw error;
          });
        }),
      ),
    );
    if (stop !== undefined) throw stop;
    const reports = settled.map((r) => (r as PromiseFulfilledResult<ItemReport>).value);
    for (const report of reports) {
      record(progress, report, sampleLimit);
      if (report.kind === 'failed') ctx.log('item.failed', { segment, key: report.key, reason: report.reason });
    }
    cursor = page.LastEvaluatedKey ? encodeCursor(page.LastEvaluatedKey) : undefined;
    slowestPageMs = Math.max(slowestPageMs, Date.now() - started);
    if (!cursor || ctx.remainingMs() < Math.max(ctx.safetyMarginMs, 3 * slowestPageMs)) break;
  }

  ctx.log('batch.done', { segment, done: !cursor, invocation: progress.invocations, totals: progress.totals });
  return cursor ? { ...progress, cursor } : progress;
}
