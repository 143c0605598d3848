/**
 * Issue 5, part 1: a migration must not clobber what the application writes while it runs.
 * First deterministically (one application write placed exactly between the migration's scan of an
 * item and its write), then statistically (10,000 items, writers running the whole time). The same
 * scenarios run through our workflow and through the AWS sample's shape.
 */
import { DeleteItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { runSampleWorkflowLocally } from '../../fixtures/aws-sample-workflow';
import { accessLogItem, appliedCount, countingMigration, expectedEpoch, itemKey, seededAccessLogTable } from '../support/access-log';
import { getItem, itemsByKey, testClient, useTestDb, type RawItem } from '../support/dynamo';
import { beforeRequest, requestKey } from '../support/faults';
import { runOurs } from '../support/run-ours';
import { assessDamage, startWriters, type WriterDamage, type WriterLog } from '../support/writers';

/** The test DynamoDB; its admin client plays the application (never faulted, never hooked). */
const db = useTestDb();

/** A fresh table with `count` access-log items. */
const seededTable = (prefix: string, count: number) => seededAccessLogTable(db.admin, count, prefix);

const incrementCounter = (table: string, key: string) =>
  db.admin.send(
    new UpdateItemCommand({
      TableName: table,
      Key: { pk: { S: key } },
      UpdateExpression: 'SET #note = :note ADD #counter :one',
      ExpressionAttributeNames: { '#note': 'note', '#counter': 'counter' },
      ExpressionAttributeValues: { ':note': { S: 'written by the application' }, ':one': { N: '1' } },
    }),
  );
const deleteItem = (table: string, key: string) => db.admin.send(new DeleteItemCommand({ TableName: table, Key: { pk: { S: key } } }));

/** The two workflows under test, each running on its own client with a hook before its write of one item. */
const workflows = {
  ours: {
    writeCommand: 'UpdateItemCommand',
    run: async (client: DynamoDBClient, table: string) =>
      (await runOurs({ client, table, migration: countingMigration(), input: { skipBackup: true, totalSegments: 2 } })).status,
  },
  'the AWS sample': {
    writeCommand: 'PutItemCommand',
    run: async (client: DynamoDBClient, table: string) => (await runSampleWorkflowLocally({ client, table, migration: countingMigration() })).status,
  },
} as const;

describe('GIVEN the application updates an item after the migration scanned it and before the migration writes it', () => {
  const target = itemKey(42);

  async function raceOnce(workflow: keyof typeof workflows, interfere: (table: string) => Promise<unknown>) {
    const table = await seededTable('race', 200);
    const client = testClient(db.endpoint);
    const hook = beforeRequest(client, (r) => r.command === workflows[workflow].writeCommand && requestKey(r) === target, async () => {
      await interfere(table);
    });
    const status = await workflows[workflow].run(client, table);
    client.destroy();
    expect(hook.fired).toBe(true);
    expect(status).toBe('SUCCEEDED');
    return getItem(db.admin, table, { pk: { S: target } });
  }

  it('WHEN our workflow writes it THEN the application update survives and the item is still migrated once', async () => {
    const item = await raceOnce('ours', (table) => incrementCounter(table, target));
    expect(item?.counter).toEqual({ N: '1' });
    expect(item?.note).toEqual({ S: 'written by the application' });
    expect(appliedCount(item)).toBe(1);
    expect(item?.timestamp).toEqual({ N: expectedEpoch(42) });
  });

  it('WHEN the AWS sample writes it THEN the application update is lost (the whole scanned item is put back)', async () => {
    const item = await raceOnce('the AWS sample', (table) => incrementCounter(table, target));
    expect(item?.counter).toEqual({ N: '0' });
    expect(item?.note).toEqual({ S: 'seeded' });
  });

  it('WHEN the application deletes it instead and our workflow then writes THEN the item stays deleted', async () => {
    expect(await raceOnce('ours', (table) => deleteItem(table, target))).toBeUndefined();
  });

  it('WHEN the application deletes it instead and the AWS sample then writes THEN the deleted item is resurrected', async () => {
    const item = await raceOnce('the AWS sample', (table) => deleteItem(table, target));
    expect(item?.pk).toEqual({ S: target });
  });
});

const ITEMS = 10_000;
const UPDATERS = 8;

/** The application: every 5th seeded item may be deleted, the rest are updated (10 hot items per updater), new items arrive. */
function startApplication(table: string) {
  const updaterKeys: string[][] = Array.from({ length: UPDATERS }, () => []);
  const deleteKeys: string[] = [];
  for (let i = 0; i < ITEMS; i++) {
    if (i % 5 === 4) deleteKeys.push(itemKey(i));
    else updaterKeys[i % UPDATERS]!.push(itemKey(i));
  }
  return startWriters({
    client: db.admin,
    table,
    updaterKeys,
    hotKeys: 10,
    deleteKeys,
    // New log lines keep arriving in the old format while the migration runs.
    newItem: (n) => ({ ...accessLogItem(ITEMS + n), pk: { S: `new-${String(n).padStart(5, '0')}` } }),
    everyMs: { update: 1, delete: 8, insert: 8 },
    maxOps: { update: 4_000, delete: 600, insert: 600 },
  });
}

interface Scenario {
  log: WriterLog;
  damage: WriterDamage;
  final: Map<string, RawItem>;
}

/** Seeds a fresh table, starts the application, runs `migrate`, stops the application, reads the table. */
async function underConcurrentWrites(prefix: string, migrate: (table: string) => Promise<void>): Promise<Scenario> {
  const table = await seededTable(prefix, ITEMS);
  const writers = startApplication(table);
  await migrate(table);
  const log = await writers.stop();
  const final = await itemsByKey(db.admin, table);
  return { log, damage: assessDamage(log, final), final };
}

const describeDamage = (s: Scenario): string =>
  `${s.damage.lostUpdates.length} items with lost updates (${s.damage.lostIncrements} of ${s.damage.updatesMade} increments lost), ` +
  `${s.damage.resurrected.length} of ${s.log.deleted.size} deleted items resurrected`;

describe('GIVEN a table of 10,000 items that the application keeps updating, deleting from and inserting into', () => {
  let ours: Scenario | undefined;
  let sample: Scenario | undefined;

  afterAll(() => {
    if (ours && sample) console.log(`concurrent writers, ${ITEMS} items: ours: ${describeDamage(ours)} | AWS sample: ${describeDamage(sample)}`);
  });

  it('WHEN our workflow migrates it THEN no update is lost, no deleted item comes back, and every item is migrated exactly once', async () => {
    let status: string | undefined;
    let conflicts = 0;
    ours = await underConcurrentWrites('ours', async (table) => {
      const client = testClient(db.endpoint);
      const result = await runOurs({
        client,
        table,
        migration: countingMigration(),
        input: { skipBackup: true, totalSegments: 4, maxConcurrency: 4, pageSize: 100 },
        executionName: 'concurrent-writers',
      });
      client.destroy();
      status = result.status;
      conflicts = result.summary?.conflicts ?? 0;
    });
    const { log, damage, final } = ours;

    expect(status).toBe('SUCCEEDED');
    // The application really wrote during the run, and some of its writes landed between our scan
    // of an item and our write of it (otherwise this test would prove nothing).
    expect(damage.updatesMade).toBeGreaterThan(500);
    expect(log.deleted.size).toBeGreaterThan(50);
    expect(log.inserted.size).toBeGreaterThan(50);
    expect(conflicts).toBeGreaterThan(0);
    expect(log.refusedUpdates).toBe(0);

    expect(damage.lostUpdates).toEqual([]);
    expect(damage.resurrected).toEqual([]);
    expect(damage.lostInserts).toEqual([]);

    const notMigratedExactlyOnce: string[] = [];
    for (let i = 0; i < ITEMS; i++) {
      const key = itemKey(i);
      if (log.deleted.has(key)) continue;
      const item = final.get(key);
      const seeded = accessLogItem(i);
      const right =
        item !== undefined &&
        appliedCount(item) === 1 &&
        item.timestamp?.N === expectedEpoch(i) &&
        item.host?.S === seeded.host!.S &&
        item.bytes?.N === seeded.bytes!.N;
      if (!right) notMigratedExactlyOnce.push(key);
    }
    expect(notMigratedExactlyOnce).toEqual([]);

    // Inserted during the run: either reached by the scan and migrated once, or not reached; never twice.
    for (const [key, inserted] of log.inserted) {
      const item = final.get(key)!;
      const applied = appliedCount(item);
      expect([0, 1]).toContain(applied);
      if (applied === 0) expect(item.timestamp).toEqual(inserted.timestamp);
      else expect(item.timestamp?.N).toMatch(/^\d+$/);
    }
  });

  it('WHEN the AWS sample migrates it THEN it finishes, and its damage is measured for the comparison', async () => {
    let status: string | undefined;
    sample = await underConcurrentWrites('sample', async (table) => {
      const client = testClient(db.endpoint);
      status = (await runSampleWorkflowLocally({ client, table, migration: countingMigration(), executionName: 'concurrent-writers' })).status;
      client.destroy();
    });
    const { damage, log, final } = sample;

    expect(status).toBe('SUCCEEDED');
    expect(damage.updatesMade).toBeGreaterThan(500);
    expect(log.deleted.size).toBeGreaterThan(50);
    // How much it loses depends on how often a write lands in the short gap between a page's scan and
    // the put of the item (the deterministic tests above show each loss for certain). What is certain:
    // every item it reached was written whole, so each surviving seeded item carries its effect.
    const seededSurvivors = [...final.keys()].filter((k) => k.startsWith('item-'));
    expect(seededSurvivors.every((k) => appliedCount(final.get(k)) >= 1)).toBe(true);
  });
});
