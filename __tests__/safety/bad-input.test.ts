/**
 * Bad input of every kind. Malformed execution input and unusable tables stop the
 * run before a single write; a transform that misbehaves on one item fails that item (key and
 * reason) and leaves it as it was; odd but valid items migrate, with untouched attributes exact.
 */
import { DeleteTableCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { updateParams } from '../../handlers/write-plan';
import { defineMigration, type Item, type Migration } from '../../migrations/define';
import clfToEpoch from '../../migrations/examples/clf-to-epoch';
import { accessLogItem, expectedEpoch, itemKey, seededAccessLogTable } from '../support/access-log';
import { canonical, createTable, itemsByKey, putItems, scanAll, testClient, uniqueTableName, useTestDb, type RawItem } from '../support/dynamo';
import { beforeRequest, countCalls, injectFaults, nthRequest } from '../support/faults';
import { runOurs } from '../support/run-ours';

const db = useTestDb();

const seededTable = (count: number, prefix = 'bad') => seededAccessLogTable(db.admin, count, prefix);

describe('GIVEN malformed execution input', () => {
  let table: string;
  let before: string;
  beforeAll(async () => {
    table = await seededTable(20, 'input');
    before = canonical(Object.fromEntries(await itemsByKey(db.admin, table)));
  });

  // [case, input, what the cause must say (the field, and the allowed range or form)]
  const cases: [string, unknown, string[]][] = [
    ['totalSegments below the range', { totalSegments: 0 }, ["'totalSegments'", 'at least 1', 'got 0']],
    ['totalSegments above the range', { totalSegments: 1001 }, ["'totalSegments'", 'at most 1000', 'got 1001']],
    ['totalSegments as a string', { totalSegments: '4' }, ["'totalSegments'", 'must be a number', '1 to 1000']],
    ['totalSegments as a fraction', { totalSegments: 2.5 }, ["'totalSegments'", 'whole number', '1 to 1000']],
    ['totalSegments as null', { totalSegments: null }, ["'totalSegments'", 'must be a number', 'got null', '1 to 1000']],
    ['maxConcurrency negative', { maxConcurrency: -1 }, ["'maxConcurrency'", 'at least 1', 'got -1']],
    ['maxConcurrency far too high', { maxConcurrency: 1_000_000 }, ["'maxConcurrency'", 'at most 1000']],
    ['pageSize zero', { pageSize: 0 }, ["'pageSize'", 'at least 1']],
    ['pageSize above the Scan limit', { pageSize: 5000 }, ["'pageSize'", 'at most 1000', 'got 5000']],
    ['pageSize as an array', { pageSize: [100] }, ["'pageSize'", 'must be a number', '1 to 1000']],
    ['maxItemsPerSecond negative', { maxItemsPerSecond: -5 }, ["'maxItemsPerSecond'", 'at least 0']],
    ['maxItemsPerSecond above the range', { maxItemsPerSecond: 2_000_000 }, ["'maxItemsPerSecond'", 'at most 1000000']],
    ['toleratedFailures negative', { toleratedFailures: -1 }, ["'toleratedFailures'", 'at least 0']],
    ['toleratedFailures as a fraction', { toleratedFailures: 1.5 }, ["'toleratedFailures'", 'whole number', '0 to 1000000000']],
    ['dryRun as a string', { dryRun: 'yes' }, ["'dryRun'", 'true or false', 'got "yes"']],
    ['skipBackup as a number', { skipBackup: 1 }, ["'skipBackup'", 'true or false', 'got 1']],
    ['versionAttribute empty', { versionAttribute: '' }, ["'versionAttribute'", 'must not be empty']],
    ['versionAttribute as a number', { versionAttribute: 42 }, ["'versionAttribute'", 'attribute name', 'got 42']],
    ['versionAttribute too long', { versionAttribute: 'v'.repeat(256) }, ["'versionAttribute'", 'at most 255 characters']],
    ['versionAttribute naming the key attribute', { versionAttribute: 'pk' }, ["'versionAttribute'", "key attribute 'pk'"]],
    ['an unknown field', { tableName: 'other-table' }, ["unknown field 'tableName'", 'Allowed fields: totalSegments']],
    ['a misspelt field', { totalSegment: 4 }, ["unknown field 'totalSegment'"]],
    ['several problems at once', { totalSegments: 0, pageSize: 'all', dryRun: 'no' }, ["'totalSegments'", "'pageSize'", "'dryRun'"]],
    ['an array instead of an object', [], ['must be a JSON object', 'got []']],
    ['a string instead of an object', 'migrate please', ['must be a JSON object', 'got "migrate please"']],
    ['a number instead of an object', 42, ['must be a JSON object', 'got 42']],
    ['a boolean instead of an object', true, ['must be a JSON object', 'got true']],
  ];

  it.each(cases)('WHEN the input has %s THEN the run fails with InvalidInputError naming the problem, before any write', async (_case, input, mentions) => {
    const client = testClient(db.endpoint);
    const calls = countCalls(client);

    const result = await runOurs({ client, table, migration: clfToEpoch, input });
    client.destroy();

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('InvalidInputError');
    for (const text of mentions) expect(result.cause).toContain(text);
    expect(calls.writes()).toBe(0);
    expect(calls.calls.ScanCommand ?? 0).toBe(0);
    expect(canonical(Object.fromEntries(await itemsByKey(db.admin, table)))).toBe(before);
  });
});

describe('GIVEN a table the migration cannot use', () => {
  it('WHEN the table does not exist THEN the run fails with TableNotFoundError naming it, and nothing is written', async () => {
    const client = testClient(db.endpoint);
    const calls = countCalls(client);

    const result = await runOurs({ client, table: 'no-such-table', migration: clfToEpoch, input: { skipBackup: true } });
    client.destroy();

    expect(result).toMatchObject({ status: 'FAILED', error: 'TableNotFoundError' });
    expect(result.cause).toContain("Table 'no-such-table' was not found");
    expect(calls.writes()).toBe(0);
  });

  it('WHEN the table is deleted during the run THEN its segments fail with TableNotFoundError (not retried) instead of counting every item as failed', async () => {
    const table = await seededTable(600);
    const client = testClient(db.endpoint);
    const deletion = beforeRequest(client, nthRequest('UpdateItemCommand', 100), async () => {
      await db.admin.send(new DeleteTableCommand({ TableName: table }));
    });

    const result = await runOurs({ client, table, migration: clfToEpoch, input: { skipBackup: true, totalSegments: 2, pageSize: 50, toleratedFailures: 1_000 } });
    client.destroy();

    expect(deletion.fired).toBe(true);
    // A segment that fails fails the Map Run; the cause names the segment's error.
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
    expect(result.cause).toContain('TableNotFoundError');
    expect(result.cause).toContain(`Table '${table}' was not found`);
  });

  it.each([
    ['DescribeTableCommand', 'dynamodb:DescribeTable'],
    ['ScanCommand', 'dynamodb:Scan'],
    ['UpdateItemCommand', 'dynamodb:UpdateItem'],
  ])('WHEN the role may not call %s (AccessDenied) THEN the run fails with TableAccessError naming the action, and no item changes', async (command, action) => {
    const table = await seededTable(200);
    const before = canonical(Object.fromEntries(await itemsByKey(db.admin, table)));
    const client = testClient(db.endpoint);
    const faults = injectFaults(client, { rate: 0, kinds: [], persistent: (r) => (r.command === command ? 'AccessDeniedException' : undefined) });

    const result = await runOurs({ client, table, migration: clfToEpoch, input: { skipBackup: true, totalSegments: 2 } });
    client.destroy();

    // Prepare fails the execution itself; a segment's failure fails the Map Run, and the cause says why.
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe(command === 'DescribeTableCommand' ? 'TableAccessError' : 'States.ExceedToleratedFailureThreshold');
    expect(result.cause).toContain(`Access to table '${table}' was denied for ${action}`);
    expect(faults.total()).toBeGreaterThan(0);
    expect(canonical(Object.fromEntries(await itemsByKey(db.admin, table)))).toBe(before);
  });

  // A bug this suite once found: queued items of the page must not go on calling DynamoDB after the batch failed.
  it('WHEN a write is denied THEN the batch stops: only the writes already in flight (2 segments x 16) are attempted', async () => {
    const table = await seededTable(400);
    const client = testClient(db.endpoint);
    const faults = injectFaults(client, { rate: 0, kinds: [], persistent: (r) => (r.command === 'UpdateItemCommand' ? 'AccessDeniedException' : undefined) });

    const result = await runOurs({ client, table, migration: clfToEpoch, input: { skipBackup: true, totalSegments: 2, pageSize: 100 } });
    // Wait until no more calls are made (bounded: stable for 10 checks of 20 ms, at most 250 checks).
    for (let checks = 0, stable = 0, seen = -1; checks < 250 && stable < 10; checks++) {
      stable = faults.total() === seen ? stable + 1 : 0;
      seen = faults.total();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    client.destroy();

    expect(result.error).toBe('States.ExceedToleratedFailureThreshold');
    expect(result.cause).toContain('TableAccessError');
    expect(faults.injected.AccessDeniedException).toBeLessThanOrEqual(2 * 16);
  });
});

describe('GIVEN a dry run (dryRun: true)', () => {
  it('WHEN the transform would update, delete and fail items THEN nothing is written, and the summary shows what would change', async () => {
    // 20 items in 2 segments: every change fits in the summary's sample (13 per segment).
    const table = await seededTable(20);
    const before = canonical(Object.fromEntries(await itemsByKey(db.admin, table)));
    const client = testClient(db.endpoint);
    const calls = countCalls(client);
    const migration = defineMigration({
      id: 'dry',
      transform: (item) => {
        if (item.pk === itemKey(1)) throw new Error('cannot parse');
        if (item.pk === itemKey(2)) return null;
        return clfToEpoch.transform(item);
      },
    });

    const result = await runOurs({ client, table, migration, input: { skipBackup: true, dryRun: true, totalSegments: 2, toleratedFailures: 1 } });
    client.destroy();

    expect(result.status).toBe('SUCCEEDED');
    expect(result.summary).toMatchObject({ dryRun: true, updated: 18, deleted: 1, failed: 1 });
    expect(result.summary!.changes).toHaveLength(19);
    expect(result.summary!.changes).toContainEqual({ key: { pk: itemKey(2) }, action: 'delete' });
    expect(result.summary!.changes).toContainEqual({ key: { pk: itemKey(3) }, action: 'update', set: { timestamp: Number(expectedEpoch(3)) } });
    expect(calls.writes()).toBe(0);
    expect(canonical(Object.fromEntries(await itemsByKey(db.admin, table)))).toBe(before);
  });
});

describe('GIVEN a transform that misbehaves on one item (item-000007) and converts the others', () => {
  const victim = itemKey(7);

  /** The CLF migration, except for the victim, where `misbehave` decides what the transform does. */
  const misbehavingOn = (misbehave: (item: Item) => unknown): Migration =>
    defineMigration({
      id: 'misbehaving',
      transform: (item) => (item.pk === victim ? (misbehave(item) as Item) : clfToEpoch.transform(item)),
    });

  const cases: [string, (item: Item) => unknown, RegExp][] = [
    ['throws', () => { throw new RangeError('no month called Smarch'); }, /^transform threw RangeError: no month called Smarch \(at .*bad-input\.test\.ts:\d+:\d+\)$/],
    ['returns a string', () => 'done', /transform returned a string; return the item object, undefined to leave it unchanged, or null to delete it/],
    ['returns a number', () => 42, /transform returned a number/],
    ['returns an array', (item) => [item], /transform returned an array/],
    ['changes the key', (item) => ({ ...item, pk: 'item-999999' }), /transform changed key attribute 'pk'; keys cannot change/],
    ['removes the key', ({ pk: _pk, ...rest }) => rest, /transform removed key attribute 'pk'/],
    ['makes the item larger than 400 KB', (item) => ({ ...item, blob: 'x'.repeat(410 * 1024) }), /ValidationException.*(size|exceed)/i],
    ['returns an empty Set', (item) => ({ ...item, tags: new Set<string>() }), /DynamoDB cannot store/],
    ['returns a Date (a class instance)', (item) => ({ ...item, migratedAt: new Date(0) }), /DynamoDB cannot store/],
    ['returns NaN as a number', (item) => ({ ...item, timestamp: Number.NaN }), /ValidationException|DynamoDB cannot store/],
  ];

  it.each(cases)('WHEN it %s THEN that item is a per-item failure with its key and reason and stays unchanged, and the others are migrated', async (_case, misbehave, reason) => {
    const table = await seededTable(30);
    const client = testClient(db.endpoint);
    const calls = countCalls(client);

    const result = await runOurs({ client, table, migration: misbehavingOn(misbehave), input: { skipBackup: true, totalSegments: 2, toleratedFailures: 1 } });
    client.destroy();

    expect(result.status).toBe('SUCCEEDED');
    expect(result.summary).toMatchObject({ failed: 1, updated: 29 });
    expect(result.summary!.failures).toEqual([{ key: { pk: victim }, reason: expect.stringMatching(reason) }]);
    const final = await itemsByKey(db.admin, table);
    expect(canonical(final.get(victim))).toBe(canonical(accessLogItem(7)));
    for (let i = 0; i < 30; i++) if (i !== 7) expect(final.get(itemKey(i))?.timestamp).toEqual({ N: expectedEpoch(i) });
    // Only the 29 good items were written (a rejected write of the victim does not change it).
    expect(calls.calls.UpdateItemCommand).toBeLessThanOrEqual(30);
  });
});

describe('GIVEN odd but valid items', () => {
  /** Runs the CLF migration over `items` and returns the table before and after, by key. */
  async function migrate(table: string, items: RawItem[], keyName = 'pk', input: Record<string, unknown> = {}) {
    await putItems(db.admin, table, items);
    const before = new Map((await scanAll(db.admin, table)).map((item) => [canonical({ k: item[keyName] }), item]));
    const client = testClient(db.endpoint);
    const result = await runOurs({ client, table, migration: clfToEpoch, input: { skipBackup: true, totalSegments: 2, ...input } });
    client.destroy();
    const after = new Map((await scanAll(db.admin, table)).map((item) => [canonical({ k: item[keyName] }), item]));
    return { result, before, after };
  }

  /** Every attribute but `timestamp` is byte-identical, and `timestamp` holds the converted time. */
  function expectOnlyTimestampConverted(before: Map<string, RawItem>, after: Map<string, RawItem>) {
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [key, old] of before) {
      const now = after.get(key)!;
      const { timestamp: oldTimestamp, ...oldRest } = old;
      const { timestamp: newTimestamp, ...newRest } = now;
      expect(canonical(newRest)).toBe(canonical(oldRest));
      expect(newTimestamp?.N).toMatch(/^\d+$/);
      expect(oldTimestamp?.S).toBeDefined();
    }
  }

  it('WHEN an item is close to the 400 KB limit THEN its timestamp is converted and its large attribute is untouched', async () => {
    const table = uniqueTableName('large');
    await createTable(db.admin, table);
    const large = { ...accessLogItem(1), blob: { S: 'é'.repeat(195 * 1024) } }; // 2 bytes each in UTF-8: ~390 KB
    const { result, before, after } = await migrate(table, [large, accessLogItem(2)]);

    expect(result.status).toBe('SUCCEEDED');
    expect(result.summary).toMatchObject({ updated: 2, failed: 0 });
    expectOnlyTimestampConverted(before, after);
  });

  it('WHEN items hold 38-digit numbers, binary values, sets and odd list elements THEN all of them stay byte-identical', async () => {
    const table = uniqueTableName('odd');
    await createTable(db.admin, table);
    const odd = (i: number): RawItem => ({
      ...accessLogItem(i),
      big: { N: '12345678901234567890123456789012345678' },
      small: { N: '-0.00000000000000000000000000000000000012345678901234567890123456789012345678' },
      huge: { N: '9.9999999999999999999999999999999999999E+125' },
      bin: { B: new Uint8Array([0, 255, 1, 254, 0, 0, 128]) },
      strings: { SS: ['b', 'a', 'ü'] },
      numbers: { NS: ['1', '1.5', '-99999999999999999999999999999999999999'] },
      binaries: { BS: [new Uint8Array([1]), new Uint8Array([0, 0])] },
      list: { L: [{ NULL: true }, { BOOL: false }, { S: '' }, { M: {} }, { L: [] }, { N: '0.10' }] },
      map: { M: { 'with space': { S: 'x' }, 'dot.ted': { N: '1' }, '#hash': { BOOL: true } } },
    });
    const { result, before, after } = await migrate(table, Array.from({ length: 50 }, (_, i) => odd(i)));

    expect({ status: result.status, error: result.error }).toEqual({ status: 'SUCCEEDED', error: undefined });
    expect(result.summary).toMatchObject({ updated: 50, failed: 0 });
    expectOnlyTimestampConverted(before, after);
  });

  // A bug this suite once found: when the full condition was over 4 KB, the
  // shorter fallback condition was built with the same ExpressionBuilder, so the discarded condition's
  // placeholders stayed in ExpressionAttributeNames/Values and DynamoDB rejected every such item
  // ("Value provided in ExpressionAttributeNames unused in expressions"): wide items, and any item
  // with a deep or large map or list (maps and lists are compared element by element).
  it('WHEN items hold a map nested 30 levels deep THEN they migrate and the map stays byte-identical', async () => {
    const table = uniqueTableName('nested');
    await createTable(db.admin, table);
    let nested: AttributeValue = { S: 'bottom' };
    for (let depth = 0; depth < 30; depth++) nested = { M: { [`level${30 - depth}`]: nested, n: { N: String(depth) } } };
    const { result, before, after } = await migrate(table, Array.from({ length: 10 }, (_, i) => ({ ...accessLogItem(i), nested })));

    expect({ status: result.status, error: result.error }).toEqual({ status: 'SUCCEEDED', error: undefined });
    expectOnlyTimestampConverted(before, after);
  });

  it('WHEN items have 300 attributes (a full condition over 4 KB) THEN they migrate and the other attributes stay byte-identical', async () => {
    const table = uniqueTableName('wide');
    await createTable(db.admin, table);
    const wide = (i: number): RawItem => ({
      ...accessLogItem(i),
      ...Object.fromEntries(Array.from({ length: 300 }, (_, a) => [`attribute${a}`, { S: `value ${a}` }])),
    });
    const { result, before, after } = await migrate(table, Array.from({ length: 10 }, (_, i) => wide(i)));

    expect({ status: result.status, error: result.error }).toEqual({ status: 'SUCCEEDED', error: undefined });
    expectOnlyTimestampConverted(before, after);
  });

  it('WHEN the table has binary partition keys and the scan pages through them THEN every item is migrated and a failure reports its key in base64', async () => {
    const table = uniqueTableName('binkey');
    await createTable(db.admin, table, { name: 'id', type: 'B' });
    const items = Array.from({ length: 60 }, (_, i): RawItem => {
      const { pk: _pk, ...rest } = accessLogItem(i);
      return { id: { B: new Uint8Array([i, 0, 255 - i]) }, ...rest };
    });
    // One item has a timestamp the transform cannot parse: it must be reported with its binary key.
    items[5]!.timestamp = { S: 'not a date' };
    const { result, before, after } = await migrate(table, items, 'id', { pageSize: 7, toleratedFailures: 1 });

    expect(result.status).toBe('SUCCEEDED');
    expect(result.summary).toMatchObject({ scanned: 60, updated: 59, failed: 1 });
    expect(result.summary!.failures).toEqual([
      { key: { id: `base64:${Buffer.from([5, 0, 250]).toString('base64')}` }, reason: expect.stringContaining('not a CLF timestamp') },
    ]);
    const broken = canonical({ k: { B: new Uint8Array([5, 0, 250]) } });
    expect(canonical(after.get(broken))).toBe(canonical(before.get(broken)));
    before.delete(broken);
    after.delete(broken);
    expectOnlyTimestampConverted(before, after);
  });

  it('WHEN the table has a composite numeric key THEN every item is migrated and keys are untouched', async () => {
    const table = uniqueTableName('composite');
    await createTable(db.admin, table, { name: 'tenant', type: 'N' }, { name: 'seq', type: 'N' });
    const items = Array.from({ length: 40 }, (_, i): RawItem => {
      const { pk: _pk, ...rest } = accessLogItem(i);
      return { tenant: { N: String(i % 3) }, seq: { N: `${i}00000000000000000000000000000001` }, ...rest };
    });
    const { result, before, after } = await migrate(table, items, 'seq', { pageSize: 9 });

    expect(result.status).toBe('SUCCEEDED');
    expect(result.summary).toMatchObject({ scanned: 40, updated: 40, failed: 0 });
    expectOnlyTimestampConverted(before, after);
  });
});

describe('GIVEN an item whose full write condition is longer than DynamoDB\'s 4 KB expression limit', () => {
  // The regression above, at its source (handlers/write-plan.ts).
  it('WHEN its UpdateItem is built THEN every expression placeholder it declares is used (DynamoDB rejects unused ones)', () => {
    const scanned: RawItem = { pk: { S: 'a' }, timestamp: { S: '10/Oct/2000:13:55:36 -0700' } };
    for (let a = 0; a < 300; a++) scanned[`attribute${a}`] = { S: `value ${a}` };

    const params = updateParams('table', scanned, ['pk'], { set: { timestamp: { N: '971211336' } }, remove: [] });

    const expressions = `${params.UpdateExpression} ${params.ConditionExpression}`;
    const unused = (placeholders: object | undefined) =>
      Object.keys(placeholders ?? {}).filter((p) => !new RegExp(`${p}(?![0-9])`).test(expressions));
    expect(params.ConditionExpression!.length).toBeLessThanOrEqual(4096);
    expect({ names: unused(params.ExpressionAttributeNames), values: unused(params.ExpressionAttributeValues) }).toEqual({ names: [], values: [] });
  });
});
