import { ScanCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
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
  /** Items migrated at once within a page (the Lambda's `writeConcurrency`). */
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
 * Functions interpreter, Lambda calls, cursors through the state) and not a cheaper per-item path.
 * Like MigrateBatch, a page's items are written with bounded concurrency and the next page is
 * scanned when they are done.
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

  const migrateSegment = async (segment: number): Promise<void> => {
    const limit = pLimit(options.writeConcurrency);
    let cursor: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(
        new ScanCommand({ TableName: table, Segment: segment, TotalSegments: totalSegments, Limit: pageSize, ExclusiveStartKey: cursor }),
      );
      const items = page.Items ?? [];
      totals.scanned += items.length;
      const reports = await Promise.all(items.map((item) => limit(() => migrator.migrate(item))));
      for (const report of reports) count(totals, report);
      cursor = page.LastEvaluatedKey;
    } while (cursor);
  };

  const segments = pLimit(options.maxConcurrency);
  await Promise.all(Array.from({ length: totalSegments }, (_, segment) => segments(() => migrateSegment(segment))));
  return totals;
}
