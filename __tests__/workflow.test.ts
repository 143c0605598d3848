import { BatchWriteItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import validateAsl from 'asl-validator';
import { taskStates } from '../asl/graph';
import { createHandler } from '../handlers/create-handler';
import { defineMigration, type Item } from '../migrations/define';
import { localDefinition, MissingLocalHandlerError, runWorkflowLocally } from '../local/run-workflow';
import { migrationWorkflow, StateName } from '../workflow/definition';
import { builtInTuning } from '../workflow/input';
import { countWrites, createTable, scanAll, startTestDb, stopTestDb, type TestDb } from './support/test-table';

let t: TestDb;
beforeAll(async () => {
  t = await startTestDb();
});
afterAll(() => stopTestDb(t));

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

describe('the workflow definition', () => {
  const { definition, statements } = migrationWorkflow(target);

  it('passes asl-validator', () => {
    const result = validateAsl(structuredClone(definition));
    expect(result.errors).toStrictEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('runs Prepare, then the backup gate, then the segment map, then Summarize', () => {
    const S = StateName;
    expect(definition.StartAt).toBe(S.prepare);
    expect(definition.States[S.prepare]).toMatchObject({ Next: S.backupChoice });
    expect(definition.States[S.backupChoice]).toMatchObject({
      Choices: [{ Variable: '$.plan.skipBackup', BooleanEquals: true, Next: S.backupSkipped }],
      Default: S.createBackup,
    });
    expect(definition.States[S.createBackup]).toMatchObject({
      Resource: 'arn:aws:states:::aws-sdk:dynamodb:createBackup',
      Parameters: { TableName: 'orders', 'BackupName.$': '$.plan.backupName' },
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.backupError', Next: S.backupError }],
      Next: S.backupPoll,
    });
    expect(definition.States[`${S.backupPoll}: ready?`]).toMatchObject({
      Choices: [{ StringEquals: 'AVAILABLE', Next: S.migrateSegments }, { Next: `${S.backupPoll}: wait` }],
      Default: S.backupNotAvailable,
    });
    expect(definition.States[S.migrateSegments]).toMatchObject({
      Type: 'Map',
      ItemsPath: '$.segments',
      MaxConcurrencyPath: '$.plan.maxConcurrency',
      ItemProcessor: {
        ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
        StartAt: S.migrateBatch,
        States: {
          [S.migrateBatch]: { Resource: target.functionArn, TimeoutSeconds: 960, ResultPath: '$.progress', Next: S.moreToScan },
          [S.moreToScan]: { Choices: [{ Variable: '$.progress.cursor', IsPresent: true, Next: S.migrateBatch }], Default: S.segmentDone },
        },
      },
      Next: S.summarize,
    });
    expect(definition.States[S.backupError]).toMatchObject({ Type: 'Pass', ResultPath: '$.backupFailure', Next: S.backupFailed });
    expect(definition.States[S.backupNotAvailable]).toMatchObject({ Type: 'Pass', ResultPath: '$.backupFailure', Next: S.backupFailed });
    expect(definition.States[S.backupFailed]).toStrictEqual({ Type: 'Fail', Error: 'BackupNotAvailable', CausePath: '$.backupFailure.message' });
    expect(definition.States[S.migrateSegments]).toMatchObject({
      ItemProcessor: { States: { [S.migrateBatch]: { Retry: [{ ErrorEquals: ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'] }, { MaxAttempts: 0 }, { ErrorEquals: ['States.ALL'], MaxAttempts: 4 }] } } },
    });
    expect(definition.States[S.tooManyFailures]).toStrictEqual({ Type: 'Fail', Error: 'ToleratedFailuresExceeded', CausePath: '$.failureCause' });
  });

  it('derives IAM statements that cover every task and nothing else', () => {
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

describe('the whole definition under aws-local-stepfunctions', () => {
  const seed = async (table: string, count: number) => {
    for (let i = 0; i < count; i += 25) {
      const batch = Array.from({ length: Math.min(25, count - i) }, (_, j) => ({
        PutRequest: { Item: { pk: { S: `item-${i + j}` }, visits: { L: [] as AttributeValue[] }, n: { N: String(i + j) } } },
      }));
      await t.client.send(new BatchWriteItemCommand({ RequestItems: { [table]: batch } }));
    }
  };

  it('migrates every item exactly once across segments and batches, with a backup first', async () => {
    // GIVEN 3,000 items and a transform that appends to a list (so a second application would show)
    const table = await createTable(t.client);
    await seed(table, 3000);
    const lambda = createHandler({
      client: t.client,
      table,
      migration: defineMigration({ id: 'append-visit', transform: (item: Item) => ({ ...item, visits: [...(item.visits as string[]), 'migrated'] }) }),
      defaults: builtInTuning,
      log: () => undefined,
      // A margin as long as the budget: every call does exactly one page, whatever the machine's speed.
      safetyMarginMs: 150,
    });
    const batches: number[] = [];
    // WHEN the real definition runs with 6 segments, 3 at a time, and short batches
    const result = await runWorkflowLocally({
      definition: localDefinition(table),
      lambda,
      client: t.client,
      input: { totalSegments: 6, maxConcurrency: 3, pageSize: 50 },
      executionName: 'exactly-once',
      batchBudgetMs: 150,
      onProgress: (p) => batches.push(p.segment),
    });
    // THEN it succeeded, every item has exactly one 'migrated', and the totals add up
    expect(result.status).toBe('SUCCEEDED');
    expect(result.summary).toMatchObject({ status: 'SUCCEEDED', scanned: 3000, updated: 3000, failed: 0, unchanged: 0 });
    expect(result.summary!.backup).toMatchObject({ name: expect.stringMatching(new RegExp(`^${table}-backup-`)) });
    const items = await scanAll(t.client, table);
    expect(items).toHaveLength(3000);
    expect(items.filter((i) => i.visits!.L!.length === 1 && i.visits!.L![0]!.S === 'migrated')).toHaveLength(3000);
    expect(new Set(batches)).toStrictEqual(new Set([0, 1, 2, 3, 4, 5]));
    expect(batches.length).toBeGreaterThanOrEqual(60);
    expect(result.counts.lambdaInvocations).toBe(batches.length + 2);
    // and the backup is a full copy of the table as it was before
    const backup = await scanAll(t.client, (result.summary!.backup as { name: string }).name);
    expect(backup).toHaveLength(3000);
    expect(backup.every((i) => i.visits!.L!.length === 0)).toBe(true);
  });

  it('fails with the summary as the cause when more items fail than tolerated, and writes nothing else', async () => {
    const table = await createTable(t.client);
    await seed(table, 40);
    const lambda = createHandler({
      client: t.client,
      table,
      migration: defineMigration({ id: 'half-bad', transform: (item: Item) => { if ((item.n as number) % 2) throw new Error('odd'); return undefined; } }),
      defaults: builtInTuning,
      log: () => undefined,
    });
    const result = await runWorkflowLocally({ definition: localDefinition(table), lambda, client: t.client, input: { skipBackup: true, toleratedFailures: 3 }, executionName: 'too-many' });
    expect(result).toMatchObject({ status: 'FAILED', error: 'ToleratedFailuresExceeded' });
    expect(result.cause).toContain('20 items failed, more than the 3 tolerated');
  });

  it('fails before any write when the input is invalid', async () => {
    const table = await createTable(t.client);
    await seed(table, 10);
    const writes = countWrites(t.client);
    const lambda = createHandler({ client: t.client, table, migration: defineMigration({ id: 'x', transform: (i: Item) => ({ ...i, y: 1 }) }), defaults: builtInTuning });
    const result = await runWorkflowLocally({ definition: localDefinition(table), lambda, client: t.client, input: { totalSegments: 5000 }, executionName: 'bad' });
    expect(result).toMatchObject({ status: 'FAILED', error: 'InvalidInputError' });
    expect(result.cause).toContain("'totalSegments' must be at most 1000, got 5000");
    expect(writes.count).toBe(0);
  });

  it('fails before any write when the backup cannot be made, with DynamoDB\'s reason in the cause', async () => {
    const table = await createTable(t.client);
    await seed(table, 10);
    const writes = countWrites(t.client);
    const lambda = createHandler({ client: t.client, table, migration: defineMigration({ id: 'x', transform: (i: Item) => ({ ...i, y: 1 }) }), defaults: builtInTuning });
    const refuse = async () => {
      throw Object.assign(new Error('Backups are being enabled for the table'), { name: 'DynamoDb.ContinuousBackupsUnavailableException' });
    };
    const result = await runWorkflowLocally({ definition: localDefinition(table), lambda, client: t.client, input: {}, executionName: 'no-backup', taskOverrides: { [StateName.createBackup]: refuse } });
    expect(result).toMatchObject({ status: 'FAILED', error: 'BackupNotAvailable' });
    expect(result.cause).toMatch(/^The backup could not be made \(Backups are being enabled for the table\), so no item was written\./);
    expect(writes.count).toBe(0);
  });

  it('refuses to start when a Task state has no local handler', async () => {
    const definition = localDefinition('t');
    const inner = definition.States[StateName.migrateSegments];
    if (inner?.Type !== 'Map') throw new Error('expected the segment map');
    inner.ItemProcessor.States[StateName.migrateBatch] = { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:real', Next: StateName.moreToScan };
    const lambda = jest.fn();
    await expect(runWorkflowLocally({ definition, lambda, client: t.client, input: {}, executionName: 'x' })).rejects.toThrow(MissingLocalHandlerError);
    await expect(runWorkflowLocally({ definition, lambda, client: t.client, input: {}, executionName: 'x' })).rejects.toThrow(
      "Task state 'MigrateBatch' (arn:aws:lambda:us-east-1:000000000000:function:real) has no local handler",
    );
    expect(lambda).not.toHaveBeenCalled();
  });
});

