import { ScanCommand, type AttributeValue, type DynamoDBClient, type ScanCommandOutput } from '@aws-sdk/client-dynamodb';
import pLimit from 'p-limit';
import { ItemMigrator, type ItemReport } from '../handlers/item-migrator';
import type { Migration } from '../migrations/define';
import { zeroTotals, type Totals } from '../workflow/totals';

/** The knobs the raw loop shares with the workflow, so both do the same work the same way. */
export interface RawLoopOptions {
  client: DynamoDBClient;
  table: string;
  keyAttributes: string[];
  migration: Migration;
  totalSegments: number;
  /** Segments scanned at once (the workflow's Map MaxConcurrency). */
  maxConcurrency: number;
  /** Scan page size (the workflow's `pageSize`). */
  pageSize: number;
  /** Items migrated at once, across page boundaries (the Lambda's `writeConcurrency`). */
  writeConcurrency: number;
}

function count(totals: Totals, report: ItemReport): void {
  // Without a deadline nothing is interrupted; the kinds only a batch's deadline produces never occur.
  if (report.kind === 'interrupted' || report.kind === 'uncertain') throw new Error(`unexpected outcome ${report.kind} without a deadline`);
  totals[report.kind] += 1;
  totals.conflicts += report.conflicts;
}

/**
 * The raw limit: the same migration with no workflow around it. Parallel Scan over the same
 * segments, pages of the same size, and per item the very `ItemMigrator` the Lambda uses (transform,
 * smallest write, UpdateItem conditioned on every scanned attribute, conflict re-read): reusing it is
 * what makes this "the same work", so the gap to the workflow is the orchestration alone (Step
 * Functions interpreter, Lambda calls, cursors, deadlines, capacity accounting) and not a cheaper
 * per-item path. Pipelined the plain way: the next page is scanned as soon as a page arrives, and
 * `writeConcurrency` writes are always in flight, across page boundaries (a page is queued once at
 * most max(writeConcurrency, pageSize) items are waiting, like MigrateBatch, to bound memory).
 */
export async function runRawLoop(options: RawLoopOptions): Promise<Totals> {
  const { client, table, totalSegments, pageSize } = options;
  const migrator = new ItemMigrator({
    client,
    table,
    keyAttributes: options.keyAttributes,
    migration: options.migration,
    dryRun: false,
  });
  const totals = zeroTotals();
  const room = Math.max(options.writeConcurrency, pageSize);

  const migrateSegment = async (segment: number): Promise<void> => {
    const limit = pLimit(options.writeConcurrency);
    const inFlight = new Set<Promise<void>>();
    let wake: (() => void) | undefined;
    const scan = (cursor?: Record<string, AttributeValue>): Promise<ScanCommandOutput> =>
      client.send(new ScanCommand({ TableName: table, Segment: segment, TotalSegments: totalSegments, Limit: pageSize, ExclusiveStartKey: cursor }));
    let next: Promise<ScanCommandOutput> | undefined = scan();
    while (next) {
      const page: ScanCommandOutput = await next;
      next = page.LastEvaluatedKey ? scan(page.LastEvaluatedKey) : undefined;
      if (inFlight.size > room) await new Promise<void>((resolve) => (wake = resolve));
      for (const item of page.Items ?? []) {
        totals.scanned += 1;
        const work = limit(() => migrator.migrate(item)).then((report) => {
          count(totals, report);
          inFlight.delete(work);
          if (inFlight.size <= room && wake) {
            const resume = wake;
            wake = undefined;
            resume();
          }
        });
        inFlight.add(work);
      }
    }
    await Promise.all(inFlight);
  };

  const segments = pLimit(options.maxConcurrency);
  await Promise.all(Array.from({ length: totalSegments }, (_, segment) => segments(() => migrateSegment(segment))));
  return totals;
}
