/**
 * The deployed workflow meets AWS's limits, proved through the local runner, which enforces them as
 * Step Functions and Lambda do: 256 KiB per payload, 25,000 history events per execution, DISTRIBUTED
 * Map Run failure and redrive semantics, Lambda throttling and service errors, Lambda timeouts.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { defineMigration, type Item } from '../../migrations/define';
import { StateName } from '../../workflow/definition';
import type { InvocationContext, StepEvent, StepHandler } from '../../workflow/steps';
import { unpackTotals } from '../../workflow/totals';
import { countingMigration, itemKey, migratedExactlyOnce, seededAccessLogTable } from '../support/access-log';
import { itemsByKey, newTable, putItems, testClient, useTestDb } from '../support/dynamo';
import { seededRandom } from '../support/faults';
import { inProcessLambda, runOurs } from '../support/run-ours';

const db = useTestDb();

/** The in-process Lambda's handler as a plain function of any event, for wrapping. */
const plainHandler = (lambda: { handler: StepHandler }) => lambda.handler as (event: StepEvent, context: InvocationContext) => Promise<unknown>;

describe('GIVEN a dry run at 1,000 segments whose samples are full (1 KB keys, 22 long attribute names renamed, long failure reasons)', () => {
  it('WHEN it runs on the enforcing runner THEN it succeeds and reports how close it came: under the 256 KiB state limit', async () => {
    const table = await newTable(db.admin);
    const longKey = (i: number) => `${String(i).padStart(6, '0')}-${'k'.repeat(1018)}`;
    const wide = (i: number): Record<string, AttributeValue> => ({
      pk: { S: longKey(i) },
      ...Object.fromEntries(Array.from({ length: 22 }, (_, a) => [`an-attribute-with-a-rather-long-name-number-${a}`, { S: 'v'.repeat(100) }])),
    });
    await putItems(db.admin, table, Array.from({ length: 1500 }, (_, i) => wide(i)));
    const renameAll = defineMigration({
      id: 'rename-all',
      transform: (item: Item) => {
        if (String(item.pk).startsWith('000')) throw new Error(`cannot migrate this item because ${'of a long story '.repeat(20)}`);
        return Object.fromEntries(Object.entries(item).map(([name, value]) => [name === 'pk' ? name : `renamed-${name}-${'x'.repeat(60)}`, value]));
      },
    });
    const result = await runOurs({ client: db.admin, table, migration: renameAll, input: { dryRun: true, totalSegments: 1000, maxConcurrency: 100, toleratedFailures: 1500 } });

    expect([result.status, result.error, result.cause]).toStrictEqual(['SUCCEEDED', undefined, undefined]);
    expect(result.summary).toMatchObject({ scanned: 1500, failed: 1000, updated: 500 });
    expect(result.summary!.failures.length).toBeGreaterThan(0);
    expect(result.summary!.changes.length).toBeGreaterThan(0);
    expect(result.awsFit.largestPayloadBytes).toBeLessThanOrEqual(200 * 1024);
    expect(result.awsFit.payloadLimitBytes).toBe(262_144);
    expect(result.counts.mapIterations).toBe(1000);
  });
});

describe('GIVEN segments whose results would gather into more than 256 KiB', () => {
  it('WHEN the Map gathers them THEN the run fails with States.DataLimitExceeded naming the Map, as on AWS, before Summarize', async () => {
    const table = await seededAccessLogTable(db.admin, 300, 'fat');
    const lambda = inProcessLambda(db.admin, table, countingMigration());
    const healthy = plainHandler(lambda);
    let summarized = false;
    // A Lambda that ignores the sample budget: every segment returns 2 KB of failure samples.
    const handler = (async (event: StepEvent, context: InvocationContext) => {
      if (event.step === 'summarize') summarized = true;
      const result = await healthy(event, context);
      if (event.step !== 'migrateBatch') return result;
      return { ...(result as object), failures: [{ key: { pk: 'x' }, reason: 'r'.repeat(2048) }] };
    }) as StepHandler;
    const result = await runOurs({ client: db.admin, table, migration: countingMigration(), lambda: { handler, client: db.admin }, input: { skipBackup: true, totalSegments: 150, maxConcurrency: 50 } });

    expect(result).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
    expect(result.cause).toContain(`gathered result of the Map state '${StateName.migrateSegments}'`);
    expect(result.awsFit.largestPayloadBytes).toBeGreaterThan(262_144);
    expect(summarized).toBe(false);
  });
});

