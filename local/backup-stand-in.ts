import {
  BatchWriteItemCommand,
  CreateBackupCommand,
  CreateTableCommand,
  DescribeBackupCommand,
  DescribeTableCommand,
  ScanCommand,
  waitUntilTableExists,
  type AttributeValue,
  type DynamoDBClient,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';

/** The `BackupDetails` shape that CreateBackup and DescribeBackup return. */
export interface BackupDetails {
  BackupArn: string;
  BackupName: string;
  BackupStatus: string;
}

const COPY_ARN_PREFIX = 'arn:ddb-migrate:local-copy:';

const unsupported = (error: unknown): boolean =>
  ['UnknownOperationException', 'UnrecognizedClientException', 'NotImplementedException'].includes((error as Error).name);

/** Copies every item of `table` into `target` (a table with the same keys), retrying unprocessed writes. */
async function copyTable(client: DynamoDBClient, table: string, target: string): Promise<number> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
  const keys = new Set(Table!.KeySchema!.map((k) => k.AttributeName!));
  await client.send(
    new CreateTableCommand({
      TableName: target,
      KeySchema: Table!.KeySchema,
      AttributeDefinitions: Table!.AttributeDefinitions!.filter((d) => keys.has(d.AttributeName!)),
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1 }, { TableName: target });
  let copied = 0;
  let cursor: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: cursor, ConsistentRead: true }));
    const items = page.Items ?? [];
    for (let i = 0; i < items.length; i += 25) {
      let pending: WriteRequest[] = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 10) throw new Error(`Copying ${table} to ${target}: writes stayed unprocessed after 10 retries`);
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.random() * 50 * 2 ** attempt));
        const result = await client.send(new BatchWriteItemCommand({ RequestItems: { [target]: pending } }));
        pending = result.UnprocessedItems?.[target] ?? [];
      }
    }
    copied += items.length;
    cursor = page.LastEvaluatedKey;
  } while (cursor);
  return copied;
}

/**
 * CreateBackup where the endpoint has it; elsewhere (dynalite, DynamoDB Local) a real, complete
 * copy of the table named `<table>-backup-<timestamp>`, reported as an AVAILABLE backup.
 */
export async function createBackupOrCopy(
  client: DynamoDBClient,
  params: { TableName: string; BackupName: string },
  now: Date = new Date(),
): Promise<{ BackupDetails: BackupDetails }> {
  try {
    const real = await client.send(new CreateBackupCommand(params));
    const d = real.BackupDetails!;
    return { BackupDetails: { BackupArn: d.BackupArn!, BackupName: d.BackupName!, BackupStatus: d.BackupStatus! } };
  } catch (error) {
    if (!unsupported(error)) throw error;
  }
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  const copy = `${params.TableName}-backup-${stamp}`;
  await copyTable(client, params.TableName, copy);
  return { BackupDetails: { BackupArn: `${COPY_ARN_PREFIX}${copy}`, BackupName: copy, BackupStatus: 'AVAILABLE' } };
}

/** DescribeBackup for a real backup, or the status of a local copy (AVAILABLE once it exists). */
export async function describeBackupOrCopy(
  client: DynamoDBClient,
  params: { BackupArn: string },
): Promise<{ BackupDescription: { BackupDetails: BackupDetails } }> {
  if (params.BackupArn.startsWith(COPY_ARN_PREFIX)) {
    const copy = params.BackupArn.slice(COPY_ARN_PREFIX.length);
    const { Table } = await client.send(new DescribeTableCommand({ TableName: copy }));
    return {
      BackupDescription: {
        BackupDetails: { BackupArn: params.BackupArn, BackupName: copy, BackupStatus: Table?.TableStatus === 'ACTIVE' ? 'AVAILABLE' : 'CREATING' },
      },
    };
  }
  const real = await client.send(new DescribeBackupCommand(params));
  const d = real.BackupDescription!.BackupDetails!;
  return { BackupDescription: { BackupDetails: { BackupArn: d.BackupArn!, BackupName: d.BackupName!, BackupStatus: d.BackupStatus! } } };
}
