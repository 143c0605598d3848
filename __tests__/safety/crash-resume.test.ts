/**
 * The Lambda dies in the middle of a batch (out of memory, a recycled container). The run fails;
 * resuming it from its checkpoint (a redrive of the saved execution record) finishes the migration
 * with every item migrated exactly once: by idempotence (the CLF example leaves converted items
 * alone) or by the version marker (for a transform that is not).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Checkpoint } from '../../local/resume';
import type { LocalRunResult } from '../../local/runner';
import type { InvocationContext, StepEvent, StepHandler } from '../../workflow/steps';
import type { Migration } from '../../migrations/define';
import clfToEpoch from '../../migrations/examples/clf-to-epoch';
import { accessLogItems, appliedCount, countingMigration, expectedEpoch, itemKey, migratedExactlyOnce, seededAccessLogTable } from '../support/access-log';
import { crashingLambda, LambdaCrashError, type CrashingLambda } from '../support/crash';
import { canonical, itemsByKey, testClient, useTestDb, type RawItem } from '../support/dynamo';
import { countCalls } from '../support/faults';
import { inProcessLambda, runOurs } from '../support/run-ours';

const ITEMS = 600;
/** Two segments of 300 items in pages of 20, and calls of 500 ms of work: each segment takes several MigrateBatch calls. */
const baseInput = { skipBackup: true, totalSegments: 2, maxConcurrency: 2, pageSize: 20 };
const TIMEOUT_MS = 2_000;
const MARGIN_MS = 1_500;

const db = useTestDb();
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ddb-migrate-crash-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface CrashAndResume {
  first: LocalRunResult;
  crash: CrashingLambda['crash'];
  afterCrash: Map<string, RawItem>;
  resumed: LocalRunResult;
  /** UpdateItem/DeleteItem calls the resumed run made. */
  /** The distinct items the resumed run wrote (a write cut off at a call's deadline may be sent again). */
  resumeWrites: Set<string>;
  final: Map<string, RawItem>;
}

/**
 * Runs the migration with a checkpoint until the Lambda dies in its 10th write of a segment's second
 * (or later) MigrateBatch call, so the checkpoint holds a cursor in the middle of that segment; then
 * resumes from the checkpoint with a healthy Lambda and the same input.
 */
async function crashThenResume(migration: Migration, extraInput: Record<string, unknown> = {}): Promise<CrashAndResume> {
  const table = await seededAccessLogTable(db.admin, ITEMS, 'crash');
  const input = { ...baseInput, ...extraInput };
  const file = join(dir, `${table}.json`);

  const dying = testClient(db.endpoint);
  const crashing = crashingLambda(inProcessLambda(dying, table, migration, { safetyMarginMs: MARGIN_MS }), dying, {
    when: (event) => event.progress.calls >= 1,
    afterWrites: 10,
  });
  const saved = Checkpoint.start(file, { table, migrationId: migration.id, migrationFile: 'in-process', input, executionName: 'crash', record: { historyEvents: 0, mapRuns: {} } });
  const first = await runOurs({
    client: dying,
    table,
    migration,
    input,
    lambda: crashing.lambda,
    lambdaTimeoutMs: TIMEOUT_MS,
    onRecordChange: (record) => saved.save(record),
  });
  await crashing.settled();
  dying.destroy();
  const afterCrash = await itemsByKey(db.admin, table);

  const healthy = testClient(db.endpoint);
  const resumeWrites = new Set<string>();
  healthy.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'UpdateItemCommand') resumeWrites.add(String((args.input as { Key: { pk: { S: string } } }).Key.pk.S));
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'writtenKeys' },
  );
  const checkpoint = Checkpoint.load(file);
  if (!checkpoint) throw new Error(`the failed run left no checkpoint at ${file}`);
  const resumed = await runOurs({
    client: healthy,
    table,
    migration,
    input,
    lambda: inProcessLambda(healthy, table, migration, { safetyMarginMs: MARGIN_MS }),
    lambdaTimeoutMs: TIMEOUT_MS,
    record: checkpoint.data.record,
  });
  healthy.destroy();
  return { first, crash: crashing.crash, afterCrash, resumed, resumeWrites, final: await itemsByKey(db.admin, table) };
}

/** Seeded items whose timestamp is already converted, and those whose timestamp is not. */
const convertedKeys = (items: Map<string, RawItem>) => [...items.entries()].filter(([, item]) => item.timestamp?.N !== undefined).map(([key]) => key);
const notConvertedKeys = (items: Map<string, RawItem>) => [...items.entries()].filter(([, item]) => item.timestamp?.N === undefined).map(([key]) => key).sort();