describe('GIVEN a segment that never ends (its cursor always comes back)', () => {
  it('WHEN its child execution passes 25,000 history events THEN the child fails as AWS would, and with it the Map Run', async () => {
    const table = await seededAccessLogTable(db.admin, 10, 'endless');
    const healthy = plainHandler(inProcessLambda(db.admin, table, countingMigration()));
    const handler = (async (event: StepEvent, context: InvocationContext) => {
      if (event.step !== 'migrateBatch') return healthy(event, context);
      return { cursor: 'endless', calls: event.progress.calls + 1, totals: [] };
    }) as StepHandler;
    const result = await runOurs({ client: db.admin, table, migration: countingMigration(), lambda: { handler, client: db.admin }, input: { skipBackup: true, totalSegments: 1 } });

    expect(result).toMatchObject({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
    expect(result.cause).toContain('States.Runtime');
    expect(result.cause).toContain('would pass 25000 history events');
    // Events are counted a state at a time (a Task writes 5), so the count stops just past the limit.
    expect(result.awsFit.mostHistoryEvents).toBeGreaterThan(25_000);
    expect(result.awsFit.mostHistoryEvents).toBeLessThanOrEqual(25_005);
  }, 300_000);
});

describe('GIVEN the Lambda service throttles 30 % of invocations and fails 5 % with Lambda.ServiceException', () => {
  it('WHEN a migration with a version marker runs THEN it succeeds, every item is migrated exactly once and the totals are exact', async () => {
    const ITEMS = 600;
    const table = await seededAccessLogTable(db.admin, ITEMS, 'lambda-faults');
    const client = testClient(db.endpoint);
    const migration = countingMigration();
    const result = await runOurs({
      client,
      table,
      migration,
      lambda: inProcessLambda(client, table, migration, { safetyMarginMs: 1_000 }),
      // Short calls, so there are many invocations to fault.
      lambdaTimeoutMs: 2_000,
      faults: { throttled: 0.3, serviceErrors: 0.05, random: seededRandom(15) },
      input: { skipBackup: true, totalSegments: 4, maxConcurrency: 4, pageSize: 25, versionAttribute: 'migratedBy' },
    });
    client.destroy();

    expect([result.status, result.error]).toStrictEqual(['SUCCEEDED', undefined]);
    expect(migratedExactlyOnce(await itemsByKey(db.admin, table), ITEMS)).toEqual([]);
    expect(result.summary).toMatchObject({ scanned: ITEMS, updated: ITEMS, skipped: 0, unchanged: 0, failed: 0 });
    expect(result.counts.lambdaTimeouts).toBe(0);
  });
});

describe('GIVEN DynamoDB stops answering writes in the middle of a page, for longer than the Lambda may run', () => {
  it('WHEN the run goes on THEN no Lambda is killed at its timeout: each batch returns its cursor early, and every item is migrated once with exact totals', async () => {
    const ITEMS = 400;
    const table = await seededAccessLogTable(db.admin, ITEMS, 'stall');
    const client = testClient(db.endpoint);
    // The 40th to 60th writes hang for 6 s each: twice the 3 s the Lambda may run.
    let writes = 0;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'UpdateItemCommand' && ++writes >= 40 && writes <= 60) await new Promise((resolve) => setTimeout(resolve, 6_000));
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'stall' },
    );
    const migration = countingMigration();
    const result = await runOurs({
      client,
      table,
      migration,
      lambda: inProcessLambda(client, table, migration, { safetyMarginMs: 1_500 }),
      lambdaTimeoutMs: 3_000,
      input: { skipBackup: true, totalSegments: 2, pageSize: 50 },
    });
    client.destroy();

    expect([result.status, result.error]).toStrictEqual(['SUCCEEDED', undefined]);
    expect(result.counts.lambdaTimeouts).toBe(0);
    expect(migratedExactlyOnce(await itemsByKey(db.admin, table), ITEMS)).toEqual([]);
    expect(result.summary).toMatchObject({ scanned: ITEMS, updated: ITEMS, unchanged: 0, skipped: 0, failed: 0 });
  });
});

