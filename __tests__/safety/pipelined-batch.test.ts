/**
 * MigrateBatch is pipelined: the next Scan page is read while the current one is written, writes stay
 * at the concurrency limit across page boundaries, and items finish out of order. The cursor a batch
 * returns still points only after finished items (what is done beyond it travels in `ahead`), so
 * batches cut by their deadline, and a redrive after a crash, write every item exactly once.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeCursor } from '../../handlers/cursor';
import type { SegmentProgress } from '../../workflow/contract';
import { appliedCount, countingMigration, itemKey, migratedExactlyOnce, seededAccessLogTable } from '../support/access-log';
import { crashingLambda } from '../support/crash';
import { itemsByKey, testClient, useTestDb } from '../support/dynamo';
import { requestKey, seededRandom } from '../support/faults';
import { inProcessLambda, runOurs } from '../support/run-ours';

const db = useTestDb();

/** Delays every UpdateItem by `delayMs()` before it reaches DynamoDB; tracks how many are in flight, and which landed. */
function slowWrites(client: DynamoDBClient, delayMs: () => number) {
  const seen = { inFlight: 0, maxInFlight: 0, scansDuringWrites: 0, landed: new Map<string, number>() };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'ScanCommand' && seen.inFlight > 0) seen.scansDuringWrites += 1;
      if (context.commandName !== 'UpdateItemCommand') return next(args);
      seen.inFlight += 1;
      seen.maxInFlight = Math.max(seen.maxInFlight, seen.inFlight);
      try {
        await sleep(delayMs());
        const answer = await next(args);
        const key = requestKey({ command: 'UpdateItemCommand', input: args.input as Record<string, unknown> })!;
        seen.landed.set(key, (seen.landed.get(key) ?? 0) + 1);
        return answer;
      } finally {
        seen.inFlight -= 1;
      }
    },
    { step: 'initialize', priority: 'high', name: `slowWrites${Math.random()}` },
  );
  return seen;
}

/** The `pk`s of the items a progress carries as done beyond its cursor. */
const doneAhead = (progress: SegmentProgress): string[] => (progress.ahead ?? []).flatMap((a) => ('done' in a ? [decodeCursor(a.key).pk!.S!] : []));

describe('GIVEN one segment read in pages of 5 items, with writes that take 30 ms', () => {
  it('WHEN it is migrated THEN 16 writes are in flight at once (across 4 pages) and the next page is scanned while writes are in flight', async () => {
    const table = await seededAccessLogTable(db.admin, 300, 'pipeline');
    const client = testClient(db.endpoint);
    const seen = slowWrites(client, () => 30);

    const result = await runOurs({ client, table, migration: countingMigration(), input: { skipBackup: true, totalSegments: 1, pageSize: 5 } });
    client.destroy();

    expect(result.status).toBe('SUCCEEDED');
    expect(seen.maxInFlight).toBe(16);
    expect(seen.scansDuringWrites).toBeGreaterThan(10);
    expect(migratedExactlyOnce(await itemsByKey(db.admin, table), 300)).toEqual([]);
  });
});

describe('GIVEN writes that finish out of order (0-40 ms, 1 in 20 takes 400 ms) and MigrateBatch calls of about 600 ms', () => {
  const ITEMS = 600;
  const input = { skipBackup: true, totalSegments: 2, maxConcurrency: 2, pageSize: 20 };
  // 400 ms kept back, of which 160 ms for the writes in flight to finish: the slow ones are abandoned, and those after them are done.
  const timing = { lambdaTimeoutMs: 1_000, safetyMarginMs: 400 };
  const outOfOrder = (random: () => number) => () => (random() < 0.05 ? 400 : random() * 40);

  it('WHEN deadlines cut batches with items done beyond the cursor THEN a transform that is not idempotent is still applied exactly once, and no item is written twice', async () => {
    const table = await seededAccessLogTable(db.admin, ITEMS, 'out-of-order');
    const client = testClient(db.endpoint);
    const seen = slowWrites(client, outOfOrder(seededRandom(11)));
    const carried: string[] = [];
    const migration = countingMigration();

    const result = await runOurs({
      client,
      table,
      migration,
      input,
      lambda: inProcessLambda(client, table, migration, { safetyMarginMs: timing.safetyMarginMs }),
      lambdaTimeoutMs: timing.lambdaTimeoutMs,
      onProgress: (_segment, progress) => carried.push(...doneAhead(progress)),
    });
    client.destroy();

    expect(result.status).toBe('SUCCEEDED');
    expect(result.counts.lambdaInvocations).toBeGreaterThan(6);
    // Batches did end with finished items beyond their cursor, and the next call did not redo them.
    expect(carried.length).toBeGreaterThan(0);
    // No item was written twice: a write abandoned at a deadline was re-read and written again only if it had not landed.
    expect([...seen.landed.values()].filter((n) => n !== 1)).toEqual([]);
    expect(result.summary).toMatchObject({ scanned: ITEMS, updated: ITEMS, failed: 0 });
    expect(migratedExactlyOnce(await itemsByKey(db.admin, table), ITEMS)).toEqual([]);
  });

  it('WHEN the Lambda dies in a call that was handed items done beyond its cursor, and the run is redriven THEN those items are not written again', async () => {
    const table = await seededAccessLogTable(db.admin, ITEMS, 'redrive-ahead');
    const client = testClient(db.endpoint);
    slowWrites(client, outOfOrder(seededRandom(12)));
    const migration = countingMigration();
    // What each segment's latest armed call was handed as done: the dead call is its segment's latest.
    const handedAhead = new Map<number, string[]>();
    const crashing = crashingLambda(inProcessLambda(client, table, migration, { safetyMarginMs: timing.safetyMarginMs }), client, {
      when: (event) => {
        const ahead = doneAhead(event.progress);
        if (ahead.length > 0) handedAhead.set(event.segment, ahead);
        return ahead.length > 0;
      },
      afterWrites: 5,
    });

    // One segment: when a run fails, the calls of other segments still running are lost too (their items are redone).
    const oneSegment = { ...input, totalSegments: 1, maxConcurrency: 1 };
    const first = await runOurs({ client, table, migration, input: oneSegment, lambda: crashing.lambda, lambdaTimeoutMs: timing.lambdaTimeoutMs });
    await crashing.settled();
    expect(crashing.crash.happened).toBe(true);
    expect(first.status).toBe('FAILED');

    const redriven = await runOurs({
      client,
      table,
      migration,
      input: oneSegment,
      lambda: inProcessLambda(client, table, migration, { safetyMarginMs: timing.safetyMarginMs }),
      lambdaTimeoutMs: timing.lambdaTimeoutMs,
      record: first.record,
    });
    client.destroy();

    expect(redriven.status).toBe('SUCCEEDED');
    const final = await itemsByKey(db.admin, table);
    // Only what the dead call wrote can be applied twice (no version marker); what it was handed as done never is.
    const handed = handedAhead.get(crashing.crash.segment!) ?? [];
    expect(handed.length).toBeGreaterThan(0);
    const twice = [...final.entries()].filter(([, item]) => appliedCount(item) === 2).map(([key]) => key);
    expect(twice.length).toBeLessThanOrEqual(crashing.crash.writesByCrashedInvocation);
    expect(twice.filter((key) => handed.includes(key))).toEqual([]);
    expect(handed.map((key) => appliedCount(final.get(key)))).toEqual(handed.map(() => 1));
    expect([...Array(ITEMS).keys()].map(itemKey).filter((key) => appliedCount(final.get(key)) < 1)).toEqual([]);
  });
});
