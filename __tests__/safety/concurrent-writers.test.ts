/**
 * A migration must not clobber what the application writes while it runs. The application's writes
 * are placed by hooks exactly between the migration's scan of an item and its write of it, so every
 * race happens for certain, whatever the machine's speed; the same races run through our workflow and
 * through the AWS sample's shape.
 */
import { DeleteItemCommand, PutItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { runSampleWorkflowLocally } from '../../fixtures/aws-sample-workflow';
import { accessLogItem, appliedCount, countingMigration, expectedEpoch, indexOfKey, itemKey, seededAccessLogTable } from '../support/access-log';
import { itemsByKey, testClient, useTestDb, type RawItem } from '../support/dynamo';
import { requestKey } from '../support/faults';
import { runOurs } from '../support/run-ours';

/** The test DynamoDB; its admin client plays the application (never hooked). */
const db = useTestDb();

/** Fewer than the ~2,000 items at which the sample's single execution passes 25,000 history events. */
const ITEMS = 1_500;
const updatedByApplication = (i: number) => i % 7 === 0;
const deletedByApplication = (i: number) => i % 11 === 0 && !updatedByApplication(i);
const expected = {
  updates: Array.from({ length: ITEMS }, (_, i) => i).filter(updatedByApplication).length,
  deletes: Array.from({ length: ITEMS }, (_, i) => i).filter(deletedByApplication).length,
};

const applicationUpdate = (table: string, key: string) =>
  db.admin.send(
    new UpdateItemCommand({
      TableName: table,
      Key: { pk: { S: key } },
      UpdateExpression: 'SET #note = :note ADD #counter :one',
      ExpressionAttributeNames: { '#note': 'note', '#counter': 'counter' },
      ExpressionAttributeValues: { ':note': { S: 'written by the application' }, ':one': { N: '1' } },
    }),
  );

/** What the application did, as the hooks did it. */
interface ApplicationLog {
  updated: Set<string>;
  deleted: Set<string>;
  inserted: Map<string, RawItem>;
}

/**
 * The application, driven by the migration's own requests: right before the migration's first write
 * of a chosen item it updates or deletes that item, and before every Scan page it inserts a new item
 * in the old shape.
 */
function interleaveApplication(client: DynamoDBClient, table: string, writeCommand: string): ApplicationLog {
  const log: ApplicationLog = { updated: new Set(), deleted: new Set(), inserted: new Map() };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName);
      const key = requestKey({ command, input: args.input as Record<string, unknown> });
      const index = key === undefined ? undefined : indexOfKey(key);
      if (command === writeCommand && key !== undefined && index !== undefined && !log.updated.has(key) && !log.deleted.has(key)) {
        if (updatedByApplication(index)) {
          await applicationUpdate(table, key);
          log.updated.add(key);
        } else if (deletedByApplication(index)) {
          await db.admin.send(new DeleteItemCommand({ TableName: table, Key: { pk: { S: key } } }));
          log.deleted.add(key);
        }
      }
      if (command === 'ScanCommand') {
        const item = { ...accessLogItem(ITEMS + log.inserted.size), pk: { S: `new-${String(log.inserted.size).padStart(5, '0')}` } };
        await db.admin.send(new PutItemCommand({ TableName: table, Item: item }));
        log.inserted.set(item.pk.S, item);
      }
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'application' },
  );
  return log;
}

/** The damage the final table shows: application updates that are gone, deleted items that are back. */
function damage(log: ApplicationLog, final: Map<string, RawItem>) {
  return {
    lostUpdates: [...log.updated].filter((key) => final.get(key)?.note?.S !== 'written by the application' || final.get(key)?.counter?.N !== '1').length,
    resurrected: [...log.deleted].filter((key) => final.has(key)).length,
    lostInserts: [...log.inserted.keys()].filter((key) => !final.has(key)).length,
  };
}

describe(`GIVEN ${ITEMS} items, and an application that updates every 7th and deletes every 11th right between the migration's scan and its write, and inserts items during the scan`, () => {
  const figures: string[] = [];
  afterAll(() => console.log(`concurrent writers, ${ITEMS} items: ${figures.join(' | ')}`));

  it('WHEN our workflow migrates it THEN no update is lost, no deleted item comes back, and every item is migrated exactly once', async () => {
    const table = await seededAccessLogTable(db.admin, ITEMS, 'ours');
    const client = testClient(db.endpoint);
    const log = interleaveApplication(client, table, 'UpdateItemCommand');
    // Calls long enough that none is cut off at its deadline on a busy machine: conflicts are then counted exactly.
    const result = await runOurs({ client, table, migration: countingMigration(), lambdaTimeoutMs: 60_000, input: { skipBackup: true, totalSegments: 4, maxConcurrency: 4, pageSize: 100 } });
    client.destroy();
    const final = await itemsByKey(db.admin, table);
    const found = damage(log, final);
    figures.push(`ours: ${found.lostUpdates} of ${log.updated.size} application updates lost, ${found.resurrected} of ${log.deleted.size} deleted items back`);

    expect(result.status).toBe('SUCCEEDED');
    expect({ updated: log.updated.size, deleted: log.deleted.size }).toEqual({ updated: expected.updates, deleted: expected.deletes });
    expect(found).toEqual({ lostUpdates: 0, resurrected: 0, lostInserts: 0 });
    // Each application update made exactly one of our writes fail its condition and be redone.
    expect(result.summary?.conflicts).toBe(expected.updates);
    const notOnce = Array.from({ length: ITEMS }, (_, i) => i).filter((i) => {
      if (deletedByApplication(i)) return false;
      const item = final.get(itemKey(i));
      return !item || appliedCount(item) !== 1 || item.timestamp?.N !== expectedEpoch(i) || item.host?.S !== accessLogItem(i).host!.S;
    });
    expect(notOnce).toEqual([]);
    // Inserted during the run: reached by the scan and migrated once, or not reached; never twice.
    for (const [key, inserted] of log.inserted) {
      const applied = appliedCount(final.get(key));
      expect([0, 1]).toContain(applied);
      if (applied === 0) expect(final.get(key)?.timestamp).toEqual(inserted.timestamp);
    }
  });

  it('WHEN the AWS sample migrates it THEN every application update in the race is lost and every deleted item comes back', async () => {
    const table = await seededAccessLogTable(db.admin, ITEMS, 'sample');
    const client = testClient(db.endpoint);
    const log = interleaveApplication(client, table, 'PutItemCommand');
    const result = await runSampleWorkflowLocally({ client, table, migration: countingMigration() });
    client.destroy();
    const found = damage(log, await itemsByKey(db.admin, table));
    figures.push(`the AWS sample: ${found.lostUpdates} of ${log.updated.size} application updates lost, ${found.resurrected} of ${log.deleted.size} deleted items back`);

    expect(result.status).toBe('SUCCEEDED');
    expect({ lostUpdates: found.lostUpdates, resurrected: found.resurrected }).toEqual({ lostUpdates: expected.updates, resurrected: expected.deletes });
  });
});
