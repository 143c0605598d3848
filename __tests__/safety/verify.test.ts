/**
 * Verification proves a migration's result: every item checked, the unmigrated ones named with why,
 * and a digest of the table. Catch-up passes migrate what the application wrote in the old shape
 * during a run; a second run that writes is refused while one runs.
 */
import { PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import clfToEpoch from '../../migrations/examples/clf-to-epoch';
import { defineMigration, type Item } from '../../migrations/define';
import type { Verification } from '../../workflow/contract';
import { accessLogItem, itemKey, seededAccessLogTable } from '../support/access-log';
import { testClient, useTestDb } from '../support/dynamo';
import { inProcessLambda, runOurs } from '../support/run-ours';
import type { InvocationContext, StepEvent, StepHandler } from '../../workflow/steps';

const db = useTestDb();

const verify = async (table: string, totalSegments = 4): Promise<Verification> => {
  const result = await runOurs({ client: db.admin, table, migration: clfToEpoch, input: { mode: 'verify', totalSegments } });
  expect([result.status, result.error]).toStrictEqual(['SUCCEEDED', undefined]);
  return result.verification!;
};

const unmigratedKeys = (v: Verification) => v.samples.map((s) => String(s.key.pk)).sort();

describe('GIVEN a table migrated cleanly', () => {
  it('WHEN the run verifies afterwards THEN every item is checked and migrated, and the run succeeds', async () => {
    const table = await seededAccessLogTable(db.admin, 400, 'clean');
    const result = await runOurs({ client: db.admin, table, migration: clfToEpoch, input: { skipBackup: true, verifyAfter: true } });
    expect([result.status, result.error]).toStrictEqual(['SUCCEEDED', undefined]);
    expect(result.summary?.verification).toMatchObject({ status: 'VERIFIED', checked: 400, migrated: 400, unmigrated: 0, samples: [] });
    expect(result.summary?.passes?.map((p) => p.kind)).toStrictEqual(['migrate', 'verify']);
    expect(result.summary).toMatchObject({ updated: 400 });
  });

  it('WHEN it is verified with 1, 4 and 16 segments THEN the digest is the same, and one changed attribute of one item changes it', async () => {
    const table = await seededAccessLogTable(db.admin, 300, 'digest');
    await runOurs({ client: db.admin, table, migration: clfToEpoch, input: { skipBackup: true } });
    const digests = await Promise.all([1, 4, 16].map(async (segments) => (await verify(table, segments)).digest));
    expect(new Set(digests).size).toBe(1);
    expect(digests[0]).toMatch(/^[0-9a-f]{16}$/);
    await db.admin.send(new UpdateItemCommand({ TableName: table, Key: { pk: { S: itemKey(7) } }, UpdateExpression: 'SET note = :n', ExpressionAttributeValues: { ':n': { S: 'changed' } } }));
    const after = await verify(table);
    expect(after.digest).not.toBe(digests[0]);
    expect(after).toMatchObject({ status: 'VERIFIED', checked: 300 });
  });
});

describe('GIVEN faults that leave items unmigrated', () => {
  it('WHEN writes report success but do not land THEN verification names exactly those items', async () => {
    const table = await seededAccessLogTable(db.admin, 300, 'lost-writes');
    const client = testClient(db.endpoint);
    const swallowed = new Set([itemKey(3), itemKey(150), itemKey(299)]);
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const key = (args.input as { Key?: { pk?: { S?: string } } }).Key?.pk?.S;
        // Answers as DynamoDB would for a write that succeeded, without sending it.
        if (context.commandName === 'UpdateItemCommand' && key && swallowed.has(key)) return { output: { $metadata: { httpStatusCode: 200 } }, response: {} } as never;
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'swallowWrites' },
    );
    const run = await runOurs({ client, table, migration: clfToEpoch, input: { skipBackup: true } });
    client.destroy();
    expect(run.summary).toMatchObject({ updated: 300, failed: 0 });

    const found = await verify(table);
    expect(found).toMatchObject({ status: 'UNMIGRATED', checked: 300, migrated: 297, unmigrated: 3 });
    expect(unmigratedKeys(found)).toStrictEqual([...swallowed].sort());
    expect(found.samples[0]!.reason).toBe('the transform would still change it: set timestamp');
  });

  it('WHEN the application reverts an item to its old shape after the run THEN verification names it', async () => {
    const table = await seededAccessLogTable(db.admin, 200, 'reverted');
    await runOurs({ client: db.admin, table, migration: clfToEpoch, input: { skipBackup: true } });
    await db.admin.send(new PutItemCommand({ TableName: table, Item: accessLogItem(42) }));
    const found = await verify(table);
    expect(found).toMatchObject({ status: 'UNMIGRATED', unmigrated: 1 });
    expect(unmigratedKeys(found)).toStrictEqual([itemKey(42)]);
  });

  it('WHEN the application inserts old-shape items after the scan has passed and the run verifies afterwards THEN the run fails with NotFullyMigrated naming them', async () => {
    const table = await seededAccessLogTable(db.admin, 300, 'inserted');
    const late = await runWithLateInserts(table, 3, { verifyAfter: true });
    expect(late.run).toMatchObject({ status: 'FAILED', error: 'NotFullyMigrated' });
    expect(late.run.cause).toContain('3 of 303 items are not migrated after the run');
    const found = await verify(table);
    expect(unmigratedKeys(found)).toStrictEqual(late.inserted.sort());
  });
});

