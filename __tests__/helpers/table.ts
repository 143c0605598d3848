import {
  CreateTableCommand,
  ScanCommand,
  waitUntilTableExists,
  type AttributeValue,
  type DynamoDBClient,
  type KeySchemaElement,
  type ScalarAttributeType,
} from '@aws-sdk/client-dynamodb';
import { dynamoDbClient, startEmbeddedDynamoDB, type EmbeddedDynamoDB } from '../../local/embedded-dynamodb';

/** A dynalite per test file, with a client and a table factory. */
export interface TestDb {
  db: EmbeddedDynamoDB;
  client: DynamoDBClient;
}

export async function startTestDb(): Promise<TestDb> {
  const db = await startEmbeddedDynamoDB();
  return { db, client: dynamoDbClient({ endpoint: db.endpoint }) };
}

export async function stopTestDb(t: TestDb): Promise<void> {
  t.client.destroy();
  await t.db.close();
}

let tableCounter = 0;

/** Creates a fresh table with the given key ([name, type] for the hash key, then the optional range key). */
export async function createTable(
  client: DynamoDBClient,
  key: [string, ScalarAttributeType][] = [['pk', 'S']],
): Promise<string> {
  const name = `t${Date.now().toString(36)}${tableCounter++}`;
  const KeySchema: KeySchemaElement[] = key.map(([AttributeName], i) => ({ AttributeName, KeyType: i === 0 ? 'HASH' : 'RANGE' }));
  await client.send(
    new CreateTableCommand({
      TableName: name,
      KeySchema,
      AttributeDefinitions: key.map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType })),
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1 }, { TableName: name });
  return name;
}

/** Every item of a table, consistently read. */
export async function scanAll(client: DynamoDBClient, table: string): Promise<Record<string, AttributeValue>[]> {
  const items: Record<string, AttributeValue>[] = [];
  let cursor: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: cursor, ConsistentRead: true }));
    items.push(...(page.Items ?? []));
    cursor = page.LastEvaluatedKey;
  } while (cursor);
  return items;
}

/** Counts the write calls a client makes (UpdateItem, DeleteItem, PutItem, BatchWriteItem). */
export function countWrites(client: DynamoDBClient): { readonly count: number } {
  const counter = { count: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (/^(UpdateItem|DeleteItem|PutItem|BatchWriteItem)Command$/.test(String(context.commandName))) counter.count += 1;
      return next(args);
    },
    { step: 'initialize', name: `countWrites${Math.random()}` },
  );
  return counter;
}
