/**
 * Production safety by capacity: our real definition on the local runner, the Lambda's DynamoDB
 * client pointed at the capacity emulator (emulators/capacity-proxy.ts) in front of dynalite, an
 * application writing to the same table at a steady rate. Budgets are measured where DynamoDB would
 * see them: what the emulator admitted, per client and per window (its stats.events()).
 */
import { UpdateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import { startCapacityProxy, type CapacityProxy } from '../../emulators/capacity-proxy';
import { DEFAULT_LAMBDA_TIMEOUT_MS } from '../../local/runner';
import { migratedExactlyOnce } from '../support/access-log';
import { capacityTable, clientSigningAs, useCapacityProxies, seededOnlyMigration, steadyWriter, throttleTimes, writeUnitsPerWindow } from '../support/capacity';
import { itemsByKey, useTestDb } from '../support/dynamo';
import { runOurs } from '../support/run-ours';

const db = useTestDb();
const { proxies, clients } = useCapacityProxies();

async function emulator(initialBurstSeconds: number): Promise<CapacityProxy> {
  const proxy = await startCapacityProxy({ upstream: db.endpoint, initialBurstSeconds });
  proxies.push(proxy);
  return proxy;
}

function signingAs(proxy: CapacityProxy, accessKeyId: string): DynamoDBClient {
  const client = clientSigningAs(proxy.endpoint, accessKeyId);
  clients.push(client);
  return client;
}

const within = (value: number, target: number, tolerance: number) => Math.abs(value - target) <= tolerance * target;

describe('GIVEN a provisioned table of 100 WCU, an application writing 30 WCU/s to it, and a migration at writeCapacityPercent 50', () => {
  it('WHEN the migration runs THEN it consumes 50 WCU/s (±10% in every 5-s window after the first), the application is not throttled, and every item is migrated once', async () => {
    const ITEMS = 800;
    const table = await capacityTable(db.admin, ITEMS, { read: 200, write: 100 });
    const proxy = await emulator(1);
    const app = steadyWriter(signingAs(proxy, 'app'), table, 30);

    const result = await runOurs({
      client: signingAs(proxy, 'migration'),
      table,
      migration: seededOnlyMigration(),
      input: { skipBackup: true, totalSegments: 2, maxConcurrency: 2, writeCapacityPercent: 50 },
      // The local runner's default time per MigrateBatch call (on AWS: the Lambda's, up to 900 s).
      lambdaTimeoutMs: DEFAULT_LAMBDA_TIMEOUT_MS,
    });
    const written = await app.stop();

    expect(result.status).toBe('SUCCEEDED');
    expect(result.plan?.budget).toStrictEqual({ tableWrite: 50 });
    expect(migratedExactlyOnce(await itemsByKey(db.admin, table), ITEMS)).toEqual([]);
    const events = proxy.stats.events('migration');
    const windows = writeUnitsPerWindow(events, events.find((e) => e.writeUnits > 0)!.atMs, 5_000);
    console.log(`writeCapacityPercent 50 of 100 WCU: migration write units per 5 s ${JSON.stringify(windows)} (budget 250); application ${JSON.stringify(proxy.stats.totals('app'))}`);
    expect(windows.length).toBeGreaterThanOrEqual(3);
    for (const units of windows.slice(1)) expect([units, within(units, 250, 0.1)]).toEqual([units, true]);
    expect(written.failed).toBe(0);
    expect(proxy.stats.throttleRate('app')).toBeLessThan(0.01);
    // The summary's units are what DynamoDB (here the emulator) charged the migration.
    const charged = proxy.stats.totals('migration');
    expect(result.summary!.writeUnits).toBeCloseTo(charged.writeUnits, 0);
    expect(result.summary!.readUnits).toBeCloseTo(charged.readUnits, 0);
    expect(result.summary!.throttles).toBe(charged.throttled);
  });
});

describe('GIVEN a migration at writeCapacityPercent 70 of a 100-WCU table beside an application writing 10 WCU/s', () => {
  it('WHEN the table is scaled down to 50 WCU mid-run THEN throttling stops within 10 s, the migration settles at 70% of the new capacity, and the run finishes with every item migrated once', async () => {
    const ITEMS = 700;
    const table = await capacityTable(db.admin, ITEMS, { read: 200, write: 100 });
    // A little saved capacity, so that the first requests do not meet an empty table, and not much, so that the cut soon shows.
    const proxy = await emulator(0.2);
    const app = steadyWriter(signingAs(proxy, 'app'), table, 10);

    let halvedAt: number | undefined;
    const halveWhenUnderWay = (async () => {
      while (proxy.stats.totals('migration').writeUnits < 40) await sleep(20);
      await db.admin.send(new UpdateTableCommand({ TableName: table, ProvisionedThroughput: { ReadCapacityUnits: 200, WriteCapacityUnits: 50 } }));
      await proxy.refresh();
      halvedAt = performance.now();
    })();
    const result = await runOurs({
      client: signingAs(proxy, 'migration'),
      table,
      migration: seededOnlyMigration(),
      input: { skipBackup: true, totalSegments: 2, maxConcurrency: 2, writeCapacityPercent: 70 },
      // Calls of about 10 s: the segments learn the new capacity from the throttles, not from the start of their next call.
      lambdaTimeoutMs: 12_000,
    });
    await halveWhenUnderWay;
    await app.stop();

    expect(result.status).toBe('SUCCEEDED');
    expect(migratedExactlyOnce(await itemsByKey(db.admin, table), ITEMS)).toEqual([]);
    const throttles = throttleTimes(proxy);
    const events = proxy.stats.events('migration');
    const after = writeUnitsPerWindow(events, halvedAt! + 5_000, 5_000);
    console.log(
      `halved at ${Math.round(halvedAt! - events[0]!.atMs)} ms into the run: throttles at ${JSON.stringify(throttles.map((t) => Math.round(t - halvedAt!)))} ms after it ` +
        `(migration ${proxy.stats.totals('migration').throttled}, application ${proxy.stats.totals('app').throttled}); migration write units per 5 s from 5 s after: ${JSON.stringify(after)} (new budget 175); summary.throttles ${result.summary!.throttles}`,
    );
    expect(throttles.filter((t) => t < halvedAt!)).toEqual([]);
    expect(throttles.filter((t) => t > halvedAt! + 10_000)).toEqual([]);
    expect(after.length).toBeGreaterThanOrEqual(1);
    for (const units of after) expect(units).toBeLessThanOrEqual(175 * 1.1);
    expect(result.summary!.throttles).toBe(proxy.stats.totals('migration').throttled);
  });
});

describe('GIVEN an on-demand table with a GSI and a migration that writes every item into the GSI', () => {
  it('WHEN maxWriteUnitsPerSecond is 100 THEN the migration consumes 100 write units a second, the table\'s and the GSI\'s together (±10% in every 2-s window after the first)', async () => {
    const ITEMS = 500;
    const table = await capacityTable(db.admin, ITEMS, 'on-demand', 'on-demand');
    const proxy = await emulator(0);

    const result = await runOurs({
      client: signingAs(proxy, 'migration'),
      table,
      migration: seededOnlyMigration({ gsiKey: true }),
      input: { skipBackup: true, totalSegments: 2, maxConcurrency: 2, maxWriteUnitsPerSecond: 100 },
    });

    expect(result.status).toBe('SUCCEEDED');
    expect(result.plan?.budget).toStrictEqual({ write: 100 });
    const events = proxy.stats.events('migration');
    const windows = writeUnitsPerWindow(events, events.find((e) => e.writeUnits > 0)!.atMs, 2_000);
    console.log(`maxWriteUnitsPerSecond 100, 2 units per write (table + GSI): write units per 2 s ${JSON.stringify(windows)} (budget 200); summary.writeUnits ${result.summary!.writeUnits}`);
    expect(windows.length).toBeGreaterThanOrEqual(3);
    for (const units of windows.slice(1)) expect([units, within(units, 200, 0.1)]).toEqual([units, true]);
    // Each update cost the table and the GSI a unit.
    expect(result.summary!.writeUnits).toBeCloseTo(2 * ITEMS, 0);
  });
});
