/**
 * What the capacity tests share: provisioned tables, clients that sign as a named principal (the
 * capacity emulator accounts per access key id), an application that writes at a steady rate, and
 * per-window readings of what the emulator admitted.
 */
import { CreateTableCommand, DynamoDBClient, type AttributeDefinition, type GlobalSecondaryIndex } from '@aws-sdk/client-dynamodb';
import { startApplicationWriter, type ApplicationWriter } from '../../emulators/application-writer';
import type { CapacityProxy } from '../../emulators/capacity-proxy';
import type { TimedUsageEvent } from '../../emulators/client-stats';
import { connectionConfig, localConnection } from '../../local/connection';
import { defineMigration, type Migration } from '../../migrations/define';
import { accessLogItems, countingMigration, indexOfKey } from './access-log';
import { putItems, uniqueTableName } from './dynamo';

/** Provisioned throughput in units per second, or on-demand. */
export type Throughput = { read: number; write: number } | 'on-demand';

/**
 * A table keyed by `pk` holding `items` seeded access-log items (written straight to the database,
 * not through the emulator), provisioned or on-demand, optionally with a GSI `by-gsi1pk` on `gsi1pk`.
 */
export async function capacityTable(
  admin: DynamoDBClient,
  items: number,
  throughput: Throughput,
  gsi?: { read: number; write: number } | 'on-demand',
): Promise<string> {
  const table = uniqueTableName('capacity');
  const provisioned = (t: Throughput | undefined) =>
    t && t !== 'on-demand' ? { ProvisionedThroughput: { ReadCapacityUnits: t.read, WriteCapacityUnits: t.write } } : {};
  const index: GlobalSecondaryIndex | undefined = gsi && {
    IndexName: 'by-gsi1pk',
    KeySchema: [{ AttributeName: 'gsi1pk', KeyType: 'HASH' }],
    Projection: { ProjectionType: 'KEYS_ONLY' },
    ...provisioned(gsi),
  };
  const attributes: AttributeDefinition[] = [{ AttributeName: 'pk', AttributeType: 'S' }, ...(gsi ? [{ AttributeName: 'gsi1pk', AttributeType: 'S' as const }] : [])];
  await admin.send(
    new CreateTableCommand({
      TableName: table,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: attributes,
      ...(throughput === 'on-demand' ? { BillingMode: 'PAY_PER_REQUEST' } : provisioned(throughput)),
      ...(index && { GlobalSecondaryIndexes: [index] }),
    }),
  );
  await putItems(admin, table, accessLogItems(items));
  return table;
}

/** A client configured like the migration Lambda's (local/connection.ts) that signs as `accessKeyId`. */
export function clientSigningAs(endpoint: string, accessKeyId: string): DynamoDBClient {
  return new DynamoDBClient({ ...connectionConfig(localConnection(endpoint)), credentials: { accessKeyId, secretAccessKey: 'local' } });
}

/**
 * The counting CLF migration (access-log.ts) for the seeded items only; the application's own items
 * are left unchanged. With `gsiKey`, every migrated item also gets a `gsi1pk`, so its write costs the GSI too.
 */
export function seededOnlyMigration(options: { gsiKey?: boolean } = {}): Migration {
  const counting = countingMigration();
  return defineMigration({
    id: counting.id,
    async transform(item) {
      if (indexOfKey(String(item.pk)) === undefined) return undefined;
      const migrated = await counting.transform(item);
      return migrated && options.gsiKey ? { ...migrated, gsi1pk: `HOST#${String(item.host)}` } : migrated;
    },
  });
}

/** An application that puts `perSecond` small (1 WCU) new items a second into `table` (keys `app-*`). */
export const steadyWriter = (client: DynamoDBClient, table: string, perSecond: number): ApplicationWriter =>
  startApplicationWriter(client, table, perSecond, (n) => ({ pk: { S: `app-${n}` }, payload: { S: 'written by the application' } }));

/** Write units admitted per window of `windowMs`, from `fromMs` (the proxy's clock) on, complete windows only. */
export function writeUnitsPerWindow(events: TimedUsageEvent[], fromMs: number, windowMs: number): number[] {
  const admitted = events.filter((e) => !e.throttled && e.atMs >= fromMs);
  if (admitted.length === 0) return [];
  const last = admitted.at(-1)!.atMs;
  const windows = Array.from({ length: Math.floor((last - fromMs) / windowMs) }, () => 0);
  for (const e of admitted) {
    const i = Math.floor((e.atMs - fromMs) / windowMs);
    if (i < windows.length) windows[i] += e.writeUnits;
  }
  return windows;
}

/** Throttled requests of every client, by the time the proxy refused them. */
export const throttleTimes = (proxy: CapacityProxy): number[] =>
  proxy.stats
    .clients()
    .flatMap((id) => proxy.stats.events(id))
    .filter((e) => e.throttled)
    .map((e) => e.atMs)
    .sort((a, b) => a - b);

/** The capacity proxies and clients a test file starts: each test's are closed after it. */
export function useCapacityProxies(): { proxies: CapacityProxy[]; clients: DynamoDBClient[] } {
  const proxies: CapacityProxy[] = [];
  const clients: DynamoDBClient[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy();
    for (const proxy of proxies.splice(0)) await proxy.close();
  });
  return { proxies, clients };
}
