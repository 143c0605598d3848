/**
 * The one database harness of the tests: a dynalite per test file, in a child process, plus the few
 * table chores every test repeats: create a table, load items, read them all back exactly as stored.
 */
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ScanCommand,
  type AttributeValue,
  type ScalarAttributeType,
  type WriteRequest,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { spawn } from 'node:child_process';
import { StandardRetryStrategy } from '@smithy/core/retry';
import { startDynamoDBLocal } from '../../emulators/dynamodb-local';
import type { ConditionStyle } from '../../handlers/write-plan';
import { connectionConfig, localConnection } from '../../local/connection';
import type { EmbeddedDynamoDB } from '../../local/embedded-dynamodb';
import { countCalls } from './faults';

/** An item in DynamoDB's wire format. */
export type RawItem = Record<string, AttributeValue>;

/**
 * Which DynamoDB the tests run against: dynalite, or Amazon's DynamoDB Local when the conformance
 * project sets TEST_DYNAMODB=dynamodb-local (jest.config.js).
 */
export const testBackend = (): 'dynalite' | 'dynamodb-local' => (process.env.TEST_DYNAMODB === 'dynamodb-local' ? 'dynamodb-local' : 'dynalite');

/** The write conditions the test database needs: dynalite cannot compare whole maps and lists. */
export const testConditionStyle = (): ConditionStyle => (testBackend() === 'dynalite' ? 'element-by-element' : 'whole-values');

/** The test file's database: a dynalite of its own, or a DynamoDB Local of its own (startup takes seconds). */
export function startDb(): Promise<EmbeddedDynamoDB> {
  return testBackend() === 'dynamodb-local' ? startDynamoDBLocal() : startDynalite();
}

/**
 * One dynalite per test file, in a child process so that DynamoDB and the workflow under test use
 * both cores; every test uses its own table, so tests do not see each other's items. The child
 * exits when its stdin closes, so it cannot outlive the test process.
 */
export async function startDynalite(): Promise<EmbeddedDynamoDB> {
  const script = `
    const server = require(${JSON.stringify(require.resolve('dynalite'))})({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    server.listen(0, '127.0.0.1', (err) => {
      if (err) { console.error(err); process.exit(1); }
      console.log(JSON.stringify({ port: server.address().port }));
    });
    process.stdin.on('end', () => process.exit(0));
    process.stdin.resume();`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`dynalite exited with code ${code} before listening`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve((JSON.parse(line) as { port: number }).port);
    });
  });
  child.removeAllListeners('exit');
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin!.end();
      }),
  };
}

/** The test file's DynamoDB: its endpoint and an admin client for setting up and checking tables. */
export interface TestDb {
  readonly endpoint: string;
  readonly admin: DynamoDBClient;
}

