/**
 * The capacity scenario: a provisioned table shared with its application, as in production. The
 * application writes at a steady rate through the capacity emulator (signing as `app`); our workflow
 * (the real bundle, default tuning) migrates the table at writeCapacityPercent 50 through the same
 * emulator. What the emulator admitted says how closely the migration kept its budget, window by
 * window, and whether the application was throttled.
 */
import { BatchWriteItemCommand, DynamoDBClient, UpdateTableCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import type { LambdaBundle } from '../bundle/lambda-bundle';
import { startApplicationWriter } from '../emulators/application-writer';
import { startCapacityProxy } from '../emulators/capacity-proxy';
import { connectionConfig, localConnection } from '../local/connection';
import { builtInTuning } from '../workflow/input';
import { progress, type BenchTables } from './bench-tables';

/** What the capacity scenario measured. */
export interface CapacityScenario {
  items: number;
  table: { readUnits: number; writeUnits: number };
  applicationWritesPerSecond: number;
  writeCapacityPercent: number;
  budgetWriteUnitsPerSecond: number;
  segments: number;
  itemsPerSecond: number;
  windowSeconds: number;
  /** The migration's write units in each complete window, as a share of its budget for the window. */
  windowShares: number[];
  /** The lowest and highest share after the first window (which includes the start-up). */
  afterFirst: { min: number; max: number };
  application: { requests: number; throttled: number; throttleRate: number; failed: number };
  migration: { requests: number; throttled: number };
}

/** The client id the migration's requests carry: the access key the local Lambda signs with (local/connection.ts). */
const MIGRATION_CLIENT = 'local';
const APPLICATION_CLIENT = 'app';

/** Runs the capacity scenario on `items` items. */
export async function runCapacityScenario(
  tables: BenchTables,
  upstream: string,
  admin: DynamoDBClient,
  options: { bundle: LambdaBundle; items: number; table: { readUnits: number; writeUnits: number }; applicationWritesPerSecond: number; writeCapacityPercent: number; batchBudgetMs: number; windowSeconds: number },
): Promise<CapacityScenario> {
  // One second of saved capacity: the table's first requests do not meet an empty bucket.
  const proxy = await startCapacityProxy({ upstream, initialBurstSeconds: 1 });
  const app = new DynamoDBClient({ ...connectionConfig(localConnection(proxy.endpoint)), credentials: { accessKeyId: APPLICATION_CLIENT, secretAccessKey: 'local' } });
  let written = { started: 0, failed: 0 };
  const budget = (options.writeCapacityPercent / 100) * options.table.writeUnits;
  progress(`capacity scenario: ${options.table.writeUnits} WCU table, application ${options.applicationWritesPerSecond} writes/s, migration at writeCapacityPercent ${options.writeCapacityPercent} (${budget} WCU/s)`);
  let measured;
  try {
    measured = await tables.measure(
      {
        contender: 'ours',
        items: options.items,
        bundle: options.bundle,
        totalSegments: builtInTuning.totalSegments,
        maxConcurrency: builtInTuning.maxConcurrency,
        batchBudgetMs: options.batchBudgetMs,
        input: { writeCapacityPercent: options.writeCapacityPercent },
      },
      `capacity: ours at writeCapacityPercent ${options.writeCapacityPercent}`,
      {
        endpoint: proxy.endpoint,
        prepare: async (table) => {
          await admin.send(
            new UpdateTableCommand({
              TableName: table,
              BillingMode: 'PROVISIONED',
              ProvisionedThroughput: { ReadCapacityUnits: options.table.readUnits, WriteCapacityUnits: options.table.writeUnits },
            }),
          );
          await waitUntilTableExists({ client: admin, maxWaitTime: 30, minDelay: 1 }, { TableName: table });
        },
        alongside: (table) => {
          const writer = startApplicationWriter(app, table, options.applicationWritesPerSecond, (n) => ({ requestId: { S: `app-${n}` }, note: { S: 'written by the application' } }));
          return {
            stop: async () => {
              written = await writer.stop();
              // The application's items are not the migration's: remove them before the table is checked.
              for (let n = 0; n < written.started; n += 25) {
                const keys = Array.from({ length: Math.min(25, written.started - n) }, (_, i) => ({ DeleteRequest: { Key: { requestId: { S: `app-${n + i}` } } } }));
                await admin.send(new BatchWriteItemCommand({ RequestItems: { [table]: keys } }));
              }
            },
          };
        },
      },
    );
  } finally {
    app.destroy();
    await proxy.close();
  }

  const events = proxy.stats.events(MIGRATION_CLIENT);
  const from = events.find((e) => e.writeUnits > 0)?.atMs ?? 0;
  const windowMs = options.windowSeconds * 1000;
  const last = events.at(-1)?.atMs ?? from;
  const windows = Array.from({ length: Math.floor((last - from) / windowMs) }, () => 0);
  for (const e of events) {
    const i = Math.floor((e.atMs - from) / windowMs);
    if (!e.throttled && i >= 0 && i < windows.length) windows[i] += e.writeUnits;
  }
  const windowShares = windows.map((units) => units / (budget * options.windowSeconds));
  const later = windowShares.slice(1);
  const application = proxy.stats.totals(APPLICATION_CLIENT);
  const migration = proxy.stats.totals(MIGRATION_CLIENT);
  return {
    items: options.items,
    table: options.table,
    applicationWritesPerSecond: options.applicationWritesPerSecond,
    writeCapacityPercent: options.writeCapacityPercent,
    budgetWriteUnitsPerSecond: budget,
    segments: builtInTuning.totalSegments,
    itemsPerSecond: measured.itemsPerSecond,
    windowSeconds: options.windowSeconds,
    windowShares,
    // No complete window after the first (a short run) is no evidence: NaN fails the target.
    afterFirst: later.length > 0 ? { min: Math.min(...later), max: Math.max(...later) } : { min: Number.NaN, max: Number.NaN },
    application: { requests: application.requests, throttled: application.throttled, throttleRate: proxy.stats.throttleRate(APPLICATION_CLIENT), failed: written.failed },
    migration: { requests: migration.requests, throttled: migration.throttled },
  };
}
