import { GetItemCommand, PutItemCommand, UpdateItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { NumberValue } from '@aws-sdk/lib-dynamodb';
import { createHandler } from '../../handlers/create-handler';
import { defineMigration, type Item } from '../../migrations/define';
import { builtInTuning } from '../../workflow/input';
import { migrateWith } from '../support/run-ours';
import { countWrites, newTable, scanAll, useTestDb } from '../support/dynamo';

const db = useTestDb();

const put = (table: string, Item: Record<string, AttributeValue>) => db.admin.send(new PutItemCommand({ TableName: table, Item }));
const get = async (table: string, Key: Record<string, AttributeValue>) =>
  (await db.admin.send(new GetItemCommand({ TableName: table, Key, ConsistentRead: true }))).Item;

const everyType: Record<string, AttributeValue> = {
  s: { S: 'text ✓' },
  n38: { N: '12345678901234567890123456789012345678' },
  nFraction: { N: '-0.000000000000000000000000000000000001' },
  b: { B: new Uint8Array([0, 1, 2, 255]) },
  ss: { SS: ['a', 'b'] },
  ns: { NS: ['1', '99999999999999999999999999999999999999'] },
  bs: { BS: [new Uint8Array([1]), new Uint8Array([2, 3])] },
  m: { M: { nested: { L: [{ S: 'x' }, { N: '1.5' }, { NULL: true }] } } },
  l: { L: [{ BOOL: false }, { M: {} }] },
  nul: { NULL: true },
  bool: { BOOL: true },
};

describe('item types and exactness', () => {
  it('round-trips every attribute type exactly when the transform adds an attribute', async () => {
    // GIVEN an item holding every DynamoDB type, including a 38-digit number
    const table = await newTable(db.admin);
    await put(table, { pk: { S: 'all' }, ...everyType });
    let seen: Item | undefined;
    // WHEN a migration adds one attribute and passes everything else through
    const summary = await migrateWith(db.admin, table, (item) => {
      seen = item;
      return { ...item, added: 'yes' };
    });
    // THEN only the new attribute was written and every other value is byte-identical
    expect(summary.failures).toStrictEqual([]);
    expect(summary).toMatchObject({ scanned: 1, updated: 1, failed: 0 });
    expect(await get(table, { pk: { S: 'all' } })).toStrictEqual({ pk: { S: 'all' }, ...everyType, added: { S: 'yes' } });
    expect(seen!.n38).toBeInstanceOf(NumberValue);
    expect(seen!.bool).toBe(true);
    expect(seen!.ss).toStrictEqual(new Set(['a', 'b']));
  });

  it('writes a changed 38-digit number exactly', async () => {
    const table = await newTable(db.admin);
    await put(table, { pk: { S: 'n' }, big: { N: '1' } });
    await migrateWith(db.admin, table, (item) => ({ ...item, big: NumberValue.from('99999999999999999999999999999999999999') }));
    expect((await get(table, { pk: { S: 'n' } }))!.big).toStrictEqual({ N: '99999999999999999999999999999999999999' });
  });

  it('leaves untouched attributes to a concurrent writer: only changed attributes are written', async () => {
    // GIVEN an item, and a writer that changes `other` right after our scan (inside the transform)
    const table = await newTable(db.admin);
    await put(table, { pk: { S: 'c' }, ts: { S: 'old' }, other: { N: '1' } });
    let calls = 0;
    const summary = await migrateWith(db.admin, table, async (item) => {
      calls += 1;
      if (calls === 1) {
        await db.admin.send(
          new UpdateItemCommand({ TableName: table, Key: { pk: { S: 'c' } }, UpdateExpression: 'SET #o = :v', ExpressionAttributeNames: { '#o': 'other' }, ExpressionAttributeValues: { ':v': { N: '2' } } }),
        );
      }
      return { ...item, ts: 'new' };
    });
    // THEN the write conflicted, was redone on the fresh item, and the item has both changes
    expect(summary).toMatchObject({ updated: 1, conflicts: 1, failed: 0 });
    expect(calls).toBe(2);
    expect(await get(table, { pk: { S: 'c' } })).toStrictEqual({ pk: { S: 'c' }, ts: { S: 'new' }, other: { N: '2' } });
  });

  it('handles attribute names that are reserved words or contain . # : and spaces', async () => {
    const table = await newTable(db.admin);
    const odd = { 'status': { S: 'a' }, 'a.b': { S: 'b' }, '#hash': { S: 'c' }, ':colon': { S: 'd' }, 'with space': { S: 'e' } };
    await put(table, { pk: { S: 'odd' }, ...odd });
    const summary = await migrateWith(db.admin, table, (item) =>
      Object.fromEntries(Object.entries(item).map(([k, v]) => [k, k === 'pk' ? v : `${String(v)}!`])),
    );
    expect(summary).toMatchObject({ updated: 1, failed: 0 });
    expect(await get(table, { pk: { S: 'odd' } })).toStrictEqual({
      pk: { S: 'odd' },
      ...Object.fromEntries(Object.entries(odd).map(([k, v]) => [k, { S: `${v.S}!` }])),
    });
  });

  it.each([
    ['composite string keys', [['pk', 'S'], ['sk', 'S']] as const, { pk: { S: 'p' }, sk: { S: 's' } }],
    ['numeric hash and range keys', [['id', 'N'], ['version', 'N']] as const, { id: { N: '12345678901234567890' }, version: { N: '2' } }],
    ['a binary key', [['bin', 'B']] as const, { bin: { B: new Uint8Array([9, 8, 7]) } }],
  ])('migrates items with %s', async (_name, schema, key) => {
    const table = await newTable(db.admin, schema.map(([n, ty]) => [n, ty]));
    await put(table, { ...key, v: { N: '1' } });
    const summary = await migrateWith(db.admin, table, (item) => ({ ...item, v: 2 }));
    expect(summary).toMatchObject({ scanned: 1, updated: 1, failed: 0 });
    expect(await get(table, key)).toStrictEqual({ ...key, v: { N: '2' } });
  });
});

describe('outcomes', () => {
  it('does not write items the transform leaves unchanged', async () => {
    const table = await newTable(db.admin);
    for (let i = 0; i < 10; i++) await put(table, { pk: { S: `u${i}` }, v: { N: '1.50' } });
    const writes = countWrites(db.admin);
    // Returning undefined, the same object, or an equal copy (1.5 == 1.50) all mean "unchanged".
    const summary = await migrateWith(db.admin, table, (item) => (item.pk === 'u0' ? undefined : item.pk === 'u1' ? item : { ...item, v: 1.5 }));
    expect(summary).toMatchObject({ scanned: 10, unchanged: 10, updated: 0 });
    expect(writes.count).toBe(0);
  });

  it('deletes items for which the transform returns null, and only those', async () => {
    const table = await newTable(db.admin);
    for (let i = 0; i < 6; i++) await put(table, { pk: { S: `d${i}` }, keep: { BOOL: i % 2 === 0 } });
    const summary = await migrateWith(db.admin, table, (item) => (item.keep ? undefined : null));
    expect(summary).toMatchObject({ deleted: 3, unchanged: 3 });
    expect((await scanAll(db.admin, table)).map((i) => i.pk!.S).sort()).toStrictEqual(['d0', 'd2', 'd4']);
  });

  it.each([
    ['changes a key attribute', (item: Item) => ({ ...item, pk: 'other' }), "transform changed key attribute 'pk'"],
    ['removes a key attribute', ({ pk: _pk, ...rest }: Item) => rest, "transform removed key attribute 'pk'"],
    ['returns a non-object', () => 'oops' as unknown as Item, 'transform returned a string'],
    ['returns an array', () => [] as unknown as Item, 'transform returned an array'],
    ['throws', () => { throw new RangeError('bad date'); }, 'transform threw RangeError: bad date'],
    ['returns an empty set', (item: Item) => ({ ...item, tags: new Set<string>() }), 'transform returned a value DynamoDB cannot store'],
  ])('records a per-item failure with key and reason when the transform %s', async (_name, transform, reason) => {
    const table = await newTable(db.admin);
    await put(table, { pk: { S: 'bad' }, v: { S: 'x' } });
    await put(table, { pk: { S: 'good' }, v: { S: 'x' } });
    const summary = await migrateWith(db.admin, table, (item) => (item.pk === 'bad' ? transform(item) : { ...item, v: 'y' }), { toleratedFailures: 5 });
    expect(summary).toMatchObject({ status: 'SUCCEEDED', failed: 1, updated: 1 });
    expect(summary.failures).toHaveLength(1);
    expect(summary.failures[0]!.key).toStrictEqual({ pk: 'bad' });
    expect(summary.failures[0]!.reason).toContain(reason);
    expect(await get(table, { pk: { S: 'bad' } })).toStrictEqual({ pk: { S: 'bad' }, v: { S: 'x' } });
  });

  it('fails the run when failures exceed toleratedFailures', async () => {
    const table = await newTable(db.admin);
    await put(table, { pk: { S: 'a' } });
    const summary = await migrateWith(db.admin, table, () => { throw new Error('no'); });
    expect(summary).toMatchObject({ status: 'FAILED', failed: 1 });
  });

  it('writes nothing in a dry run and reports sample changes', async () => {
    const table = await newTable(db.admin);
    for (let i = 0; i < 5; i++) await put(table, { pk: { S: `r${i}` }, old: { S: 'x' } });
    const writes = countWrites(db.admin);
    const summary = await migrateWith(db.admin, table, (item) => (item.pk === 'r0' ? null : { pk: item.pk!, new: 'y' }), { dryRun: true });
    expect(writes.count).toBe(0);
    expect(summary).toMatchObject({ dryRun: true, updated: 4, deleted: 1 });
    expect(summary.changes).toContainEqual({ key: { pk: 'r1' }, action: 'update', set: { new: 'y' }, remove: ['old'] });
    expect(summary.changes).toContainEqual({ key: { pk: 'r0' }, action: 'delete' });
    expect(await scanAll(db.admin, table)).toHaveLength(5);
  });

  it('keeps dry-run samples small and reports writes the real run could not make', async () => {
    const table = await newTable(db.admin);
    await put(table, { pk: { S: 'big' }, v: { S: 'x' } });
    const wideItem: Record<string, AttributeValue> = { pk: { S: 'wide' } };
    for (let i = 0; i < 200; i++) wideItem[`a${i}`] = { S: 'x' };
    await put(table, wideItem);
    const summary = await migrateWith(
      db.admin,
      table,
      (item) => (item.pk === 'big' ? { ...item, v: 'y'.repeat(10_000), n: NumberValue.from('12345678901234567890') } : Object.fromEntries(Object.entries(item).map(([k, v]) => [k, k === 'pk' ? v : 'changed']))),
      { dryRun: true, toleratedFailures: 1 },
    );
    expect(summary).toMatchObject({ updated: 1, failed: 1 });
    expect(summary.changes[0]!.set!.v).toMatch(/^"y{199}… \(10002 characters\)$/);
    expect(summary.changes[0]!.set!.n).toBe('12345678901234567890');
    expect(summary.failures[0]).toMatchObject({ key: { pk: 'wide' }, reason: expect.stringContaining("over DynamoDB's expression limits") });
  });

  it('makes a second run a no-op with a version marker, even for a non-idempotent transform', async () => {
    const table = await newTable(db.admin);
    for (let i = 0; i < 20; i++) await put(table, { pk: { S: `v${i}` }, n: { N: '0' } });
    const increment = (item: Item) => ({ ...item, n: (item.n as number) + 1 });
    const firstWrites = countWrites(db.admin);
    const first = await migrateWith(db.admin, table, increment, { versionAttribute: 'migratedBy' });
    expect(firstWrites.count).toBe(20);
    const writes = countWrites(db.admin);
    const second = await migrateWith(db.admin, table, increment, { versionAttribute: 'migratedBy' });
    expect(first).toMatchObject({ updated: 20, skipped: 0 });
    expect(second).toMatchObject({ updated: 0, skipped: 20 });
    expect(writes.count).toBe(0);
    for (const item of await scanAll(db.admin, table)) expect(item).toMatchObject({ n: { N: '1' }, migratedBy: { S: 'test-migration' } });
  });
});

describe('Prepare', () => {
  const prepare = (table: string, input: unknown) =>
    createHandler({ client: db.admin, table, migration: defineMigration({ id: 'm', transform: () => undefined }), defaults: builtInTuning })(
      { step: 'prepare', input, executionName: 'exec:1' },
      { getRemainingTimeInMillis: () => 1000 },
    );

  it('returns the defaulted plan with the key schema and one entry per segment', async () => {
    const table = await newTable(db.admin, [['pk', 'S'], ['sk', 'N']]);
    await expect(prepare(table, { totalSegments: 3, dryRun: true })).resolves.toStrictEqual({
      plan: {
        table,
        migrationId: 'm',
        ...builtInTuning,
        totalSegments: 3,
        dryRun: true,
        skipBackup: true, // a dry run writes nothing, so it takes no backup either
        keyAttributes: ['pk', 'sk'],
        itemEstimate: 0,
        backupName: `${table}-m-exec-1`,
      },
      segments: [0, 1, 2],
    });
  });

  it.each([
    [{ totalSegments: 0 }, "'totalSegments' must be at least 1, got 0"],
    [{ totalSegments: 1001 }, "'totalSegments' must be at most 1000, got 1001"],
    [{ pageSize: 2.5 }, "'pageSize' must be a whole number, got 2.5"],
    [{ dryRun: 'yes' }, '\'dryRun\' must be true or false, got "yes"'],
    [{ maxConcurrency: '8' }, '\'maxConcurrency\' must be a number, got "8"'],
    [{ segments: 4 }, "unknown field 'segments'"],
    [{ versionAttribute: '' }, "'versionAttribute' must not be empty"],
    [[1, 2], 'The execution input must be a JSON object, got [1,2]'],
    [{ versionAttribute: 'pk' }, "'versionAttribute' is the key attribute 'pk'"],
  ])('rejects input %j naming the field, the value and the range', async (input, message) => {
    const table = await newTable(db.admin);
    await expect(prepare(table, input)).rejects.toMatchObject({ name: 'InvalidInputError', message: expect.stringContaining(message) });
  });

  it('refuses a maxConcurrency above the reserved concurrency of the function, naming both and what to change', async () => {
    const table = await newTable(db.admin);
    const reserved = createHandler({ client: db.admin, table, migration: defineMigration({ id: 'm', transform: () => undefined }), defaults: builtInTuning, reservedConcurrency: 4 });
    const context = { getRemainingTimeInMillis: () => 1000 };
    await expect(reserved({ step: 'prepare', input: { maxConcurrency: 8 }, executionName: 'e' }, context)).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: expect.stringContaining("'maxConcurrency' 8 is more than the 4 concurrent executions reserved for the migration Lambda; lower maxConcurrency to at most 4, or raise the Terraform variable lambda_reserved_concurrency"),
    });
    await expect(reserved({ step: 'prepare', input: { maxConcurrency: 4 }, executionName: 'e' }, context)).resolves.toMatchObject({ plan: { maxConcurrency: 4 } });
    // Fewer segments than the limit need no more than the segments.
    await expect(reserved({ step: 'prepare', input: { maxConcurrency: 8, totalSegments: 3 }, executionName: 'e' }, context)).resolves.toMatchObject({ plan: { totalSegments: 3 } });
  });

  it('names a missing table', async () => {
    await expect(prepare('no-such-table', {})).rejects.toMatchObject({ name: 'TableNotFoundError', message: expect.stringContaining("Table 'no-such-table' was not found") });
  });
});
