/**
 * Issue 5, part 3: the Lambda dies in the middle of a batch. The run fails; resuming it from its
 * checkpoint finishes the migration with every item migrated exactly once: by idempotence (the CLF
 * example leaves converted items alone) or by the version marker (for a transform that is not).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Checkpoint } from '../../local/checkpoint';
import type { LambdaHandler } from '../../local/lambda-loader';
import type { LocalRunResult } from '../../local/run-workflow';
import type { Migration } from '../../migrations/define';
import clfToEpoch from '../../migrations/examples/clf-to-epoch';
import { accessLogItems, appliedCount, countingMigration, expectedEpoch, itemKey, migratedExactlyOnce, seededAccessLogTable } from '../support/access-log';
import { crashingLambda, LambdaCrashError, type CrashingLambda } from '../support/crash';
import { canonical, itemsByKey, testClient, useTestDb, type RawItem } from '../support/dynamo';
import { countCalls } from '../support/faults';
import { inProcessLambda, runOurs } from '../support/run-ours';

const ITEMS = 1_200;
/** Two segments of 600 items in pages of 20, and a 1 s budget per call: each segment takes several MigrateBatch calls. */
const baseInput = { skipBackup: true, totalSegments: 2, maxConcurrency: 2, pageSize: 20 };
const BUDGET_MS = 1_000;

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
  resumeWrites: number;
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
  // A safety margin as long as the budget makes every call do exactly one page (20 items), so every
  // segment needs many calls whatever the machine's speed, and the crash always comes mid-page.
  const crashing = crashingLambda(inProcessLambda(dying, table, migration, { safetyMarginMs: BUDGET_MS }), dying, {
    when: (event) => (event.progress.invocations ?? 0) >= 1,
    afterWrites: 10,
  });
  const first = await runOurs({
    client: dying,
    table,
    migration,
    input,
    lambda: crashing.lambda,
    batchBudgetMs: BUDGET_MS,
    checkpoint: Checkpoint.start(file, { table, migrationId: migration.id, migrationFile: 'in-process', input }),
  });
  await crashing.settled();
  dying.destroy();
  const afterCrash = await itemsByKey(db.admin, table);

  const healthy = testClient(db.endpoint);
  const calls = countCalls(healthy);
  const checkpoint = Checkpoint.load(file);
  if (!checkpoint) throw new Error(`the failed run left no checkpoint at ${file}`);
  const resumed = await runOurs({ client: healthy, table, migration, input, batchBudgetMs: BUDGET_MS, checkpoint });
  healthy.destroy();
  return { first, crash: crashing.crash, afterCrash, resumed, resumeWrites: calls.writes(), final: await itemsByKey(db.admin, table) };
}

/** Seeded items whose timestamp is already converted. */
const convertedKeys = (items: Map<string, RawItem>) => [...items.entries()].filter(([, item]) => item.timestamp?.N !== undefined).map(([key]) => key);

describe('GIVEN a migration of 1,200 items whose Lambda dies in the middle of a batch', () => {
  it('WHEN the transform is idempotent (the CLF example) and the run is resumed from its checkpoint THEN every item is converted once and nothing is written twice', async () => {
    const r = await crashThenResume(clfToEpoch);

    expect(r.crash).toMatchObject({ happened: true, writesByCrashedInvocation: 10 });
    expect({ status: r.first.status, error: r.first.error }).toEqual({ status: 'FAILED', error: new LambdaCrashError().name });
    const doneBeforeCrash = convertedKeys(r.afterCrash).length;
    expect(doneBeforeCrash).toBeGreaterThanOrEqual(10);
    expect(doneBeforeCrash).toBeLessThan(ITEMS);

    expect(r.resumed.status).toBe('SUCCEEDED');
    expect(r.resumed.summary?.failed).toBe(0);
    // Only what the first run had not done is written; the re-scanned items are left alone.
    expect(r.resumeWrites).toBe(ITEMS - doneBeforeCrash);
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
    expect(r.resumeWrites).toBe(ITEMS - doneBeforeCrash);
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

describe('GIVEN a local run whose Lambda fails in one segment while another segment has a call in flight', () => {
  // Regression (found by this suite, fixed in 94d4dfd): runWorkflowLocally returned FAILED while
  // MigrateBatch calls of other segments were still in flight; they went on writing items and saving
  // the checkpoint after the result, so a resume in the same process raced with the old run.
  it('WHEN the run has reported FAILED THEN no more items are written', async () => {
    const table = await seededAccessLogTable(db.admin, ITEMS, 'stop');
    const client = testClient(db.endpoint);
    const calls = countCalls(client);
    const handler = inProcessLambda(client, table, clfToEpoch);
    const running = new Set<Promise<unknown>>();
    // Segment 1's second call is held until the run has reported (or 2 s have passed, should the runner
    // wait for it); segment 0's second call fails once segment 1's is in flight.
    let releaseHeld!: () => void;
    const held = new Promise<void>((resolve) => (releaseHeld = resolve));
    let heldStarted!: () => void;
    const heldInFlight = new Promise<void>((resolve) => (heldStarted = resolve));
    const fallbacks = [setTimeout(() => releaseHeld(), 2_000), setTimeout(() => heldStarted(), 2_000)];
    let reported = false;
    let callsStartedAfterReport = 0;
    const lambda: LambdaHandler = async (event, context) => {
      if (reported) callsStartedAfterReport += 1;
      if (event.step === 'migrateBatch' && event.progress.invocations === 1 && event.segment === 0) {
        await heldInFlight;
        throw new LambdaCrashError();
      }
      const work = (async () => {
        if (event.step === 'migrateBatch' && event.progress.invocations === 1 && event.segment === 1) {
          heldStarted();
          await held;
        }
        return handler(event, context);
      })();
      const tracked = work.catch(() => undefined);
      running.add(tracked);
      void tracked.then(() => running.delete(tracked));
      return work;
    };

    const result = await runOurs({ client, table, migration: clfToEpoch, input: { ...baseInput, totalSegments: 4, maxConcurrency: 4 }, lambda, batchBudgetMs: 300 });
    reported = true;
    const writesWhenReported = calls.writes();
    releaseHeld();
    while (running.size > 0) await Promise.all([...running]);
    fallbacks.forEach(clearTimeout);
    client.destroy();

    expect(result.status).toBe('FAILED');
    expect({ callsStartedAfterReport, writesAfterReport: calls.writes() - writesWhenReported }).toEqual({ callsStartedAfterReport: 0, writesAfterReport: 0 });
  });
});
