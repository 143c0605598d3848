import { BatchWriteItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import validateAsl from 'asl-validator';
import { taskStates } from '../../asl/graph';
import { MissingLocalHandlerError } from '../../local/execution';
import { localDefinition } from '../../local/local-deployment';
import { runWorkflowLocally } from '../../local/runner';
import { defineMigration, type Item } from '../../migrations/define';
import { migrationWorkflow, StateName } from '../../workflow/definition';
import { unpackTotals } from '../../workflow/totals';
import { countWrites, newTable, scanAll, useTestDb } from '../support/dynamo';
import { inProcessLambda, runOurs } from '../support/run-ours';

const db = useTestDb();

const target = {
  tableName: 'orders',
  tableArn: 'arn:aws:dynamodb:eu-west-1:111122223333:table/orders',
  functionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:migrate',
  children: {
    stateMachineArn: 'arn:aws:states:eu-west-1:111122223333:stateMachine:migration',
    executionsArn: 'arn:aws:states:eu-west-1:111122223333:execution:migration/*',
  },
  batchTimeoutSeconds: 960,
};

describe('GIVEN the workflow definition', () => {
  const { definition, statements } = migrationWorkflow(target);

  it('WHEN checked with asl-validator THEN it is valid', () => {
    const result = validateAsl(structuredClone(definition));
    expect(result.errors).toStrictEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('WHEN its IAM statements are derived THEN they cover every task and nothing else', () => {
    expect(statements).toStrictEqual([
      { Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: [target.functionArn, `${target.functionArn}:*`] },
      { Effect: 'Allow', Action: ['dynamodb:CreateBackup'], Resource: [target.tableArn] },
      { Effect: 'Allow', Action: ['dynamodb:DescribeBackup'], Resource: [`${target.tableArn}/backup/*`] },
      { Effect: 'Allow', Action: ['states:StartExecution'], Resource: [target.children.stateMachineArn] },
      { Effect: 'Allow', Action: ['states:DescribeExecution', 'states:StopExecution', 'states:RedriveExecution'], Resource: [target.children.executionsArn] },
    ]);
    expect(taskStates(definition).map((task) => task.resource).sort()).toStrictEqual([
      target.functionArn,
      target.functionArn,
      target.functionArn,
      'arn:aws:states:::aws-sdk:dynamodb:createBackup',
      'arn:aws:states:::aws-sdk:dynamodb:describeBackup',
    ]);
  });
});

describe('GIVEN the whole definition on the local runner', () => {
  const seed = async (table: string, count: number) => {
    for (let i = 0; i < count; i += 25) {
      const batch = Array.from({ length: Math.min(25, count - i) }, (_, j) => ({
        PutRequest: { Item: { pk: { S: `item-${i + j}` }, visits: { L: [] as AttributeValue[] }, n: { N: String(i + j) } } },
      }));
      await db.admin.send(new BatchWriteItemCommand({ RequestItems: { [table]: batch } }));
    }
  };
  const appendVisit = defineMigration({ id: 'append-visit', transform: (item: Item) => ({ ...item, visits: [...(item.visits as string[]), 'migrated'] }) });

  it('WHEN 2,000 items run in 6 segments, 3 at a time, in short calls THEN every item is migrated exactly once, after a full backup', async () => {
    const table = await newTable(db.admin);
    await seed(table, 2000);
    const calls: number[] = [];
    const result = await runOurs({
      client: db.admin,
      table,
      migration: appendVisit,
      // 400 ms of work per call: many calls, each ending with writes in flight at its deadline.
      lambda: inProcessLambda(db.admin, table, appendVisit, { safetyMarginMs: 1_600 }),
      lambdaTimeoutMs: 2_000,
      input: { totalSegments: 6, maxConcurrency: 3, pageSize: 50 },
      onProgress: (segment) => calls.push(segment),
    });
    expect([result.status, result.error, result.cause]).toStrictEqual(['SUCCEEDED', undefined, undefined]);
    expect(result.counts.lambdaTimeouts).toBe(0);
    expect(result.summary).toMatchObject({ status: 'SUCCEEDED', scanned: 2000, updated: 2000, failed: 0, unchanged: 0 });
    const items = await scanAll(db.admin, table);
    expect(items.filter((i) => i.visits!.L!.length === 1 && i.visits!.L![0]!.S === 'migrated')).toHaveLength(2000);
    expect(new Set(calls)).toStrictEqual(new Set([0, 1, 2, 3, 4, 5]));
    expect(calls.length).toBeGreaterThanOrEqual(12);
    expect(result.counts.lambdaInvocations).toBe(calls.length + 2);
    expect(result.counts.mapIterations).toBe(6);
    // and the backup is a full copy of the table as it was before
    expect(result.summary!.backup).toMatchObject({ name: expect.stringMatching(new RegExp(`^${table}-backup-`)), status: 'AVAILABLE' });
    const backup = await scanAll(db.admin, (result.summary!.backup as { name: string }).name);
    expect(backup).toHaveLength(2000);
    expect(backup.every((i) => i.visits!.L!.length === 0)).toBe(true);
    // and each segment's result is the one it reported last
    expect(result.segments.reduce((n, p) => n + unpackTotals(p.totals).updated, 0)).toBe(2000);
  });

  it('WHEN more items fail than tolerated THEN the run fails with the summary as the cause', async () => {
    const table = await newTable(db.admin);
    await seed(table, 40);
    const halfBad = defineMigration({ id: 'half-bad', transform: (item: Item) => { if ((item.n as number) % 2) throw new Error('odd'); return undefined; } });
    const result = await runOurs({ client: db.admin, table, migration: halfBad, input: { skipBackup: true, toleratedFailures: 3 } });
    expect(result).toMatchObject({ status: 'FAILED', error: 'ToleratedFailuresExceeded' });
    expect(result.cause).toContain('20 items failed, more than the 3 tolerated');
  });

  it('WHEN the input is invalid THEN the run fails before any write', async () => {
    const table = await newTable(db.admin);
    await seed(table, 10);
    const writes = countWrites(db.admin);
    const result = await runOurs({ client: db.admin, table, migration: appendVisit, input: { totalSegments: 5000 } });
    expect(result).toMatchObject({ status: 'FAILED', error: 'InvalidInputError' });
    expect(result.cause).toContain("'totalSegments' must be at most 1000, got 5000");
    expect(writes.count).toBe(0);
  });

  it('WHEN the backup cannot be made THEN the run fails before any write, with DynamoDB\'s reason in the cause', async () => {
    const table = await newTable(db.admin);
    await seed(table, 10);
    const writes = countWrites(db.admin);
    const refuse = async () => {
      throw Object.assign(new Error('Backups are being enabled for the table'), { name: 'DynamoDb.ContinuousBackupsUnavailableException' });
    };
    const result = await runOurs({ client: db.admin, table, migration: appendVisit, taskOverrides: { [StateName.createBackup]: refuse } });
    expect(result).toMatchObject({ status: 'FAILED', error: 'BackupNotAvailable' });
    expect(result.cause).toMatch(/^The backup could not be made \(Backups are being enabled for the table\), so no item was written\./);
    expect(writes.count).toBe(0);
  });

  it('WHEN a Task state inside the Map has no local handler THEN the run refuses to start and calls nothing', async () => {
    const definition = localDefinition('t');
    const inner = definition.States[StateName.migrateSegments];
    if (inner?.Type !== 'Map') throw new Error('expected the segment map');
    inner.ItemProcessor.States[StateName.migrateBatch] = { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:real', Next: StateName.moreToScan };
    const handler = jest.fn();
    const run = () => runWorkflowLocally({ definition, lambda: { handler }, client: db.admin, input: {}, executionName: 'x' });
    await expect(run()).rejects.toThrow(MissingLocalHandlerError);
    await expect(run()).rejects.toThrow("Task state 'MigrateBatch' (arn:aws:lambda:us-east-1:000000000000:function:real) has no local handler");
    expect(handler).not.toHaveBeenCalled();
  });
});
