/**
 * Any DynamoDB: runs against dynalite (the safety project) and against Amazon's DynamoDB Local (the
 * dynamodb-local project, when Java 17+ is here). Write conditions compare maps and lists whole
 * where the endpoint can (DynamoDB Local, like AWS) and element by element where it cannot
 * (dynalite); both catch a concurrent change deep inside a map. The CLI uses the SDK's credential
 * and region chain, so it sees the tables DynamoDB Local keeps for the user's own access key and region.
 */
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand, type AttributeValue, type UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import { updateParams } from '../../handlers/write-plan';
import { connectionConfig } from '../../local/connection';
import { conditionStyleOf } from '../../local/condition-style';
import { defineMigration } from '../../migrations/define';
import type { Summary } from '../../workflow/contract';
import { CliWorkdir } from '../support/cli';
import { newTable, testBackend, testClient, useTestDb } from '../support/dynamo';
import { inProcessLambda, runOurs } from '../support/run-ours';
import { resultSummary } from '../../local/run-summary';

const db = useTestDb();
const dynamoDbLocal = testBackend() === 'dynamodb-local';

/** A map 3 levels deep with 60 entries: element by element its condition passes DynamoDB's 300-operator limit. */
const wideNested = (): AttributeValue => ({
  M: Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`k${i}`, { M: { inner: { L: [{ S: `v${i}` }, { N: String(i) }] } } }])),
});

describe('GIVEN the endpoint under test', () => {
  it(`WHEN its condition style is probed THEN it is ${dynamoDbLocal ? "whole values (like AWS)" : 'element by element (dynalite)'}, and writes nothing`, async () => {
    const table = await newTable(db.admin, [['pk', 'S'], ['sk', 'N']]);
    expect(await conditionStyleOf(db.admin, table, db.endpoint)).toBe(dynamoDbLocal ? 'whole-values' : 'element-by-element');
    expect(await conditionStyleOf(db.admin, table, 'https://dynamodb.eu-west-1.amazonaws.com')).toBe('whole-values');
  });

  it('WHEN a whole map is compared with = THEN only an endpoint that supports it finds the unchanged item equal', async () => {
    const table = await newTable(db.admin);
    const item = { pk: { S: 'a' }, doc: wideNested() };
    await db.admin.send(new PutItemCommand({ TableName: table, Item: item }));
    const write: UpdateItemCommandInput = updateParams(table, item, ['pk'], { set: { added: { S: 'x' } }, remove: [] }, undefined, 'whole-values');
    const sent = db.admin.send(new UpdateItemCommand(write));
    if (dynamoDbLocal) await expect(sent).resolves.toBeDefined();
    else await expect(sent).rejects.toThrow('The conditional request failed');
  });
});

describe('GIVEN a wide nested item and a writer that changes one element deep inside it between our scan and our write', () => {
  it(`THEN ${dynamoDbLocal ? 'the full condition (whole values) notices it: the write is redone from a fresh read' : 'element by element the condition would be too long, so only the written attribute is conditioned'}, and both changes are kept`, async () => {
    const table = await newTable(db.admin);
    await db.admin.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'a' }, doc: wideNested(), n: { N: '1' } } }));
    const client = testClient(db.endpoint);
    const conditions: string[] = [];
    let interfered = false;
    client.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { ConditionExpression?: string; UpdateExpression?: string };
        if (input.UpdateExpression?.startsWith('SET') && input.ConditionExpression) {
          conditions.push(input.ConditionExpression);
          if (!interfered) {
            interfered = true;
            await db.admin.send(
              new UpdateItemCommand({ TableName: table, Key: { pk: { S: 'a' } }, UpdateExpression: 'SET #d.#k.#i[1] = :v', ExpressionAttributeNames: { '#d': 'doc', '#k': 'k42', '#i': 'inner' }, ExpressionAttributeValues: { ':v': { N: '4242' } } }),
            );
          }
        }
        return next(args);
      },
      { step: 'initialize', name: 'interfere' },
    );
    const migration = defineMigration({ id: 'bump', transform: (item) => ({ ...item, n: Number(item.n) + 1 }) });
    const result = await runOurs({ client, table, migration, lambda: inProcessLambda(client, table, migration), input: { skipBackup: true, totalSegments: 1 } });
    client.destroy();

    expect(resultSummary(result, table)).toMatchObject({ status: 'SUCCEEDED', updated: 1, conflicts: dynamoDbLocal ? 1 : 0, failed: 0 });
    const final = (await db.admin.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'a' } }, ConsistentRead: true }))).Item!;
    expect(final.n).toStrictEqual({ N: '2' });
    expect(final.doc!.M!.k42!.M!.inner!.L![1]).toStrictEqual({ N: '4242' });
    // Whole values condition `doc` itself; element by element it is too long, and only `n` is conditioned.
    expect(conditions[0]).toMatch(dynamoDbLocal ? /^attribute_exists\(#n0\) AND #n\d+ = :v\d+ AND #n\d+ = :v\d+$/ : /^attribute_exists\(#n0\) AND #n\d+ = :v\d+$/);
  });
});

describe('GIVEN a table created with the user\'s own access key and region', () => {
  const cli = new CliWorkdir();
  const migration = cli.file('touch.ts', `import { defineMigration } from 'ddb-item-migrate';\nexport default defineMigration({ id: 'touch', transform: (item) => ({ ...item, touched: true }) });\n`);
  const user = { AWS_ACCESS_KEY_ID: 'alice', AWS_SECRET_ACCESS_KEY: 'secret', AWS_REGION: 'eu-west-1' };

  it('WHEN the CLI runs with those credentials THEN it finds and migrates the table; without any it says which stand-ins it used', async () => {
    const table = `alice-table-${process.pid}`;
    const alice = new DynamoDBClient(connectionConfig({ endpoint: db.endpoint, region: user.AWS_REGION, credentials: { accessKeyId: user.AWS_ACCESS_KEY_ID, secretAccessKey: user.AWS_SECRET_ACCESS_KEY } }));
    await alice.send(new CreateTableCommand({ TableName: table, KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }));
    await alice.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'one' } } }));

    const [theirs, none] = await Promise.all([
      cli.run(['run', '--endpoint', db.endpoint, '--table', table, '--migration', migration, '--skip-backup', '--json'], user),
      cli.run(['run', '--endpoint', db.endpoint, '--table', table, '--migration', migration, '--skip-backup', '--dry-run']),
    ]);
    expect(theirs.stderr).toBe('');
    expect(theirs.code).toBe(0);
    expect(JSON.parse(theirs.stdout) as Summary).toMatchObject({ status: 'SUCCEEDED', updated: 1 });
    expect((await alice.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'one' } } }))).Item?.touched).toStrictEqual({ BOOL: true });
    alice.destroy();

    expect(none.stderr).toContain("note: no AWS credentials found: using access key id 'local'");
    expect(none.stderr).toContain('note: no AWS region configured: using us-east-1');
    if (dynamoDbLocal) {
      // DynamoDB Local keeps tables per access key id and region: with the stand-ins this table is not there, and the message says why.
      expect(none.code).toBe(2);
      expect(none.stderr).toMatch(/does not exist at .* DynamoDB Local keeps tables per access key id and region: this run used region us-east-1 and access key id 'local'/);
    } else {
      expect(none.code).toBe(0); // dynalite has one namespace for everyone
    }
  });
});
