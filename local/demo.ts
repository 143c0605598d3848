import {
  BatchWriteItemCommand,
  CreateTableCommand,
  ScanCommand,
  waitUntilTableExists,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { clfToEpochSeconds } from '../migrations/examples/clf-to-epoch';

/** The demo table: web-server log lines keyed like the AWS sample's data, with CLF timestamps. */
export const DEMO_TABLE = 'demo-access-log';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const PATHS = ['/index.html', '/api/orders', '/img/logo.png', '/login', '/api/cart'];

/** A deterministic CLF timestamp for demo item `i`, e.g. `10/Oct/2000:13:55:36 -0700`. */
export function demoTimestamp(i: number): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const offset = ['-0700', '+0000', '+0530', '-0300'][i % 4]!;
  return `${pad((i % 28) + 1)}/${MONTHS[i % 12]}/${2000 + (i % 24)}:${pad(i % 24)}:${pad(i % 60)}:${pad((i * 7) % 60)} ${offset}`;
}

/** Demo item `i` in wire format. */
export function demoItem(i: number): Record<string, AttributeValue> {
  return {
    requestId: { S: `req-${String(i).padStart(7, '0')}` },
    timestamp: { S: demoTimestamp(i) },
    host: { S: `10.0.${i % 256}.${(i * 13) % 256}` },
    request: { S: `GET ${PATHS[i % PATHS.length]} HTTP/1.1` },
    status: { N: String([200, 200, 304, 404, 500][i % 5]) },
    bytes: { N: String(100 + ((i * 37) % 5000)) },
  };
}

/** Creates the demo table and writes `count` demo items into it. */
export async function seedDemoTable(client: DynamoDBClient, count: number, table = DEMO_TABLE): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: table,
      KeySchema: [{ AttributeName: 'requestId', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'requestId', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1 }, { TableName: table });
  const writes: Promise<unknown>[] = [];
  for (let i = 0; i < count; i += 25) {
    const batch = Array.from({ length: Math.min(25, count - i) }, (_, j) => ({ PutRequest: { Item: demoItem(i + j) } }));
    writes.push(client.send(new BatchWriteItemCommand({ RequestItems: { [table]: batch } })));
    if (writes.length >= 8) await Promise.all(writes.splice(0));
  }
  await Promise.all(writes);
}

/** What the verification found: how many items are right, and the first few that are not. */
export interface DemoVerification {
  checked: number;
  correct: number;
  problems: string[];
  example?: { before: Record<string, unknown>; after: Record<string, unknown> };
}

/** Checks every item: timestamp is the Unix time of its seeded CLF string, everything else untouched. */
export async function verifyDemoTable(client: DynamoDBClient, count: number, table = DEMO_TABLE): Promise<DemoVerification> {
  const result: DemoVerification = { checked: 0, correct: 0, problems: [] };
  let cursor: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: cursor, ConsistentRead: true }));
    for (const item of page.Items ?? []) {
      result.checked += 1;
      const i = Number(item.requestId!.S!.slice(4));
      const seeded = demoItem(i);
      const expected = clfToEpochSeconds(seeded.timestamp!.S!);
      const untouched = ['host', 'request', 'status', 'bytes'].every((k) => JSON.stringify(item[k]) === JSON.stringify(seeded[k]));
      if (item.timestamp?.N === String(expected) && untouched && Object.keys(item).length === 6) result.correct += 1;
      else if (result.problems.length < 5) result.problems.push(`${item.requestId!.S}: ${JSON.stringify(item)}`);
      if (!result.example) {
        result.example = {
          before: { requestId: seeded.requestId!.S, timestamp: seeded.timestamp!.S },
          after: { requestId: item.requestId!.S, timestamp: Number(item.timestamp?.N) },
        };
      }
    }
    cursor = page.LastEvaluatedKey;
  } while (cursor);
  if (result.checked !== count && result.problems.length < 5) result.problems.push(`expected ${count} items, found ${result.checked}`);
  return result;
}
