/**
 * No item is written unless a backup exists. When the backup cannot be created or
 * never becomes AVAILABLE, the execution fails with BackupNotAvailable before the first write.
 */
import type { TaskHandler } from '../../local/execution';
import clfToEpoch from '../../migrations/examples/clf-to-epoch';
import { backupPolling, StateName } from '../../workflow/definition';
import { expectedEpoch, itemKey, seededAccessLogTable } from '../support/access-log';
import { canonical, itemsByKey, testClient, useTestDb } from '../support/dynamo';
import { countCalls } from '../support/faults';
import { runOurs } from '../support/run-ours';

const ITEMS = 100;

const db = useTestDb();

/** An error as the Step Functions SDK integration reports a DynamoDB error: `DynamoDb.<ExceptionName>`. */
function sdkIntegrationError(exception: string, message: string): Error {
  const error = new Error(message);
  error.name = `DynamoDb.${exception}`;
  return error;
}

const backupDetails = (status: string) => ({
  BackupArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/t/backup/01700000000000-abcdef',
  BackupName: 'migration-backup',
  BackupStatus: status,
});

/** CreateBackup and DescribeBackup stand-ins that count their calls. */
function backupService(create: () => Promise<unknown>, describe: (poll: number) => Promise<unknown>) {
  const calls = { create: 0, describe: 0 };
  const overrides: Record<string, TaskHandler> = {
    [StateName.createBackup]: async () => {
      calls.create += 1;
      return create();
    },
    [StateName.describeBackup]: async () => {
      calls.describe += 1;
      return describe(calls.describe);
    },
  };
  return { calls, overrides };
}

async function runWithBackup(overrides: Record<string, TaskHandler>) {
  const table = await seededAccessLogTable(db.admin, ITEMS, 'backup');
  const before = canonical(Object.fromEntries(await itemsByKey(db.admin, table)));
  const client = testClient(db.endpoint);
  const calls = countCalls(client);
  const result = await runOurs({ client, table, migration: clfToEpoch, input: {}, taskOverrides: overrides });
  client.destroy();
  const unchanged = canonical(Object.fromEntries(await itemsByKey(db.admin, table))) === before;
  return { result, writes: calls.writes(), scans: calls.calls.ScanCommand ?? 0, unchanged };
}

describe('GIVEN a migration that must back up the table first (skipBackup not set)', () => {
  const failures: [string, () => ReturnType<typeof backupService>][] = [
    [
      'CreateBackup is refused (continuous backups unavailable)',
      () =>
        backupService(
          () => Promise.reject(sdkIntegrationError('ContinuousBackupsUnavailableException', 'Backups are being enabled for the table')),
          () => Promise.resolve({ BackupDescription: { BackupDetails: backupDetails('AVAILABLE') } }),
        ),
    ],
    [
      'CreateBackup stays throttled through every retry',
      () =>
        backupService(
          () => Promise.reject(sdkIntegrationError('LimitExceededException', 'Too many concurrent backups')),
          () => Promise.resolve({ BackupDescription: { BackupDetails: backupDetails('AVAILABLE') } }),
        ),
    ],
    [
      'the backup is DELETED while being created',
      () =>
        backupService(
          () => Promise.resolve({ BackupDetails: backupDetails('CREATING') }),
          () => Promise.resolve({ BackupDescription: { BackupDetails: backupDetails('DELETED') } }),
        ),
    ],
    [
      'DescribeBackup fails (the backup cannot be found)',
      () =>
        backupService(
          () => Promise.resolve({ BackupDetails: backupDetails('CREATING') }),
          () => Promise.reject(sdkIntegrationError('BackupNotFoundException', 'Backup not found')),
        ),
    ],
  ];

  it.each(failures)('WHEN %s THEN the run fails with BackupNotAvailable and writes nothing', async (_case, service) => {
    const { calls, overrides } = service();

    const { result, writes, scans, unchanged } = await runWithBackup(overrides);

    expect(result).toMatchObject({ status: 'FAILED', error: 'BackupNotAvailable' });
    expect(result.cause).toContain('no item was written');
    expect({ writes, scans, unchanged }).toEqual({ writes: 0, scans: 0, unchanged: true });
    expect(calls.create).toBeGreaterThanOrEqual(1);
  });

  it('WHEN CreateBackup stays throttled THEN it is retried (5 retries, as the retry policy says) before the run gives up', async () => {
    const { calls, overrides } = backupService(
      () => Promise.reject(sdkIntegrationError('LimitExceededException', 'Too many concurrent backups')),
      () => Promise.resolve({}),
    );

    const { result, writes } = await runWithBackup(overrides);

    expect(result.error).toBe('BackupNotAvailable');
    expect(calls.create).toBe(1 + 5);
    expect(writes).toBe(0);
  });

  it('WHEN the backup never leaves CREATING THEN polling stops after the configured number of polls and the run fails with BackupNotAvailable', async () => {
    const { calls, overrides } = backupService(
      () => Promise.resolve({ BackupDetails: backupDetails('CREATING') }),
      () => Promise.resolve({ BackupDescription: { BackupDetails: backupDetails('CREATING') } }),
    );

    const { result, writes, scans, unchanged } = await runWithBackup(overrides);

    expect(result).toMatchObject({ status: 'FAILED', error: 'BackupNotAvailable' });
    expect(calls.describe).toBe(backupPolling.maxPolls);
    expect({ writes, scans, unchanged }).toEqual({ writes: 0, scans: 0, unchanged: true });
  });

  it('WHEN the backup becomes AVAILABLE after a few polls THEN the migration runs (the gate opens only then)', async () => {
    const { calls, overrides } = backupService(
      () => Promise.resolve({ BackupDetails: backupDetails('CREATING') }),
      (poll) => Promise.resolve({ BackupDescription: { BackupDetails: backupDetails(poll < 3 ? 'CREATING' : 'AVAILABLE') } }),
    );

    const { result, writes } = await runWithBackup(overrides);

    expect(result.status).toBe('SUCCEEDED');
    expect(calls.describe).toBe(3);
    expect(writes).toBe(ITEMS);
    expect(result.summary?.backup).toEqual({ name: 'migration-backup', arn: backupDetails('AVAILABLE').BackupArn, status: 'AVAILABLE' });
  });

  it('WHEN the endpoint has no backup API (dynalite) THEN a full copy of the table as it was is made before the first write', async () => {
    const table = await seededAccessLogTable(db.admin, ITEMS, 'copy');
    const before = await itemsByKey(db.admin, table);
    const client = testClient(db.endpoint);

    const result = await runOurs({ client, table, migration: clfToEpoch, input: {} });
    client.destroy();

    expect(result.status).toBe('SUCCEEDED');
    const backup = result.summary!.backup;
    if (backup === 'skipped') throw new Error('expected a backup');
    const copy = await itemsByKey(db.admin, backup.name);
    expect(canonical(Object.fromEntries(copy))).toBe(canonical(Object.fromEntries(before)));
    expect((await itemsByKey(db.admin, table)).get(itemKey(5))?.timestamp).toEqual({ N: expectedEpoch(5) });
  });
});