/**
 * Runs the CLF migration on `table`, with an application that writes `count` old-shape items once the
 * first pass has scanned everything (when that pass is summarized), where no scan of it will look.
 */
async function runWithLateInserts(table: string, count: number, input: Record<string, unknown>) {
  const lambda = inProcessLambda(db.admin, table, clfToEpoch);
  const healthy = lambda.handler as (event: StepEvent, context: InvocationContext) => Promise<unknown>;
  const inserted: string[] = [];
  const handler = (async (event: StepEvent, context: InvocationContext) => {
    if (event.step === 'summarize' && event.plan.pass.number === 1) {
      for (let i = 0; i < count; i++) {
        const item = { ...accessLogItem(1000 + i), pk: { S: `late-${i}` } };
        await db.admin.send(new PutItemCommand({ TableName: table, Item: item }));
        inserted.push(item.pk.S);
      }
    }
    return healthy(event, context);
  }) as StepHandler;
  const run = await runOurs({ client: db.admin, table, migration: clfToEpoch, lambda: { handler, client: db.admin }, input: { skipBackup: true, ...input } });
  return { run, inserted };
}

describe('GIVEN the application inserts old-shape items while the first pass runs', () => {
  it('WHEN catch-up passes are allowed THEN a further pass migrates them, each pass is reported, and the table verifies', async () => {
    const table = await seededAccessLogTable(db.admin, 300, 'catch-up');
    const { run } = await runWithLateInserts(table, 5, { catchUpPasses: 3, verifyAfter: true });

    expect([run.status, run.error]).toStrictEqual(['SUCCEEDED', undefined]);
    // Pass 2 migrates the late items, pass 3 finds nothing left to change (so no pass 4), then the verification.
    expect(run.summary!.passes!.map((p) => [p.kind, p.kind === 'migrate' ? p.updated : p.unmigrated])).toStrictEqual([
      ['migrate', 300],
      ['migrate', 5],
      ['migrate', 0],
      ['verify', 0],
    ]);
    expect(run.summary!.verification).toMatchObject({ status: 'VERIFIED', checked: 305 });
    expect(run.summary!.updated).toBe(305);
  });

  it('WHEN no catch-up pass is allowed THEN the late items stay unmigrated (what catch-up is for)', async () => {
    const table = await seededAccessLogTable(db.admin, 100, 'no-catch-up');
    const { run, inserted } = await runWithLateInserts(table, 2, {});
    expect(run.status).toBe('SUCCEEDED');
    expect(unmigratedKeys(await verify(table))).toStrictEqual(inserted.sort());
  });
});

describe('GIVEN a run that writes to a table', () => {
  it('WHEN a second run that writes starts meanwhile THEN Prepare refuses it, naming the first and how to stop it; a verification may run alongside', async () => {
    const table = await seededAccessLogTable(db.admin, 100, 'one-at-a-time');
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const slow = defineMigration({
      id: clfToEpoch.id,
      transform: async (item: Item) => {
        started();
        await held;
        return clfToEpoch.transform(item);
      },
    });
    const first = runOurs({ client: db.admin, table, migration: slow, executionName: 'first-run', lambdaTimeoutMs: 60_000, input: { skipBackup: true } });
    await running;

    const second = await runOurs({ client: db.admin, table, migration: clfToEpoch, executionName: 'second-run', input: { skipBackup: true } });
    const alongside = await runOurs({ client: db.admin, table, migration: clfToEpoch, executionName: 'a-verification', input: { mode: 'verify' } });
    release();

    expect(second).toMatchObject({ status: 'FAILED', error: 'RunInProgressError' });
    expect(second.cause).toContain("Another run is migrating this table: 'first-run'");
    expect(second.cause).toContain('aws stepfunctions stop-execution --execution-arn arn:aws:states:us-east-1:000000000000:execution:ddb-migrate-local:first-run');
    expect(alongside.status).toBe('SUCCEEDED');
    expect((await first).status).toBe('SUCCEEDED');
  });
});