describe('GIVEN a run whose segment fails for good midway (its role loses UpdateItem), and is redriven once that is fixed', () => {
  it('WHEN redriven THEN only unfinished segments run again, from where they stood, and the totals are exact', async () => {
    const ITEMS = 600;
    const table = await seededAccessLogTable(db.admin, ITEMS, 'redrive');
    const client = testClient(db.endpoint);
    let denied = false;
    let writes = 0;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'UpdateItemCommand' && ++writes === 150) denied = true;
        if (denied && context.commandName === 'UpdateItemCommand') {
          throw Object.assign(new Error('not authorized to perform dynamodb:UpdateItem'), { name: 'AccessDeniedException', $metadata: {} });
        }
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'deny' },
    );
    const migration = countingMigration();
    const lambda = inProcessLambda(client, table, migration, { safetyMarginMs: 600 });
    const first = await runOurs({ client, table, migration, lambda, lambdaTimeoutMs: 1_000, input: { skipBackup: true, totalSegments: 4, maxConcurrency: 4, pageSize: 20 } });
    expect(first).toMatchObject({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
    expect(first.cause).toContain('TableAccessError');

    const finishedBefore = first.record.mapRuns[StateName.migrateSegments]!.filter((c) => c.status === 'SUCCEEDED').length;
    const childrenBefore = first.counts.mapIterations;
    denied = false;
    writes = Number.NEGATIVE_INFINITY;
    const redriven = await first.redrive();
    client.destroy();

    expect([redriven.status, redriven.error]).toStrictEqual(['SUCCEEDED', undefined]);
    expect(migratedExactlyOnce(await itemsByKey(db.admin, table), ITEMS)).toEqual([]);
    expect(redriven.summary).toMatchObject({ scanned: ITEMS, updated: ITEMS, unchanged: 0, skipped: 0, failed: 0 });
    // Segments that had finished were not run again (the counts run on across the redrive).
    expect(redriven.counts.mapIterations - childrenBefore).toBe(4 - finishedBefore);
    expect(redriven.segments.reduce((n, p) => n + unpackTotals(p.totals).updated, 0)).toBe(ITEMS);
  });
});

describe('GIVEN a Lambda whose transform blocks the process past the timeout (a killed Lambda)', () => {
  it('WHEN the batch is retried THEN, with a version marker, every item is still migrated exactly once', async () => {
    const ITEMS = 300;
    const table = await seededAccessLogTable(db.admin, ITEMS, 'killed');
    const client = testClient(db.endpoint);
    const base = countingMigration();
    let blocked = false;
    const blocking = defineMigration({
      id: base.id,
      transform: (item: Item) => {
        if (!blocked && item.pk === itemKey(150)) {
          blocked = true;
          const until = Date.now() + 2_500;
          while (Date.now() < until); // a synchronous loop: nothing else runs, not even the deadline
        }
        return base.transform(item);
      },
    });
    const result = await runOurs({
      client,
      table,
      migration: blocking,
      lambda: inProcessLambda(client, table, blocking, { safetyMarginMs: 1_000 }),
      lambdaTimeoutMs: 2_000,
      // One segment: in this one process a blocked event loop would stall every other segment's Lambda too.
      input: { skipBackup: true, totalSegments: 1, pageSize: 20, versionAttribute: 'migratedBy' },
    });
    client.destroy();

    expect(result.counts.lambdaTimeouts).toBe(1);
    expect([result.status, result.error]).toStrictEqual(['SUCCEEDED', undefined]);
    expect(migratedExactlyOnce(await itemsByKey(db.admin, table), ITEMS)).toEqual([]);
    // What the killed call did is lost with it: its items are seen again, already marked.
    expect(result.summary!.updated + result.summary!.skipped).toBe(ITEMS);
  });
});
