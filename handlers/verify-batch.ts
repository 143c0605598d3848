import { ScanCommand } from '@aws-sdk/client-dynamodb';
import pLimit from 'p-limit';
import type { ItemFailure, Plan, SegmentProgress } from '../workflow/contract';
import { combineDigests, EMPTY_DIGEST } from '../workflow/digest';
import { SampleBudget, segmentSampleBytes } from '../workflow/samples';
import { packVerifyTotals, unpackVerifyTotals, zeroVerifyTotals, type VerifyTotals } from '../workflow/totals';
import { itemDigest, keyForReport } from './attribute-values';
import { decodeCursor, encodeCursor, START_CURSOR } from './cursor';
import { batchClock, InterruptedError, NotSentError, within } from './deadline';
import type { BatchContext } from './migrate-batch';
import { tableLevelError } from './sdk-errors';
import { SegmentCapacity } from './segment-capacity';

/** One page's findings, added to the segment's only once the whole page is checked. */
interface PageFindings {
  totals: VerifyTotals;
  digest: string;
  unmigrated: ItemFailure[];
}

/**
 * A verification pass over one segment: reads every item (strongly consistent, so a write that just
 * landed is seen), checks whether it is migrated, and adds it to the segment's digest. Writes nothing.
 * A page counts only once all its items are checked, so a call cut off at its deadline repeats its
 * last page and counts nothing twice.
 */
export async function verifyBatch(plan: Plan, segment: number, previous: SegmentProgress, ctx: BatchContext): Promise<SegmentProgress> {
  const clock = batchClock(ctx.remainingMs, ctx.safetyMarginMs, ctx.killed);
  // Reads only, paced by the run's read budget like a migration's scans.
  const capacity = new SegmentCapacity(plan, previous, ctx.client, clock);
  try {
    {
      const totals = unpackVerifyTotals(previous.totals);
      const failures = [...(previous.failures ?? [])];
      const samples = new SampleBudget(segmentSampleBytes(segment, plan.totalSegments), [failures]);
      let digest = previous.digest ?? EMPTY_DIGEST;
      let cursor: string | undefined = previous.cursor ?? START_CURSOR;
      const limit = pLimit(ctx.writeConcurrency);

      while (cursor !== undefined && Date.now() < clock.softDeadline) {
        const startKey = decodeCursor(cursor);
        let page;
        try {
          page = await capacity.gate.send('scan', clock.signal, (abortSignal, track) =>
            ctx.client.send(
              track(
              new ScanCommand({
                TableName: plan.table,
                Segment: segment,
                TotalSegments: plan.totalSegments,
                Limit: plan.pageSize,
                ConsistentRead: true,
                ReturnConsumedCapacity: 'TOTAL',
                ...(Object.keys(startKey).length > 0 && { ExclusiveStartKey: startKey }),
              })),
              { abortSignal },
            ),
          );
        } catch (error) {
          if (error instanceof InterruptedError || error instanceof NotSentError) break;
          throw tableLevelError(error, plan.table, 'dynamodb:Scan') ?? error;
        }
        const found: PageFindings = { totals: zeroVerifyTotals(), digest: EMPTY_DIGEST, unmigrated: [] };
        let complete = true;
        await Promise.all(
          (page.Items ?? []).map((item) =>
            limit(async () => {
              let verdict: true | string;
              try {
                verdict = await within(clock.signal, () => ctx.migrator.check(item));
              } catch {
                complete = false;
                return;
              }
              found.totals.checked += 1;
              found.digest = combineDigests(found.digest, itemDigest(item));
              if (verdict === true) found.totals.migrated += 1;
              else {
                found.totals.unmigrated += 1;
                found.unmigrated.push({ key: keyForReport(item, plan.keyAttributes), reason: verdict });
              }
            }),
          ),
        );
        if (!complete) break;
        for (const field of ['checked', 'migrated', 'unmigrated'] as const) totals[field] += found.totals[field];
        digest = combineDigests(digest, found.digest);
        for (const sample of found.unmigrated) samples.admit(failures, sample);
        cursor = page.LastEvaluatedKey ? encodeCursor(page.LastEvaluatedKey) : undefined;
      }
      totals.retries += capacity.effort.retries;
      totals.throttles += capacity.effort.throttles;
      totals.readUnits += capacity.pacer.consumed.read;
      ctx.log('batch.done', { segment, done: cursor === undefined, totals });
      return {
        ...(cursor !== undefined && { cursor }),
        ...capacity.paceFor(cursor),
        calls: previous.calls + 1,
        totals: packVerifyTotals(totals),
        digest,
        ...(failures.length > 0 && { failures }),
      };
    }
  } finally {
    capacity.stop();
    clock.dispose();
  }
}
