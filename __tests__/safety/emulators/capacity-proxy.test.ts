/**
 * The capacity emulator against a real dynalite: DynamoDB's provisioned-throughput behaviour as the
 * AWS SDK sees it. Rates are small and runs short: the file takes about 15 seconds.
 */
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  UpdateItemCommand,
  UpdateTableCommand,
  type GlobalSecondaryIndex,
} from '@aws-sdk/client-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import { startCapacityProxy, type CapacityProxy, type CapacityProxyOptions } from '../../../emulators/capacity-proxy';
import { INDEX_THROUGHPUT_EXCEEDED, TABLE_THROUGHPUT_EXCEEDED } from '../../../emulators/throughput-exceeded';
import { useCapacityProxies } from '../../support/capacity';
import { scanAll, uniqueTableName, useTestDb } from '../../support/dynamo';

const db = useTestDb();
const { proxies, clients } = useCapacityProxies();

async function proxy(options: Omit<CapacityProxyOptions, 'upstream'> = {}): Promise<CapacityProxy> {
  const started = await startCapacityProxy({ upstream: db.endpoint, ...options });
  proxies.push(started);
  return started;
}

/** A client signing as `accessKeyId`; one attempt unless told, so throttles are seen, not retried. */
function clientOf(target: CapacityProxy, accessKeyId: string, maxAttempts = 1): DynamoDBClient {
  const client = new DynamoDBClient({
    endpoint: target.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId, secretAccessKey: 'local' },
    maxAttempts,
  });
  clients.push(client);
  return client;
}

/** A table with provisioned throughput (created directly on dynalite), optionally with a GSI on `g`. */
async function provisionedTable(
  prefix: string,
  capacity: { read: number; write: number } | 'on-demand',
  gsi?: { read: number; write: number },
): Promise<string> {
  const table = uniqueTableName(prefix);
  const index: GlobalSecondaryIndex | undefined = gsi && {
    IndexName: 'by-g',
    KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }],
    Projection: { ProjectionType: 'ALL' },
    ...(capacity !== 'on-demand' && { ProvisionedThroughput: { ReadCapacityUnits: gsi.read, WriteCapacityUnits: gsi.write } }),
  };
  await db.admin.send(
    new CreateTableCommand({
      TableName: table,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, ...(gsi ? [{ AttributeName: 'g', AttributeType: 'S' as const }] : [])],
      ...(capacity === 'on-demand'
        ? { BillingMode: 'PAY_PER_REQUEST' }
        : { ProvisionedThroughput: { ReadCapacityUnits: capacity.read, WriteCapacityUnits: capacity.write } }),
      ...(index && { GlobalSecondaryIndexes: [index] }),
    }),
  );
  return table;
}

/**
 * Makes the proxy describe the table now (a read; its buckets start empty either way), so that timed
 * runs do not count the first DescribeTable round trip as time at the provisioned rate.
 */
async function primed(target: CapacityProxy, table: string): Promise<void> {
  await clientOf(target, 'setup')
    .send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'none' } } }))
    .catch(() => undefined);
}

let keyCounter = 0;

/**
 * Writes small (1 WCU) items from `concurrency` loops for `ms` (or until `untilRefused` refusals);
 * counts what was accepted and refused.
 */
async function pushWrites(
  client: DynamoDBClient,
  table: string,
  ms: number,
  options: { concurrency?: number; withGsiKey?: boolean; untilRefused?: number } = {},
) {
  const refused: unknown[] = [];
  let accepted = 0;
  const started = performance.now();
  const loop = async () => {
    while (performance.now() - started < ms && refused.length < (options.untilRefused ?? Infinity)) {
      const item = { pk: { S: `k${++keyCounter}` }, ...(options.withGsiKey && { g: { S: 'shared' } }) };
      try {
        await client.send(new PutItemCommand({ TableName: table, Item: item }));
        accepted++;
      } catch (error) {
        refused.push(error);
        await sleep(2); // keep pushing, without burning the CPU the other tests share
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 4 }, loop));
  return { accepted, refused, seconds: (performance.now() - started) / 1000 };
}

