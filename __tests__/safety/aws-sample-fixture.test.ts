/**
 * The AWS sample rebuilt as a fixture (fixtures/aws-sample-workflow.ts) is what the safety tests and
 * the benchmark compare against, so its shape and behaviour are pinned down here.
 */
import validateAsl from 'asl-validator';
import { SAMPLE_PAGE_SIZE, SampleStateName, runSampleWorkflowLocally, sampleWorkflowDefinition } from '../../fixtures/aws-sample-workflow';
import { defineMigration } from '../../migrations/define';
import clfToEpoch from '../../migrations/examples/clf-to-epoch';
import { expectedEpoch, itemKey, seededAccessLogTable } from '../support/access-log';
import { itemsByKey, testClient, useTestDb } from '../support/dynamo';
import { countCalls } from '../support/faults';

const HISTORY_CAP = 25_000;

const db = useTestDb();

const seededTable = (count: number) => seededAccessLogTable(db.admin, count, 'sample');

describe('GIVEN the AWS sample rebuilt with our ASL helpers', () => {
  it('WHEN its definition is rendered THEN it is valid ASL with the sample\'s shape: backup, scan of 50, inline Map of Lambda + putItem, pagination Choice', () => {
    const definition = sampleWorkflowDefinition('access-log');

    expect(validateAsl(definition)).toMatchObject({ isValid: true, errors: [] });
    expect(definition.StartAt).toBe(SampleStateName.createBackup);
    const map = definition.States[SampleStateName.migrateItems]!;
    if (map.Type !== 'Map') throw new Error('MigrateItems must be a Map');
    expect(map.ItemsPath).toBe('$.Items');
    expect(map.ItemProcessor.ProcessorConfig).toEqual({ Mode: 'INLINE' });
    expect(Object.keys(map.ItemProcessor.States)).toEqual([SampleStateName.transformItem, SampleStateName.putItem]);
    expect(map.ItemProcessor.States[SampleStateName.putItem]).toMatchObject({
      Resource: 'arn:aws:states:::aws-sdk:dynamodb:putItem',
      Parameters: { TableName: 'access-log', 'Item.$': '$' },
    });
    for (const scan of [SampleStateName.scan, SampleStateName.scanNextPage]) {
      expect(definition.States[scan]).toMatchObject({ Resource: 'arn:aws:states:::aws-sdk:dynamodb:scan', Parameters: { Limit: SAMPLE_PAGE_SIZE } });
    }
    expect(definition.States[SampleStateName.morePages]).toMatchObject({
      Choices: [{ Variable: '$.LastEvaluatedKey', IsPresent: true, Next: SampleStateName.scanNextPage }],
      Default: SampleStateName.done,
    });
  });

  it('WHEN it migrates 300 items THEN it converts them all with one Lambda call and one whole-item put per item, about 12 history events each', async () => {
    const table = await seededTable(300);
    const client = testClient(db.endpoint);
    const calls = countCalls(client);

    const result = await runSampleWorkflowLocally({ client, table, migration: clfToEpoch });
    client.destroy();

    expect(result.status).toBe('SUCCEEDED');
    expect(result.counts).toMatchObject({ lambdaInvocations: 300, mapIterations: 300 });
    expect(calls.calls.PutItemCommand).toBe(300);
    expect(calls.calls.ScanCommand).toBe(Math.ceil(300 / SAMPLE_PAGE_SIZE) + 1);
    const final = await itemsByKey(db.admin, table);
    for (let i = 0; i < 300; i++) expect(final.get(itemKey(i))?.timestamp).toEqual({ N: expectedEpoch(i) });
    const perItem = result.counts.historyEvents / 300;
    expect(perItem).toBeGreaterThan(11.5);
    expect(perItem).toBeLessThan(13);
    console.log(`AWS sample: ${perItem.toFixed(1)} history events per item; the ${HISTORY_CAP} cap is reached at about ${Math.floor(HISTORY_CAP / perItem)} items`);
  });

  it('WHEN the transform leaves items unchanged THEN the sample still writes every item', async () => {
    const table = await seededTable(120);
    const client = testClient(db.endpoint);
    const calls = countCalls(client);

    const result = await runSampleWorkflowLocally({ client, table, migration: defineMigration({ id: 'no-op', transform: () => undefined }) });
    client.destroy();

    expect(result.status).toBe('SUCCEEDED');
    expect(calls.calls.PutItemCommand).toBe(120);
  });

  it('WHEN one item cannot be transformed THEN the whole sample run fails and leaves the table half-migrated', async () => {
    const table = await seededTable(120);
    const client = testClient(db.endpoint);
    const failOnOne = defineMigration({
      id: 'one-bad',
      transform: (item) => {
        if (item.pk === itemKey(60)) throw new Error('unparseable');
        return clfToEpoch.transform(item);
      },
    });

    const result = await runSampleWorkflowLocally({ client, table, migration: failOnOne });
    client.destroy();

    // Its Lambda returns nothing for the bad item; the put of "nothing" fails (locally already the
    // path '$' on the empty result, on AWS the putItem's validation) and with it the whole execution.
    expect(result.status).toBe('FAILED');
    expect(result.error).toMatch(/^(States\.Runtime|ValidationException)$/);
    const converted = [...(await itemsByKey(db.admin, table)).values()].filter((item) => item.timestamp?.N !== undefined).length;
    expect(converted).toBeGreaterThan(0);
    expect(converted).toBeLessThan(120);
  });
});
