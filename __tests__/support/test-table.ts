import type { DynamoDBClient, ScalarAttributeType } from '@aws-sdk/client-dynamodb';
import type { EmbeddedDynamoDB } from '../../local/embedded-dynamodb';
import { dynamoDbClient } from '../../local/embedded-dynamodb';
import { createTable as createNamedTable, startDb, uniqueTableName } from './dynamo';
import { countCalls } from './faults';

export { scanAll } from './dynamo';

/** A dynalite for one test file and a client for it. */
export interface TestDb {
  db: EmbeddedDynamoDB;
  client: DynamoDBClient;
}

export async function startTestDb(): Promise<TestDb> {
  const db = await startDb();
  return { db, client: dynamoDbClient({ endpoint: db.endpoint }) };
}

export async function stopTestDb(t: TestDb): Promise<void> {
  t.client.destroy();
  await t.db.close();
}

/** A fresh table keyed by `[name, type]` pairs (hash, then optional range); returns its name. */
export async function createTable(client: DynamoDBClient, key: [string, ScalarAttributeType][] = [['pk', 'S']]): Promise<string> {
  const table = uniqueTableName('t');
  const [hash, range] = key.map(([name, type]) => ({ name, type }));
  await createNamedTable(client, table, hash, range);
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
