/**
 * What a deployed run shows in CloudWatch, read from a real run: the Lambda bundle the stack deploys
 * (Powertools bundled by esbuild) runs the workflow on the local runner against dynalite, with its
 * logs and metrics switched on as in Lambda, and every JSON line it prints is checked.
 */
import { localConnection } from '../../local/connection';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { bundleLambda, defaultMigrationFile, type LambdaBundle } from '../../bundle/lambda-bundle';
import { WITHHELD } from '../../handlers/failure-reason';
import { loadLambda, type LoadedLambda } from '../../local/lambda-loader';
import { resultSummary } from '../../local/run-summary';
import { defineMigration } from '../../migrations/define';
import type { Summary } from '../../workflow/contract';
import { builtInTuning } from '../../workflow/input';
import { DIMENSION_SET, LOG_BASE_KEYS, LOG_KEYS, LOG_MESSAGES, METRIC_NAMES, METRIC_NAMESPACE, SERVICE_NAME, failuresQuery } from '../../workflow/telemetry';
import { TOTALS_FIELDS } from '../../workflow/totals';
import { newTable, putItems, testClient, useTestDb } from '../support/dynamo';
import { runOurs } from '../support/run-ours';
import { jsonLinesPrinted } from '../support/stdout';

const db = useTestDb();
const GOOD = 40;
const BAD = 3;
/** Marks values that must never reach a log line below DEBUG. */
const SECRET = 'SECRET-7f3a';

let bundle: LambdaBundle;
beforeAll(() => {
  bundle = bundleLambda(defaultMigrationFile);
});

/** A table of access-log items; BAD of them have a timestamp the CLF migration cannot parse, and every item a secret note. */
async function seededTable(): Promise<string> {
  const table = await newTable(db.admin);
  const items: Record<string, AttributeValue>[] = [
    ...Array.from({ length: GOOD }, (_, i) => ({ pk: { S: `ok-${i}` }, timestamp: { S: '10/Oct/2000:13:55:36 -0700' }, note: { S: `${SECRET}-note-${i}` } })),
    ...Array.from({ length: BAD }, (_, i) => ({ pk: { S: `bad-${i}` }, timestamp: { S: `${SECRET}-timestamp-${i}` }, note: { S: `${SECRET}-note-bad-${i}` } })),
  ];
  await putItems(db.admin, table, items);
  return table;
}