/**
 * What the proxy admitted between the first and the last refusal of these clients' requests. The
 * bucket was empty (<= 0) at both refusals, so whatever the client did in between (pushing hard, or
 * stalled by a busy machine), the units admitted there are the provisioned rate times the time, to
 * within one request's cost: a measure of the emulator, not of the test client's speed.
 */
function admittedBetweenRefusals(target: CapacityProxy, clientIds: string[], from = -Infinity, to = Infinity) {
  const events = clientIds
    .flatMap((id) => target.stats.events(id))
    .filter((e) => e.atMs >= from && e.atMs <= to)
    .sort((a, b) => a.atMs - b.atMs);
  const refusals = events.filter((e) => e.throttled);
  if (refusals.length < 2) throw new Error(`The test client never outpaced the bucket (${refusals.length} refusals): the machine is too busy to measure`);
  const [first, last] = [refusals[0]!.atMs, refusals.at(-1)!.atMs];
  const admitted = events.filter((e) => !e.throttled && e.atMs > first && e.atMs < last);
  return {
    writes: admitted.length,
    writeUnits: admitted.reduce((sum, e) => sum + e.writeUnits, 0),
    seconds: (last - first) / 1000,
  };
}

describe('capacity proxy: provisioned throughput', () => {
  it('refuses writes beyond 30 WCU/s with ProvisionedThroughputExceededException and accepts 30/s (±10%)', async () => {
    // GIVEN a 30-WCU table behind the proxy, buckets starting empty
    const table = await provisionedTable('wcu30', { read: 5, write: 30 });
    const target = await proxy();
    const client = clientOf(target, 'writer');
    await primed(target, table);

    // WHEN a writer pushes as fast as it can for 2.5 s
    const run = await pushWrites(client, table, 2500);

    // THEN the excess is refused exactly as DynamoDB refuses it
    expect(run.refused.length).toBeGreaterThanOrEqual(2);
    const error = run.refused[0];
    expect(error).toBeInstanceOf(ProvisionedThroughputExceededException);
    expect(error).toMatchObject({ name: 'ProvisionedThroughputExceededException', message: TABLE_THROUGHPUT_EXCEEDED, $metadata: { httpStatusCode: 400 } });
    // AND the accepted rate is the provisioned one (±10%), and never more
    const between = admittedBetweenRefusals(target, ['writer']);
    expect(between.seconds).toBeGreaterThan(1.5);
    expect(between.writeUnits / between.seconds).toBeGreaterThanOrEqual(27);
    expect(between.writeUnits / between.seconds).toBeLessThanOrEqual(33);
    expect(run.accepted).toBeLessThanOrEqual(30 * run.seconds * 1.1 + 1);
    // AND the per-client stats and their 1-s windows add up to what the writer saw
    expect(target.stats.totals('writer')).toMatchObject({ requests: run.accepted + run.refused.length, throttled: run.refused.length, writeUnits: run.accepted });
    const windows = target.stats.windows('writer', 1000);
    expect(windows.length).toBeGreaterThanOrEqual(2);
    expect(windows.reduce((sum, w) => sum + w.writeUnits, 0)).toBe(run.accepted);
    // AND only the accepted writes reached the table
    expect((await scanAll(db.admin, table)).length).toBe(run.accepted);

    // AND control-plane calls pass while the table is throttled
    const described = await client.send(new DescribeTableCommand({ TableName: table }));
    expect(described.Table?.ProvisionedThroughput?.WriteCapacityUnits).toBe(30);
  });

  it('is retried by the SDK as a throttling error', async () => {
    // GIVEN a 100-WCU table left 9 units in debt by a 10-KB write (0.09 s to recover)
    const table = await provisionedTable('retried', { read: 1, write: 100 });
    const target = await proxy({ initialBurstSeconds: 0.01 });
    await clientOf(target, 'loader').send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'big' }, data: { S: 'x'.repeat(10_000) } } }));

    // WHEN a client with the SDK's standard retries writes: its first attempt meets the debt
    const client = clientOf(target, 'writer', 5);
    const result = await client.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'a' } } }));

    // THEN the SDK backed off and retried until the write went through
    expect(result.$metadata.attempts).toBeGreaterThanOrEqual(2);
    expect(target.stats.totals('writer')).toMatchObject({ requests: result.$metadata.attempts, throttled: result.$metadata.attempts! - 1 });
  });

  it('admits saved-up burst, at most 300 s of it: a 1-WCU table starting "1,000 s full" takes 300 units at once', async () => {
    // GIVEN a 1-WCU table whose buckets are asked to start with 1,000 s of saved capacity
    const table = await provisionedTable('burst', { read: 1, write: 1 });
    const client = clientOf(await proxy({ initialBurstSeconds: 1000 }), 'writer');

    // WHEN 3-KB items (3 WCU each) are pushed until one is refused
    let accepted = 0;
    const started = performance.now();
    for (;;) {
      const batch = await Promise.allSettled(
        Array.from({ length: 4 }, () =>
          client.send(new PutItemCommand({ TableName: table, Item: { pk: { S: `k${++keyCounter}` }, data: { S: 'x'.repeat(2900) } } })),
        ),
      );
      accepted += batch.filter((r) => r.status === 'fulfilled').length;
      if (batch.some((r) => r.status === 'rejected')) break;
    }
    const seconds = (performance.now() - started) / 1000;

    // THEN 300 units' worth went through (100 writes), plus what refilled meanwhile, and no more
    expect(accepted).toBeGreaterThanOrEqual(100);
    expect(accepted).toBeLessThanOrEqual(100 + Math.ceil(seconds / 3) + 1);
  });

  it('admits after idling what the idle time saved up', async () => {
    // GIVEN a 20-WCU table, its bucket spent
    const table = await provisionedTable('idle', { read: 1, write: 20 });
    const target = await proxy();
    const client = clientOf(target, 'writer');
    await pushWrites(client, table, 10_000, { concurrency: 2, untilRefused: 1 });
    const drained = target.stats.events('writer').length;

    // WHEN nobody writes for 2 s, then a writer pushes until refused
    await sleep(2000);
    await pushWrites(client, table, 10_000, { concurrency: 2, untilRefused: 1 });

    // THEN what was admitted from the last refusal before the pause to the first one after it is
    // 20 WCU × that time (±10%): the pause's capacity was saved and spent at once
    const events = target.stats.events('writer');
    const lastBefore = events.slice(0, drained).filter((e) => e.throttled).at(-1)!;
    const firstAfter = events.slice(drained).find((e) => e.throttled)!;
    const saved = (20 * (firstAfter.atMs - lastBefore.atMs)) / 1000;
    const admitted = events.filter((e) => !e.throttled && e.atMs > lastBefore.atMs && e.atMs < firstAfter.atMs).length;
    expect(saved).toBeGreaterThan(40);
    expect(Math.abs(admitted - saved)).toBeLessThanOrEqual(saved * 0.1);
  });

  it('halves the accepted rate when UpdateTable halves the capacity', async () => {
    // GIVEN a 30-WCU table under constant pressure
    const table = await provisionedTable('halved', { read: 1, write: 30 });
    const target = await proxy();
    const client = clientOf(target, 'writer');
    await primed(target, table);
    await pushWrites(client, table, 1500);

    // WHEN its capacity is set to 15 WCU through the proxy, and the pressure goes on
    await client.send(new UpdateTableCommand({ TableName: table, ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 15 } }));
    const updated = performance.now();
    await pushWrites(client, table, 1500);

    // THEN the accepted rate halves (±10%)
    const before = admittedBetweenRefusals(target, ['writer'], -Infinity, updated);
    const after = admittedBetweenRefusals(target, ['writer'], updated);
    const ratio = after.writeUnits / after.seconds / (before.writeUnits / before.seconds);
    expect(ratio).toBeGreaterThanOrEqual(0.45);
    expect(ratio).toBeLessThanOrEqual(0.55);
  });

  it('never throttles an on-demand table', async () => {
    // GIVEN an on-demand table behind a proxy with empty buckets
    const table = await provisionedTable('ondemand', 'on-demand');
    const target = await proxy();
    const client = clientOf(target, 'writer');

    // WHEN 300 writes arrive at once
    const results = await Promise.allSettled(
      Array.from({ length: 300 }, (_, i) => client.send(new PutItemCommand({ TableName: table, Item: { pk: { S: `k${i}` } } }))),
    );

    // THEN every one is accepted, and the consumed units are still counted
    expect(results.filter((r) => r.status === 'rejected')).toStrictEqual([]);
    expect(target.stats.totals('writer')).toMatchObject({ requests: 300, throttled: 0, writeUnits: 300 });
  });

  it('splits a batch that does not fit: what fits is written, the rest is returned in UnprocessedItems', async () => {
    // GIVEN a 1-WCU table with 10 units saved
    const table = await provisionedTable('batch', { read: 1, write: 1 });
    const target = await proxy({ initialBurstSeconds: 10 });
    const client = clientOf(target, 'loader');
    const puts = (from: number) =>
      Array.from({ length: 25 }, (_, i) => ({ PutRequest: { Item: { pk: { S: `b${from + i}` }, data: { S: 'x'.repeat(2900) } } } }));

    // WHEN 25 puts of 3 WCU each arrive in one BatchWriteItem
    const result = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: puts(0) } }));

    // THEN puts are admitted while capacity remains (10 → 7 → 4 → 1 → -2: four), the others come back unprocessed
    const unprocessed = result.UnprocessedItems?.[table] ?? [];
    expect(unprocessed).toHaveLength(21);
    expect(await scanAll(db.admin, table)).toHaveLength(4);
    expect(target.stats.totals('loader')).toMatchObject({ requests: 1, throttled: 0, unprocessed: 21, writeUnits: 12 });
    // AND a batch of which nothing fits (the bucket is 2 units in debt) is throttled as a whole
    await expect(client.send(new BatchWriteItemCommand({ RequestItems: { [table]: puts(100) } }))).rejects.toBeInstanceOf(
      ProvisionedThroughputExceededException,
    );
  });

  it('accounts per access key: the application and the migration share the table but not the stats', async () => {
    // GIVEN a 20-WCU table written by two principals at once
    const table = await provisionedTable('shared', { read: 1, write: 20 });
    const target = await proxy();
    await primed(target, table);
    const [app, migration] = await Promise.all([
      pushWrites(clientOf(target, 'application'), table, 1500, { concurrency: 1 }),
      pushWrites(clientOf(target, 'migration'), table, 1500, { concurrency: 3 }),
    ]);

    // THEN each principal's accepted writes and refusals are its own, and together they got the table's 20/s
    const appStats = target.stats.totals('application');
    const migrationStats = target.stats.totals('migration');
    expect(appStats).toMatchObject({ writeUnits: app.accepted, throttled: app.refused.length });
    expect(migrationStats).toMatchObject({ writeUnits: migration.accepted, throttled: migration.refused.length });
    expect(target.stats.throttleRate('application')).toBeCloseTo(app.refused.length / (app.accepted + app.refused.length));
    const both = admittedBetweenRefusals(target, ['application', 'migration']);
    expect(both.writeUnits / both.seconds).toBeGreaterThanOrEqual(18);
    expect(both.writeUnits / both.seconds).toBeLessThanOrEqual(22);
  });
});

