/**
 * A run stopped on purpose (Ctrl-C locally): running batches return at once with exact progress,
 * nothing new starts, and a redrive of the saved record finishes the migration with exact totals:
 * every item counted once as updated, none mistaken for "unchanged" because an earlier batch's
 * result was lost.
 */
import { resultSummary } from '../../local/run-summary';
import { defineMigration } from '../../migrations/define';
import { newTable, putItems, scanAll, useTestDb } from '../support/dynamo';
import { runOurs } from '../support/run-ours';

const db = useTestDb();
const ITEMS = 1_500;
const tag = defineMigration({ id: 'tag', transform: (item) => (String(item.name).endsWith('!') ? undefined : { ...item, name: `${String(item.name)}!` }) });

it('stops within about a second with exact progress, and the redrive ends with exact totals', async () => {
  // GIVEN a table of 1,500 items and a rate-limited run of 3 segments whose batches last 5 s
  const table = await newTable(db.admin);
  await putItems(db.admin, table, Array.from({ length: ITEMS }, (_, i) => ({ pk: { S: `k${i}` }, name: { S: `n${i}` } })));
  const input = { skipBackup: true, totalSegments: 3, maxConcurrency: 3, pageSize: 25, maxItemsPerSecond: 600 };
  const stop = new AbortController();

  // WHEN it is stopped 1.5 s in, in the middle of every segment's first batch
  setTimeout(() => stop.abort(), 1_500);
  const started = Date.now();
  const first = await runOurs({ client: db.admin, table, migration: tag, input, stop: stop.signal });
  const stoppedAfterMs = Date.now() - started - 1_500;

  // THEN it ended promptly as stopped, with some but not all items done, and its totals count them: all
  // but writes abandoned at the cut-off, which travel in the progress and are settled by the redrive
  expect(first).toMatchObject({ status: 'FAILED', error: 'ExecutionStopped' });
  expect(stoppedAfterMs).toBeLessThan(2_500);
  const midway = (await scanAll(db.admin, table)).filter((i) => i.name!.S!.endsWith('!')).length;
  const partial = resultSummary(first, table);
  expect(midway).toBeGreaterThan(0);
  expect(midway).toBeLessThan(ITEMS);
  expect(partial.updated).toBeLessThanOrEqual(midway);
  expect(partial.updated).toBeGreaterThanOrEqual(midway - 3 * 16);

  // WHEN the saved record is redriven, as --resume does
  const resumed = await runOurs({ client: db.admin, table, migration: tag, input, record: first.record });

  // THEN every item was migrated once and the totals say exactly that
  expect(resumed.status).toBe('SUCCEEDED');
  expect(resultSummary(resumed, table)).toMatchObject({ scanned: ITEMS, updated: ITEMS, unchanged: 0, failed: 0 });
  expect((await scanAll(db.admin, table)).filter((i) => i.name!.S!.endsWith('!'))).toHaveLength(ITEMS);
});
