/**
 * DynamoDB throttles, fails with 500s, resets connections and times out, now and then. A run must
 * absorb that (retries, visibly counted) and apply every item's change exactly once, also when a
 * write lands but its response is lost. Faults that outlast the retries: faults-persistent.test.ts.
 */
import { countingMigration, migratedExactlyOnce, seededAccessLogTable } from '../support/access-log';
import { itemsByKey, testClient, useTestDb } from '../support/dynamo';
import { injectFaults, TRANSIENT_FAULTS } from '../support/faults';
import { runOurs } from '../support/run-ours';

const ITEMS = 1_000;
/** The migration deletes every 10th item, so DeleteItem meets the faults too. */
const deleteWhen = (i: number) => i % 10 === 9;
const input = { skipBackup: true, totalSegments: 4, maxConcurrency: 4, pageSize: 50 };
/** 8 segments of 2 pages: a page waits for its slowest throttled item (backoff starts at 1 s), so few pages keep runs quick. */
const wideInput = { ...input, totalSegments: 8, maxConcurrency: 8, pageSize: 80 };

const db = useTestDb();

const seededTable = (count = ITEMS) => seededAccessLogTable(db.admin, count, 'faults');

describe('GIVEN 1 in 5 DynamoDB calls fails with throttling, a 500, a connection reset or a timeout', () => {
  it('WHEN the faults hit before DynamoDB applies the call THEN the run succeeds, every item is migrated exactly once, and every retry is counted', async () => {
    const table = await seededTable();
    const client = testClient(db.endpoint);
    const faults = injectFaults(client, { rate: 0.2, kinds: TRANSIENT_FAULTS, when: 'before', seed: 1 });
    // Scans are few (about 25), so rather than leave their faults to chance, every 3rd scan attempt is throttled.
    let scanAttempts = 0;
    const scanFaults = injectFaults(client, {
      rate: 0,
      kinds: [],
      persistent: (r) => (r.command === 'ScanCommand' && ++scanAttempts % 3 === 0 ? 'ThrottlingException' : undefined),
    });

    // One call per segment: no call is cut off at its deadline, so every retry happens inside a batch and is counted.
    const result = await runOurs({ client, table, migration: countingMigration({ deleteWhen }), input: wideInput, lambdaTimeoutMs: 120_000 });
    client.destroy();

    expect(result.status).toBe('SUCCEEDED');
    expect(migratedExactlyOnce(await itemsByKey(db.admin, table), ITEMS, { deleteWhen })).toEqual([]);
    expect(result.summary).toMatchObject({ scanned: ITEMS, updated: 900, deleted: 100, failed: 0, conflicts: 0 });
    // Every kind was injected, on every kind of call the batch makes.
    for (const kind of TRANSIENT_FAULTS) expect(faults.injected[kind]).toBeGreaterThan(5);
    for (const command of ['UpdateItemCommand', 'DeleteItemCommand']) expect(faults.byCommand[command]).toBeGreaterThan(5);
    expect(scanFaults.total()).toBeGreaterThan(3);
    // Each fault cost exactly one retry, and the summary shows them all (Prepare's DescribeTable retries are not item work).
    // A busy machine adds a few real ones (a request that timed out): they are retries too.
    const injected = faults.total() + scanFaults.total();
    const real = Object.entries(faults.realErrors).reduce((n, [command, count]) => n + (command === 'DescribeTableCommand' ? 0 : count), 0);
    expect(result.summary!.retries).toBe(injected - (faults.byCommand.DescribeTableCommand ?? 0) + real);
    console.log(`1 in 5 faults before the call: ${injected} injected (${JSON.stringify(faults.injected)}, +${scanFaults.total()} on scans), summary.retries ${result.summary!.retries}, ${ITEMS} items exactly once`);
  });

  it('WHEN besides that 1 in 50 writes lands but its response is lost, and a version marker is set THEN every change still lands exactly once', async () => {
    const table = await seededTable();
    const client = testClient(db.endpoint);
    const faults = injectFaults(client, { rate: 0.2, kinds: TRANSIENT_FAULTS, when: 'before', seed: 2 });
    const lost = injectFaults(client, {
      rate: 0.02,
      kinds: ['ECONNRESET', 'TimeoutError'],
      when: 'after',
      commands: ['UpdateItemCommand', 'DeleteItemCommand'],
      seed: 3,
    });

    const result = await runOurs({
      client,
      table,
      migration: countingMigration({ deleteWhen }),
      input: { ...wideInput, versionAttribute: 'migration' },
    });
    client.destroy();

    expect(result.status).toBe('SUCCEEDED');
    expect(lost.lostResponses).toBeGreaterThan(5);
    const final = await itemsByKey(db.admin, table);
    expect(migratedExactlyOnce(final, ITEMS, { deleteWhen })).toEqual([]);
    expect([...final.values()].filter((item) => item.migration?.S !== 'clf-to-epoch-counted')).toEqual([]);
    expect(result.summary!.retries).toBeGreaterThanOrEqual(faults.total() - (faults.byCommand.DescribeTableCommand ?? 0));
    console.log(`1 in 5 faults + 1 in 50 lost responses, version marker: ${faults.total()} faults and ${lost.lostResponses} lost responses, summary.retries ${result.summary!.retries}, ${ITEMS} items exactly once`);
  });

  // A bug this suite once found: a write whose response was lost was retried by
  // the SDK, the retry failed its condition (the first attempt had landed), and the item was re-read
  // and transformed again, so a non-idempotent transform was applied twice. Now the re-read item is
  // compared with "scanned + this write" first.
  it('WHEN 1 in 50 writes lands but its response is lost and there is no version marker THEN every change still lands exactly once', async () => {
    const table = await seededTable();
    const client = testClient(db.endpoint);
    const lost = injectFaults(client, { rate: 0.02, kinds: ['ECONNRESET', 'TimeoutError'], when: 'after', commands: ['UpdateItemCommand'], seed: 3 });

    const result = await runOurs({ client, table, migration: countingMigration({ deleteWhen }), input });
    client.destroy();

    expect(lost.lostResponses).toBeGreaterThan(5);
    expect(result.status).toBe('SUCCEEDED');
    expect(migratedExactlyOnce(await itemsByKey(db.admin, table), ITEMS, { deleteWhen })).toEqual([]);
  });

  // A bug this suite once found: retried writes that end in ConditionalCheckFailed
  // never refunded the SDK's client-wide retry quota, so lost responses drained it; timeouts were then
  // not retried and items were reported as failed ("left as they were") although their write had landed.
  it('WHEN 1 in 5 writes lands but its response is lost THEN no item reported as failed was changed', async () => {
    const table = await seededTable();
    const client = testClient(db.endpoint);
    const lost = injectFaults(client, { rate: 0.2, kinds: ['ECONNRESET', 'TimeoutError'], when: 'after', commands: ['UpdateItemCommand'], seed: 4 });

    const result = await runOurs({ client, table, migration: countingMigration(), input: { ...input, versionAttribute: 'migration', toleratedFailures: ITEMS } });
    client.destroy();

    expect(lost.lostResponses).toBeGreaterThan(50);
    const final = await itemsByKey(db.admin, table);
    const failedKeys = result.segments.flatMap((s) => s.failures ?? []).map((f) => String(f.key.pk));
    const failedButChanged = failedKeys.filter((key) => final.get(key)?.migration !== undefined);
    expect(failedButChanged).toEqual([]);
  });
});