/** Starts one dynalite for the calling test file (beforeAll) and stops it (afterAll). */
export function useTestDb(): TestDb {
  let db: EmbeddedDynamoDB | undefined;
  let admin: DynamoDBClient | undefined;
  beforeAll(async () => {
    db = await startDb();
    admin = testClient(db.endpoint);
  });
  afterAll(async () => {
    admin?.destroy();
    await db?.close();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useTestDb(): the database is only there inside tests and hooks');
    return value;
  };
  return {
    get endpoint() {
      return started(db).endpoint;
    },
    get admin() {
      return started(admin);
    },
  };
}

/**
 * A client configured exactly like the one the local runner's Lambda uses (local/connection.ts, the
 * same retry behaviour as the deployed Lambda), so fault tests exercise what users get. `maxAttempts` narrows it for tests about faults that outlast the retries: the SDK's
 * standard strategy with that many attempts (its shared retry quota does not matter for a few faults).
 */
export function testClient(endpoint: string, options: { maxAttempts?: number } = {}): DynamoDBClient {
  return new DynamoDBClient({
    ...connectionConfig(localConnection(endpoint)),
    ...(options.maxAttempts !== undefined && { retryStrategy: new StandardRetryStrategy(options.maxAttempts) }),
  });
}

let tableCounter = 0;

/** A table name no other test in this process uses. */
export const uniqueTableName = (prefix: string): string => `${prefix}-${process.pid}-${++tableCounter}`;

/** A key attribute and its type. */
export interface KeyAttribute {
  name: string;
  type: ScalarAttributeType;
}

/** Creates an on-demand table with the given key and waits until it is ACTIVE (dynalite: at once). */
export async function createTable(
  client: DynamoDBClient,
  table: string,
  hash: KeyAttribute = { name: 'pk', type: 'S' },
  range?: KeyAttribute,
): Promise<void> {
  const keys = range ? [hash, range] : [hash];
  await client.send(
    new CreateTableCommand({
      TableName: table,
      KeySchema: keys.map((k, i) => ({ AttributeName: k.name, KeyType: i === 0 ? 'HASH' : 'RANGE' })),
      AttributeDefinitions: keys.map((k) => ({ AttributeName: k.name, AttributeType: k.type })),
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1 }, { TableName: table });
}

/** A fresh on-demand table keyed by `[name, type]` pairs (hash, then optional range); returns its name. */
export async function newTable(client: DynamoDBClient, key: [string, ScalarAttributeType][] = [['pk', 'S']]): Promise<string> {
  const table = uniqueTableName('t');
  const [hash, range] = key.map(([name, type]) => ({ name, type }));
  await createTable(client, table, hash, range);
  return table;
}

/** Counts the item-changing calls made through `client` from now on. */
export function countWrites(client: DynamoDBClient): { readonly count: number } {
  const counter = countCalls(client);
  return {
    get count() {
      return counter.writes();
    },
  };
}

/** Writes items with BatchWriteItem, 25 at a time, a few batches in flight, unprocessed items retried. */
export async function putItems(client: DynamoDBClient, table: string, items: RawItem[]): Promise<void> {
  const batches: WriteRequest[][] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })));
  const writeBatch = async (batch: WriteRequest[]) => {
    let pending = batch;
    for (let attempt = 0; pending.length > 0 && attempt < 10; attempt++) {
      const result = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending } }));
      pending = result.UnprocessedItems?.[table] ?? [];
    }
    if (pending.length > 0) throw new Error(`seeding ${table}: ${pending.length} writes stayed unprocessed`);
  };
  for (let i = 0; i < batches.length; i += 8) await Promise.all(batches.slice(i, i + 8).map(writeBatch));
}

/** Every item of the table as stored (consistent reads). */
export async function scanAll(client: DynamoDBClient, table: string): Promise<RawItem[]> {
  const items: RawItem[] = [];
  let cursor: RawItem | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: cursor, ConsistentRead: true }));
    items.push(...(page.Items ?? []));
    cursor = page.LastEvaluatedKey;
  } while (cursor);
  return items;
}

/** Every item of the table by the string value of its hash key `pk`. */
export async function itemsByKey(client: DynamoDBClient, table: string, keyName = 'pk'): Promise<Map<string, RawItem>> {
  return new Map((await scanAll(client, table)).map((item) => [item[keyName]!.S ?? item[keyName]!.N!, item]));
}

/** One item by key, or undefined. */
export async function getItem(client: DynamoDBClient, table: string, key: RawItem): Promise<RawItem | undefined> {
  return (await client.send(new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item;
}

/**
 * A canonical, byte-exact rendering of an item (or anything holding attribute values) for "untouched"
 * comparisons: attribute order does not matter, every value (binary as base64, numbers as their exact
 * text) does.
 */
export function canonical(item: unknown): string {
  const render = (value: unknown): unknown => {
    if (value instanceof Uint8Array) return `b64:${Buffer.from(value).toString('base64')}`;
    if (Array.isArray(value)) return value.map(render);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.keys(value)
          .sort()
          .map((k) => [k, render((value as Record<string, unknown>)[k])]),
      );
    }
    return value;
  };
  return JSON.stringify(render(item));
}
