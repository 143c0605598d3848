/**
 * Faults that outlast the SDK's retries: an item whose calls keep failing becomes a per-item failure
 * with its key and reason instead of a crash, and throttling that outlasts the retries only slows
 * the run down. Faults the retries absorb: faults-transient.test.ts.
 */
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { connectionConfig, localConnection } from '../../local/connection';
import { countingMigration, itemKey, migratedExactlyOnce, seededAccessLogTable } from '../support/access-log';
import { itemsByKey, testClient, useTestDb } from '../support/dynamo';
import { beforeRequest, injectFaults, requestKey } from '../support/faults';
import { runOurs } from '../support/run-ours';

const ITEMS = 1_000;
/** The migration deletes every 10th item, so DeleteItem meets the faults too. */
const deleteWhen = (i: number) => i % 10 === 9;
const input = { skipBackup: true, totalSegments: 4, maxConcurrency: 4, pageSize: 50 };

const db = useTestDb();

const seededTable = (count = ITEMS) => seededAccessLogTable(db.admin, count, 'faults');

describe('GIVEN faults that outlast the SDK retries for a few items (client with maxAttempts 3)', () => {
  const stuck = new Set([itemKey(3), itemKey(555), itemKey(777)]);
  const stuckDelete = itemKey(19); // deleteWhen(19) is true: the migration wants to delete it

  it('WHEN the migration writes them THEN each is a per-item failure with its key and reason, left unchanged, and every other item is migrated', async () => {
    const table = await seededTable();
    const client = testClient(db.endpoint, { maxAttempts: 3 });
    const faults = injectFaults(client, {
      rate: 0,
      kinds: [],
      persistent: (r) =>
        r.command === 'UpdateItemCommand' && stuck.has(requestKey(r)!)
          ? 'InternalServerError'
          : r.command === 'DeleteItemCommand' && requestKey(r) === stuckDelete
            ? 'TimeoutError'
            : undefined,
    });

    const result = await runOurs({ client, table, migration: countingMigration({ deleteWhen }), input: { ...input, toleratedFailures: 4 } });
    client.destroy();

    expect(result.status).toBe('SUCCEEDED');
    expect(result.summary).toMatchObject({ failed: 4, updated: 897, deleted: 99 });
    // Each faulted write was tried 3 times per attempt; an attempt cut off by a call's deadline is made again.
    expect(faults.total()).toBeGreaterThanOrEqual(4 * 3);
    const failures = [...result.summary!.failures].sort((a, b) => String(a.key.pk).localeCompare(String(b.key.pk)));
    expect(failures).toEqual([
      { key: { pk: itemKey(3) }, reason: expect.stringMatching(/InternalServerError.*after 3 attempts/) },
      { key: { pk: itemKey(19) }, reason: expect.stringMatching(/TimeoutError.*after 3 attempts/) },
      { key: { pk: itemKey(555) }, reason: expect.stringMatching(/InternalServerError.*after 3 attempts/) },
      { key: { pk: itemKey(777) }, reason: expect.stringMatching(/InternalServerError.*after 3 attempts/) },
    ]);
    const final = await itemsByKey(db.admin, table);
    expect(migratedExactlyOnce(final, ITEMS, { deleteWhen, untouched: new Set([...stuck, stuckDelete]) })).toEqual([]);
  });

  it('WHEN more items fail than tolerated THEN the run fails with ToleratedFailuresExceeded, and the other items are still migrated', async () => {
    const table = await seededTable();
    const client = testClient(db.endpoint, { maxAttempts: 3 });
    injectFaults(client, {
      rate: 0,
      kinds: [],
      persistent: (r) => (r.command === 'UpdateItemCommand' && stuck.has(requestKey(r)!) ? 'InternalServerError' : undefined),
    });

    const result = await runOurs({ client, table, migration: countingMigration({ deleteWhen }), input: { ...input, toleratedFailures: 2 } });
    client.destroy();

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('ToleratedFailuresExceeded');
    expect(result.cause).toContain('3 items failed, more than the 2 tolerated');
    expect(migratedExactlyOnce(await itemsByKey(db.admin, table), ITEMS, { deleteWhen, untouched: stuck })).toEqual([]);
  });

  it('WHEN throttling outlasts the retries of a few writes and of a Scan THEN those items wait and are migrated, none fails, and every throttled attempt is counted', async () => {
    const table = await seededTable();
    // The Lambda's own client configuration (per-request retries, which count throttles), with 3 attempts.
    const client = new DynamoDBClient(connectionConfig(localConnection(db.endpoint), 3));
    const throttledAttempts = new Map<string, number>();
    const throttleFirst = (key: string, attempts: number) => (throttledAttempts.set(key, (throttledAttempts.get(key) ?? 0) + 1).get(key)! <= attempts);
    const faults = injectFaults(client, {
      rate: 0,
      kinds: [],
      persistent: (r) => {
        // Each stuck write is refused 5 times: its first call's 3 attempts, then 2 of the next call.
        if (r.command === 'UpdateItemCommand' && stuck.has(requestKey(r)!) && throttleFirst(requestKey(r)!, 5)) return 'ProvisionedThroughputExceededException';
        if (r.command === 'DeleteItemCommand' && requestKey(r) === stuckDelete && throttleFirst(stuckDelete, 5)) return 'ThrottlingException';
        // The first page of segment 1 is refused 4 times.
        if (r.command === 'ScanCommand' && r.input.Segment === 1 && r.input.ExclusiveStartKey === undefined && throttleFirst('scan', 4)) return 'ThrottlingException';
        return undefined;
      },
    });

    const result = await runOurs({ client, table, migration: countingMigration({ deleteWhen }), input });
    client.destroy();

    expect(result.status).toBe('SUCCEEDED');
    expect(result.summary).toMatchObject({ failed: 0, updated: 900, deleted: 100 });
    expect(faults.total()).toBe(4 * 5 + 4);
    expect(result.summary!.throttles).toBe(faults.total());
    expect(migratedExactlyOnce(await itemsByKey(db.admin, table), ITEMS, { deleteWhen })).toEqual([]);
  });

  // A bug this suite once found: the SDK's standard retry mode shares one quota of
  // 500 tokens between all calls of a client (a transient retry costs 14, a throttling retry 5); under a
  // sustained error rate it ran out and writes failed after 1-4 of their 10 attempts. The client now
  // uses a per-request retry strategy.
  it('WHEN 1 in 3 writes fails with a 500 for the whole run (client allows 10 attempts) THEN no item fails', async () => {
    const table = await seededTable(400);
    const client = testClient(db.endpoint);
    injectFaults(client, { rate: 0.35, kinds: ['InternalServerError'], commands: ['UpdateItemCommand'], seed: 6 });

    const result = await runOurs({ client, table, migration: countingMigration(), input: { ...input, toleratedFailures: 400 } });
    client.destroy();

    expect(result.segments.flatMap((s) => s.failures)).toEqual([]);
    expect(migratedExactlyOnce(await itemsByKey(db.admin, table), 400)).toEqual([]);
  });

  // A bug this suite once found: a failing re-read after a conflict rejected the
  // whole page's Promise.all, so one item failed the MigrateBatch call and with it the execution.
  it('WHEN the re-read after a concurrent change keeps failing THEN that item is a per-item failure, not a failed run', async () => {
    const table = await seededTable(400);
    const client = testClient(db.endpoint, { maxAttempts: 3 });
    const victim = itemKey(42);
    injectFaults(client, {
      rate: 0,
      kinds: [],
      persistent: (r) => (r.command === 'GetItemCommand' && requestKey(r) === victim ? 'InternalServerError' : undefined),
    });
    // The application changes the item between our scan and our write, so our write meets a conflict.
    beforeRequest(client, (r) => r.command === 'UpdateItemCommand' && requestKey(r) === victim, async () => {
      await db.admin.send(
        new UpdateItemCommand({
          TableName: table,
          Key: { pk: { S: victim } },
          UpdateExpression: 'SET note = :n',
          ExpressionAttributeValues: { ':n': { S: 'changed by the application' } },
        }),
      );
    });

    const result = await runOurs({ client, table, migration: countingMigration(), input: { ...input, toleratedFailures: 1 } });
    client.destroy();

    expect({ status: result.status, error: result.error }).toEqual({ status: 'SUCCEEDED', error: undefined });
    expect(result.summary?.failures).toEqual([{ key: { pk: victim }, reason: expect.stringContaining('InternalServerError') }]);
    expect(result.summary?.updated).toBe(399);
  });
});