describe('capacity proxy: ConsumedCapacity and global secondary indexes', () => {
  it('charges a GSI holding the item as much as the table, and reports it under INDEXES', async () => {
    // GIVEN a table with a GSI on `g`, plenty of capacity saved
    const table = await provisionedTable('gsi', { read: 100, write: 100 }, { read: 100, write: 100 });
    const target = await proxy({ initialBurstSeconds: 300 });
    const client = clientOf(target, 'writer');
    const put = (pk: string, g?: string) =>
      client.send(new PutItemCommand({ TableName: table, Item: { pk: { S: pk }, ...(g && { g: { S: g } }) }, ReturnConsumedCapacity: 'INDEXES' }));

    // WHEN items with and without the GSI key are written, updated out of the index, and deleted
    const inIndex = await put('a', 'x');
    const notInIndex = await put('b');
    const leavesIndex = await client.send(
      new UpdateItemCommand({ TableName: table, Key: { pk: { S: 'a' } }, UpdateExpression: 'REMOVE #g', ExpressionAttributeNames: { '#g': 'g' }, ReturnConsumedCapacity: 'INDEXES' }),
    );
    await put('c', 'y');
    const deleted = await client.send(new DeleteItemCommand({ TableName: table, Key: { pk: { S: 'c' } }, ReturnConsumedCapacity: 'INDEXES' }));

    // THEN a write the GSI sees costs it as much as the table: double per write
    const doubled = { TableName: table, CapacityUnits: 2, Table: { CapacityUnits: 1 }, GlobalSecondaryIndexes: { 'by-g': { CapacityUnits: 1 } } };
    expect(inIndex.ConsumedCapacity).toStrictEqual(doubled);
    expect(leavesIndex.ConsumedCapacity).toStrictEqual(doubled);
    expect(deleted.ConsumedCapacity).toStrictEqual(doubled);
    // AND a write it does not see costs the table only
    expect(notInIndex.ConsumedCapacity).toStrictEqual({ TableName: table, CapacityUnits: 1, Table: { CapacityUnits: 1 } });
    expect(target.stats.totals('writer').writeUnits).toBe(2 + 1 + 2 + 2 + 2);
  });

  it('returns only the total for TOTAL, and nothing the client did not ask for', async () => {
    // GIVEN a table with a GSI (the proxy asks dynalite for item images behind the client's back)
    const table = await provisionedTable('asked', { read: 100, write: 100 }, { read: 100, write: 100 });
    const client = clientOf(await proxy({ initialBurstSeconds: 300 }), 'writer');
    const item = { pk: { S: 'a' }, g: { S: 'x' } };

    // WHEN the same write asks for TOTAL, for nothing, and for ALL_OLD values
    const total = await client.send(new PutItemCommand({ TableName: table, Item: item, ReturnConsumedCapacity: 'TOTAL' }));
    const nothing = await client.send(new PutItemCommand({ TableName: table, Item: item }));
    const old = await client.send(new PutItemCommand({ TableName: table, Item: item, ReturnValues: 'ALL_OLD' }));
    const read = await client.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'a' } } }));

    // THEN each gets exactly what it asked for
    expect(total.ConsumedCapacity).toStrictEqual({ TableName: table, CapacityUnits: 2 });
    expect(nothing.ConsumedCapacity).toBeUndefined();
    expect(nothing.Attributes).toBeUndefined();
    expect(old.Attributes).toStrictEqual(item);
    expect(old.ConsumedCapacity).toBeUndefined();
    expect(read.ConsumedCapacity).toBeUndefined();
    expect(read.Item).toStrictEqual(item);
  });

  it('throttles table writes when a GSI runs out of write capacity, at the GSI rate', async () => {
    // GIVEN a 100-WCU table whose GSI has 10 WCU, buckets empty
    const table = await provisionedTable('gsislow', { read: 1, write: 100 }, { read: 1, write: 10 });
    const target = await proxy();
    const client = clientOf(target, 'writer');
    await primed(target, table);

    // WHEN items carrying the GSI key are pushed for 1.5 s
    const run = await pushWrites(client, table, 1500, { withGsiKey: true });

    // THEN, once the table's own bucket has refilled, DynamoDB's GSI message comes back
    expect(run.refused.at(-1)).toMatchObject({ name: 'ProvisionedThroughputExceededException', message: INDEX_THROUGHPUT_EXCEEDED });
    // AND the GSI's 10/s is the pace (±10%)
    const between = admittedBetweenRefusals(target, ['writer']);
    expect(between.writes / between.seconds).toBeGreaterThanOrEqual(9);
    expect(between.writes / between.seconds).toBeLessThanOrEqual(11);
  });
});

describe('capacity proxy: latency', () => {
  it('adds a fixed latency, or one per operation', async () => {
    // GIVEN an on-demand table and a proxy adding 60 ms
    const table = await provisionedTable('latency', 'on-demand');
    const target = await proxy({ latencyMs: 60 });
    const client = clientOf(target, 'reader');
    const timed = async (send: () => Promise<unknown>) => {
      const started = performance.now();
      await send();
      return performance.now() - started;
    };
    const get = () => client.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'a' } } }));
    const put = () => client.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'a' } } }));

    // THEN every call takes at least 60 ms
    await get(); // first call: connection set-up
    expect(await timed(get)).toBeGreaterThanOrEqual(59);

    // WHEN latency is set per operation THEN only PutItem is slowed down
    target.setLatency((op) => (op === 'PutItem' ? 250 : 0));
    expect(await timed(put)).toBeGreaterThanOrEqual(249);
    expect(await timed(get)).toBeLessThan(200);
  });
});