/** Runs the deployed bundle over `table` with Lambda-like logging at `level`; returns the summary and every JSON line printed. */
async function runLogged(table: string, level: 'INFO' | 'DEBUG'): Promise<{ summary: Summary; lines: Record<string, any>[] }> {
  const saved = { MIGRATION_LOG: process.env.MIGRATION_LOG, POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL };
  // As in Lambda: logs on, the level from the environment (there AWS_LAMBDA_LOG_LEVEL, set by the stack).
  Object.assign(process.env, { MIGRATION_LOG: 'on', POWERTOOLS_LOG_LEVEL: level });
  const client = testClient(db.endpoint);
  try {
    let summary: Summary | undefined;
    const lines = await jsonLinesPrinted(async () => {
      // A fresh copy of the bundle per run, as a new Lambda instance gets (jest keeps required modules otherwise).
      let lambda!: LoadedLambda;
      jest.isolateModules(() => {
        lambda = loadLambda(bundle, table, localConnection(db.endpoint), builtInTuning);
      });
      const result = await runOurs({
        client,
        table,
        migration: defineMigration({ id: 'unused', transform: () => undefined }),
        lambda,
        input: { skipBackup: true, totalSegments: 2, toleratedFailures: BAD, maxItemsPerSecond: 100_000, maxReadUnitsPerSecond: 100_000, maxWriteUnitsPerSecond: 100_000 },
      });
      summary = resultSummary(result, table);
      lambda.client.destroy();
    });
    return { summary: summary!, lines };
  } finally {
    client.destroy();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

const isEmf = (line: Record<string, any>) => '_aws' in line;

describe('GIVEN the deployed bundle migrating a table where some items fail, with logs on at INFO', () => {
  let table: string;
  let summary: Summary;
  let lines: Record<string, any>[];
  beforeAll(async () => {
    table = await seededTable();
    ({ summary, lines } = await runLogged(table, 'INFO'));
  });

  it('THEN the run itself went as without logging', () => {
    expect(summary).toMatchObject({ status: 'SUCCEEDED', scanned: GOOD + BAD, updated: GOOD, failed: BAD });
  });

  describe('WHEN its EMF lines are read', () => {
    const emf = () => lines.filter(isEmf);
    const planned = () => lines.find((l) => l.message === 'run.planned')!.plan as { itemEstimate: number };

    it('THEN there is one per MigrateBatch call, in our namespace, with the one bounded dimension set and every metric the names list', () => {
      const batchCalls = lines.filter((l) => l.message === 'batch.done').length;
      expect(emf()).toHaveLength(batchCalls);
      expect(batchCalls).toBeGreaterThanOrEqual(2);
      for (const line of emf()) {
        expect(line._aws.CloudWatchMetrics).toHaveLength(1);
        const [directive] = line._aws.CloudWatchMetrics;
        expect(directive.Namespace).toBe(METRIC_NAMESPACE);
        expect(directive.Dimensions).toStrictEqual([[...DIMENSION_SET]]);
        expect(directive.Metrics.map((m: { Name: string }) => m.Name)).toStrictEqual([...METRIC_NAMES]);
        expect(line).toMatchObject({ service: SERVICE_NAME, MigrationId: 'clf-to-epoch', Table: table, executionName: 'test-run', step: 'migrateBatch' });
        expect(['0', '1']).toContain(line.segment);
        expect(typeof line.invocation).toBe('string');
        for (const name of METRIC_NAMES) expect([name, typeof line[name]]).toStrictEqual([name, 'number']);
      }
    });

    it('THEN the counters add up to the summary and the gauges carry the plan', () => {
      const sums = Object.fromEntries(TOTALS_FIELDS.map((field) => [field, emf().reduce((sum, line) => sum + line[field], 0)]));
      expect(sums).toStrictEqual(Object.fromEntries(TOTALS_FIELDS.map((field) => [field, summary[field]])));
      for (const line of emf()) {
        // The estimate is DescribeTable's ItemCount (dynalite reports 0); the metric carries what Prepare planned with.
        expect(line).toMatchObject({ itemEstimate: planned().itemEstimate, itemsPerSecondBudget: 100_000, readUnitsBudget: 100_000, writeUnitsBudget: 100_000 });
        expect(line.batchDuration).toBeGreaterThan(0);
      }
    });
  });

  describe('WHEN its log lines are read', () => {
    const logs = () => lines.filter((line) => !isEmf(line));
    const failed = () => logs().filter((l) => l.message === 'item.failed');

    it('THEN every line carries the migration, the execution, the step and the invocation, and MigrateBatch lines the segment and call', () => {
      expect(logs().length).toBeGreaterThan(0);
      for (const line of logs()) {
        expect(line).toMatchObject({ service: SERVICE_NAME, migrationId: 'clf-to-epoch', executionName: 'test-run', step: expect.any(String), invocation: expect.any(String) });
        if (line.step === 'migrateBatch') expect(line).toMatchObject({ segment: expect.any(Number), call: expect.any(Number) });
      }
      expect(new Set(logs().map((l) => l.message))).toStrictEqual(new Set(['run.planned', 'item.failed', 'batch.done', 'run.summarized']));
    });

    it('THEN every key and message is one workflow/telemetry.ts names, at the level it names', () => {
      const named = new Set<string>([...Object.values(LOG_BASE_KEYS), ...Object.values(LOG_KEYS), 'sampling_rate']);
      for (const line of logs()) {
        expect(Object.keys(line).filter((key) => !named.has(key))).toStrictEqual([]);
        expect(line.level).toBe(LOG_MESSAGES[line.message as keyof typeof LOG_MESSAGES]);
      }
    });

    it('THEN each failed item has a WARN line with its key and our reason, with the fields the failures query reads', () => {
      // Where the transform threw is our knowledge of the user's code, not an item value: it stays.
      expect(failed().map((l) => [l.key, l.reason]).sort()).toStrictEqual(
        Array.from({ length: BAD }, (_, i) => [JSON.stringify({ pk: `bad-${i}` }), expect.stringMatching(new RegExp(`^transform threw \\${WITHHELD.slice(0, -1)}\\] \\(at .*clf-to-epoch\\.ts:\\d+:\\d+\\)$`))]),
      );
      const queried = /^fields @timestamp, (.*)$/m.exec(failuresQuery())![1]!.split(', ');
      for (const line of failed()) for (const field of queried) expect([field, field in line]).toStrictEqual([field, true]);
    });

    it('THEN no attribute value other than keys appears in any line, logs or metrics', () => {
      const printed = JSON.stringify(lines);
      expect(printed).not.toContain(SECRET);
      expect(printed).not.toContain('13:55:36');
      expect(lines.some((l) => 'reasonDetail' in l)).toBe(false);
    });
  });
});

describe('GIVEN the same run with the log level at DEBUG', () => {
  it('WHEN the failure lines are read THEN they also carry the whole reason, which quotes the value the transform could not parse', async () => {
    const table = await seededTable();
    const { lines } = await runLogged(table, 'DEBUG');
    const details = lines.filter((l) => l.message === 'item.failed').map((l) => l.reasonDetail as string);
    expect(details).toHaveLength(BAD);
    for (const detail of details) expect(detail).toMatch(new RegExp(`^transform threw not a CLF timestamp .*"${SECRET}-timestamp-\\d" \\(at .*clf-to-epoch\\.ts:\\d+:\\d+\\)$`));
  });
});