describe('GIVEN a migration of 600 items whose Lambda dies in the middle of a batch', () => {
  it('WHEN the transform is idempotent (the CLF example) and the run is resumed from its checkpoint THEN every item is converted once and nothing is written twice', async () => {
    const r = await crashThenResume(clfToEpoch);

    expect(r.crash).toMatchObject({ happened: true, writesByCrashedInvocation: 10 });
    // The segment's retries meet a dead Lambda too, so its child execution fails and with it the Map Run.
    expect({ status: r.first.status, error: r.first.error }).toEqual({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
    expect(r.first.cause).toContain(new LambdaCrashError().name);
    const doneBeforeCrash = convertedKeys(r.afterCrash).length;
    expect(doneBeforeCrash).toBeGreaterThanOrEqual(10);
    expect(doneBeforeCrash).toBeLessThan(ITEMS);

    expect(r.resumed.status).toBe('SUCCEEDED');
    expect(r.resumed.summary?.failed).toBe(0);
    // Only what the first run had not done is written; the re-scanned items are left alone.
    expect([...r.resumeWrites].sort()).toStrictEqual(notConvertedKeys(r.afterCrash));
    const wrong = [...Array(ITEMS).keys()].filter((i) => {
      const item = r.final.get(itemKey(i));
      const seeded = accessLogItems(1, i)[0]!;
      return item?.timestamp?.N !== expectedEpoch(i) || canonical({ ...item, timestamp: seeded.timestamp! }) !== canonical(seeded);
    });
    expect(wrong).toEqual([]);
  });

  it('WHEN the transform is not idempotent but a version marker is set THEN the resumed run skips what was done and every item is migrated exactly once', async () => {
    const r = await crashThenResume(countingMigration(), { versionAttribute: 'migratedBy' });

    expect(r.crash.happened).toBe(true);
    expect(r.first.status).toBe('FAILED');
    const doneBeforeCrash = [...r.afterCrash.values()].filter((item) => item.migratedBy !== undefined).length;
    expect(doneBeforeCrash).toBeGreaterThanOrEqual(10);

    expect(r.resumed.status).toBe('SUCCEEDED');
    expect([...r.resumeWrites].sort()).toStrictEqual([...r.afterCrash.entries()].filter(([, item]) => item.migratedBy === undefined).map(([key]) => key).sort());
    // The pages the dead call had started are scanned again; the marker makes those items 'skipped'.
    expect(r.resumed.summary!.skipped).toBeGreaterThanOrEqual(r.crash.writesByCrashedInvocation);
    expect(migratedExactlyOnce(r.final, ITEMS)).toEqual([]);
    expect([...r.final.values()].every((item) => item.migratedBy?.S === 'clf-to-epoch-counted')).toBe(true);
  });

  it('WHEN the transform is not idempotent and there is no version marker THEN the interrupted batch is transformed twice (what the marker prevents)', async () => {
    const r = await crashThenResume(countingMigration());

    expect(r.crash.happened).toBe(true);
    expect(r.resumed.status).toBe('SUCCEEDED');
    const twice = [...r.final.values()].filter((item) => appliedCount(item) === 2).length;
    expect(twice).toBeGreaterThanOrEqual(r.crash.writesByCrashedInvocation);
    expect([...r.final.values()].every((item) => appliedCount(item) >= 1)).toBe(true);
  });
});

describe('GIVEN a run whose Lambda fails for good in one segment while other segments have calls in flight', () => {
  it('WHEN the Map Run fails THEN no new call starts, the calls in flight finish before the run reports, and nothing is written after', async () => {
    const table = await seededAccessLogTable(db.admin, ITEMS, 'stop');
    const client = testClient(db.endpoint);
    const calls = countCalls(client);
    const healthy = inProcessLambda(client, table, clfToEpoch, { safetyMarginMs: MARGIN_MS }).handler as (event: StepEvent, context: InvocationContext) => Promise<unknown>;
    let started = 0;
    let finished = 0;
    const handler = (async (event: StepEvent, context: InvocationContext) => {
      // Segment 0 dies on its second call, every time it is retried.
      if (event.step === 'migrateBatch' && event.segment === 0 && event.progress.calls >= 1) throw new LambdaCrashError();
      started += 1;
      try {
        return await healthy(event, context);
      } finally {
        finished += 1;
      }
    }) as StepHandler;

    const result = await runOurs({ client, table, migration: clfToEpoch, input: { ...baseInput, totalSegments: 4, maxConcurrency: 4 }, lambda: { handler, client }, lambdaTimeoutMs: TIMEOUT_MS });
    const whenReported = { started, finished, writes: calls.writes() };
    await new Promise((resolve) => setTimeout(resolve, 300));
    client.destroy();

    expect(result).toMatchObject({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
    expect(whenReported.finished).toBe(whenReported.started);
    expect({ started, writes: calls.writes() }).toEqual({ started: whenReported.started, writes: whenReported.writes });
    // The aborted segments stopped early: far from every item was written.
    expect(whenReported.writes).toBeLessThan(ITEMS);
  });
});
