import { PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import backfillGsiKey from '../../migrations/examples/backfill-gsi-key';
import clfToEpoch, { clfToEpochSeconds } from '../../migrations/examples/clf-to-epoch';
import renameAndPrune from '../../migrations/examples/rename-and-prune';
import { migrateWith } from '../support/run-ours';
import { newTable, scanAll, useTestDb } from '../support/dynamo';

const db = useTestDb();

async function tableWith(items: Record<string, AttributeValue>[]): Promise<string> {
  const table = await newTable(db.admin);
  for (const Item of items) await db.admin.send(new PutItemCommand({ TableName: table, Item }));
  return table;
}

const byKey = async (table: string) => Object.fromEntries((await scanAll(db.admin, table)).map((i) => [i.pk!.S!, i]));

describe('clf-to-epoch (the AWS sample)', () => {
  it.each([
    ['10/Oct/2000:13:55:36 -0700', 971211336],
    ['01/Jan/1970:00:00:00 +0000', 0],
    ['29/Feb/2024:23:59:59 +0530', 1709231399],
  ])('converts %s to %i', (clf, epoch) => {
    expect(clfToEpochSeconds(clf)).toBe(epoch);
  });

  it('rejects what is not CLF, naming the value', () => {
    expect(() => clfToEpochSeconds('2000-10-10T13:55:36Z')).toThrow('not a CLF timestamp (expected e.g. 10/Oct/2000:13:55:36 -0700): "2000-10-10T13:55:36Z"');
  });

  it('converts once and leaves converted items alone', async () => {
    const table = await tableWith([
      { pk: { S: 'a' }, timestamp: { S: '10/Oct/2000:13:55:36 -0700' } },
      { pk: { S: 'b' }, timestamp: { N: '5' } },
      { pk: { S: 'c' }, timestamp: { S: 'garbage' } },
    ]);
    const summary = await migrateWith(db.admin, table, clfToEpoch.transform, { toleratedFailures: 1 });
    expect(summary).toMatchObject({ updated: 1, unchanged: 1, failed: 1 });
    expect(summary.failures[0]).toMatchObject({ key: { pk: 'c' }, reason: expect.stringContaining('not a CLF timestamp') });
    expect((await byKey(table)).a!.timestamp).toStrictEqual({ N: '971211336' });
    await expect(migrateWith(db.admin, table, clfToEpoch.transform, { toleratedFailures: 1 })).resolves.toMatchObject({ updated: 0, unchanged: 2 });
  });
});

it('backfill-gsi1 builds the GSI key from customer, status and date, and skips other items', async () => {
  const table = await tableWith([
    { pk: { S: 'o1' }, customerId: { S: 'c7' }, status: { S: 'SHIPPED' }, createdAt: { S: '2026-01-02T03:04:05Z' } },
    { pk: { S: 'o2' }, customerId: { S: 'c8' } },
    { pk: { S: 'p1' }, kind: { S: 'product' } },
  ]);
  const summary = await migrateWith(db.admin, table, backfillGsiKey.transform);
  expect(summary).toMatchObject({ updated: 2, unchanged: 1 });
  const items = await byKey(table);
  expect(items.o1).toMatchObject({ gsi1pk: { S: 'CUSTOMER#c7' }, gsi1sk: { S: 'SHIPPED#2026-01-02T03:04:05Z' } });
  expect(items.o2).toMatchObject({ gsi1pk: { S: 'CUSTOMER#c8' }, gsi1sk: { S: 'UNKNOWN#0000-00-00T00:00:00Z' } });
  expect(items.p1).toStrictEqual({ pk: { S: 'p1' }, kind: { S: 'product' } });
});

it('rename-email-prune-sessions renames emailAddr to a lower-case email and deletes long-expired sessions', async () => {
  const now = Math.floor(Date.now() / 1000);
  const table = await tableWith([
    { pk: { S: 'u1' }, type: { S: 'user' }, emailAddr: { S: 'Ann@Example.COM' } },
    { pk: { S: 's-old' }, type: { S: 'session' }, expiresAt: { N: String(now - 400 * 24 * 3600) } },
    { pk: { S: 's-new' }, type: { S: 'session' }, expiresAt: { N: String(now - 10 * 24 * 3600) } },
  ]);
  const summary = await migrateWith(db.admin, table, renameAndPrune.transform);
  expect(summary).toMatchObject({ updated: 1, deleted: 1, unchanged: 1 });
  const items = await byKey(table);
  expect(items.u1).toStrictEqual({ pk: { S: 'u1' }, type: { S: 'user' }, email: { S: 'ann@example.com' } });
  expect(items['s-old']).toBeUndefined();
  expect(items['s-new']).toBeDefined();
});
