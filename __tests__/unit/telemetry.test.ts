import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { batchMetrics } from '../../handlers/batch-metrics';
import { createHandler } from '../../handlers/create-handler';
import { invocationKeys } from '../../handlers/invocation-keys';
import type { LogFields } from '../../handlers/log';
import { defineMigration } from '../../migrations/define';
import { errorReason, itemFailureFields, quoted, reason, WITHHELD } from '../../handlers/failure-reason';
import { powertoolsLoggers } from '../../handlers/log';
import { powertoolsTelemetry, silentTelemetry, telemetryFromEnv, type Telemetry } from '../../handlers/telemetry';
import { planWrite } from '../../handlers/write-plan';
import type { Plan, SegmentProgress } from '../../workflow/contract';
import { builtInTuning } from '../../workflow/input';
import {
  BATCH_METRICS,
  CAPACITY_COUNTERS,
  COUNTER_METRICS,
  countersPresent,
  DIMENSION_SET,
  failuresQuery,
  LOG_KEYS,
  METRIC_NAMES,
  METRIC_NAMESPACE,
  OUTCOME_COUNTERS,
  SERVICE_NAME,
  TROUBLE_COUNTERS,
} from '../../workflow/telemetry';
import { TOTALS_FIELDS, packTotals, zeroTotals, type Totals } from '../../workflow/totals';
import { jsonLinesPrinted } from '../support/stdout';

const plan: Plan = {
  ...builtInTuning,
  maxItemsPerSecond: 500,
  table: 'orders',
  migrationId: 'backfill-gsi1',
  dryRun: false,
  skipBackup: true,
  mode: 'migrate',
  verifyAfter: false,
  catchUpPasses: 0,
  pass: { kind: 'migrate', number: 1 },
  keyAttributes: ['pk'],
  itemEstimate: 12_345,
  backupName: 'orders-backfill-gsi1-run-1',
  executionName: 'run-1',
};
const progress = (calls: number, totals: Partial<Totals>): SegmentProgress => ({ calls, totals: packTotals({ ...zeroTotals(), ...totals }) });

describe('GIVEN the counters of workflow/totals.ts', () => {
  it('WHEN the metric names are derived THEN every counter is a Count metric of the same name, so counters appended later are published too', () => {
    expect(COUNTER_METRICS).toStrictEqual(TOTALS_FIELDS.map((name) => ({ name, unit: 'Count' })));
    expect(METRIC_NAMES).toStrictEqual([...TOTALS_FIELDS, 'batchDuration', 'itemEstimate', 'itemsPerSecondBudget', 'readUnitsBudget', 'writeUnitsBudget']);
  });

  it('WHEN the dashboard asks which trouble and capacity counters exist THEN it gets exactly those in TOTALS_FIELDS', () => {
    const fields: readonly string[] = TOTALS_FIELDS;
    expect(countersPresent(TROUBLE_COUNTERS)).toStrictEqual(TROUBLE_COUNTERS.filter((name) => fields.includes(name)));
    expect(countersPresent(CAPACITY_COUNTERS)).toStrictEqual(CAPACITY_COUNTERS.filter((name) => fields.includes(name)));
    expect(countersPresent(TROUBLE_COUNTERS)).toEqual(expect.arrayContaining(['retries', 'conflicts']));
    expect(OUTCOME_COUNTERS.every((name) => fields.includes(name))).toBe(true);
  });

  it('WHEN the capacity counters exist THEN they are published under the names the dashboard looks for', () => {
    // Holds today for the ones present; becomes a real check once the capacity work appends readUnits and writeUnits.
    for (const name of countersPresent(CAPACITY_COUNTERS)) expect(METRIC_NAMES).toContain(name);
  });
});

describe('GIVEN the progress a MigrateBatch call got and the progress it returned', () => {
  const before = progress(2, { scanned: 100, updated: 90, unchanged: 10, retries: 1 });
  const after = progress(3, { scanned: 250, updated: 200, unchanged: 40, failed: 3, skipped: 7, retries: 4, conflicts: 2 });

  it('WHEN its metrics are computed THEN each counter is what the call added, with its duration, the estimate and the budget', () => {
    const values = Object.fromEntries(batchMetrics(plan, before, after, 1234).map((m) => [m.name, [m.value, m.unit]]));
    expect(values).toStrictEqual({
      ...Object.fromEntries(TOTALS_FIELDS.map((name) => [name, [0, 'Count']])),
      scanned: [150, 'Count'],
      updated: [110, 'Count'],
      unchanged: [30, 'Count'],
      failed: [3, 'Count'],
      skipped: [7, 'Count'],
      retries: [3, 'Count'],
      conflicts: [2, 'Count'],
      batchDuration: [1234, 'Milliseconds'],
      itemEstimate: [12_345, 'Count'],
      itemsPerSecondBudget: [500, 'Count/Second'],
    });
  });

  it('WHEN the run has no item rate limit THEN no budget is published (0 would read as a budget of nothing)', () => {
    const names = batchMetrics({ ...plan, maxItemsPerSecond: 0 }, before, after, 1).map((m) => m.name);
    expect(names).not.toContain(BATCH_METRICS.itemsPerSecondBudget.name);
    expect(names).toContain(BATCH_METRICS.itemEstimate.name);
  });

  it('WHEN the run has capacity budgets THEN they are published in units a second, the write budget as the stricter of the absolute one and the table plus its GSIs', () => {
    const values = Object.fromEntries(
      batchMetrics({ ...plan, budget: { read: 120, write: 90, tableWrite: 50, indexWrites: { byStatus: 25 } } }, before, after, 1).map((m) => [m.name, [m.value, m.unit]]),
    );
    expect(values).toMatchObject({ readUnitsBudget: [120, 'Count/Second'], writeUnitsBudget: [75, 'Count/Second'] });
    const names = batchMetrics(plan, before, after, 1).map((m) => m.name);
    expect(names).not.toContain(BATCH_METRICS.readUnitsBudget.name);
    expect(names).not.toContain(BATCH_METRICS.writeUnitsBudget.name);
  });

  it('WHEN the progress came from an older payload with fewer counters THEN the missing ones count from 0', () => {
    const older: SegmentProgress = { calls: 1, totals: [5, 5] };
    expect(batchMetrics(plan, older, after, 1).find((m) => m.name === 'scanned')?.value).toBe(245);
  });
});

describe('GIVEN failure reasons built from our words and quoted text', () => {
  it('WHEN a reason quotes text THEN the whole reason keeps it and the log reason withholds it', () => {
    expect(reason`transform threw ${quoted('not a CLF timestamp: "10/Oct/2000"')} at item ${3}`).toStrictEqual({
      reason: 'transform threw not a CLF timestamp: "10/Oct/2000" at item 3',
      logReason: `transform threw ${WITHHELD} at item 3`,
    });
  });

  it('WHEN reasons nest THEN both forms nest', () => {
    const inner = reason`${errorReason(Object.assign(new Error('secret 42'), { name: 'ValidationException' }))} (after 3 attempts)`;
    expect(reason`the write failed (${inner}) and re-reading the item failed: ${errorReason('boom')}`).toStrictEqual({
      reason: 'the write failed (ValidationException: secret 42 (after 3 attempts)) and re-reading the item failed: boom',
      logReason: `the write failed (ValidationException: ${WITHHELD} (after 3 attempts)) and re-reading the item failed: ${WITHHELD}`,
    });
  });

  it('WHEN a plain Error is the reason THEN it is unnamed, as the summary always showed it', () => {
    expect(errorReason(new Error('nope'))).toStrictEqual({ reason: 'nope', logReason: WITHHELD });
    expect(errorReason(new TypeError('x is 5'))).toStrictEqual({ reason: 'TypeError: x is 5', logReason: `TypeError: ${WITHHELD}` });
  });

  it('WHEN the transform returns a number JavaScript cannot hold THEN the marshaller’s message, which quotes it, is withheld from logs', () => {
    const big = 2 ** 60;
    const plan = planWrite({ pk: { S: 'a' } }, { pk: 'a', big }, ['pk']);
    expect(plan).toMatchObject({ kind: 'invalid', reason: expect.stringContaining(String(big)) });
    expect(plan.kind === 'invalid' && plan.logReason).toBe(`transform returned a value DynamoDB cannot store: ${WITHHELD}`);
  });

  it('WHEN a failure is turned into log fields THEN the key is JSON text and the whole reason is only the debug field', () => {
    expect(itemFailureFields({ pk: 'order-1', sk: 7 }, reason`transform threw ${quoted('card 4111')}`)).toStrictEqual({
      key: '{"pk":"order-1","sk":7}',
      reason: `transform threw ${WITHHELD}`,
      reasonDetail: 'transform threw card 4111',
    });
  });
});

describe('GIVEN the Powertools logger', () => {
  const failedLine = (level: 'INFO' | 'DEBUG') =>
    jsonLinesPrinted(() => {
      const bound = powertoolsLoggers(new PowertoolsLogger({ serviceName: SERVICE_NAME, logLevel: level }))({ migrationId: 'm', executionName: 'run-1', invocation: 'req-1', step: 'migrateBatch', segment: 3, call: 2 });
      bound('item.failed', { segment: 3, ...itemFailureFields({ pk: 'a' }, reason`transform threw ${quoted('secret-value')}`) });
      bound('batch.done', { segment: 3, done: true, call: 2, totals: { scanned: 1 } });
    });

  it('WHEN an item fails at INFO THEN the line is a WARN with the invocation keys, the key and our reason, and no quoted text', async () => {
    const [failed, done] = await failedLine('INFO');
    expect(failed).toStrictEqual({
      level: 'WARN',
      message: 'item.failed',
      timestamp: expect.any(String),
      service: SERVICE_NAME,
      sampling_rate: 0,
      migrationId: 'm',
      executionName: 'run-1',
      invocation: 'req-1',
      step: 'migrateBatch',
      segment: 3,
      call: 2,
      key: '{"pk":"a"}',
      reason: `transform threw ${WITHHELD}`,
    });
    expect(JSON.stringify(failed)).not.toContain('secret-value');
    expect(done).toMatchObject({ level: 'INFO', message: 'batch.done', done: true, totals: { scanned: 1 } });
  });

  it('WHEN the log level is DEBUG THEN the failure line also carries the whole reason', async () => {
    const [failed] = await failedLine('DEBUG');
    expect(failed).toMatchObject({ reason: `transform threw ${WITHHELD}`, [LOG_KEYS.reasonDetail]: 'transform threw secret-value' });
  });

  it('WHEN a line is below the level THEN it is not printed', async () => {
    const lines = await jsonLinesPrinted(() => powertoolsLoggers(new PowertoolsLogger({ serviceName: SERVICE_NAME, logLevel: 'ERROR' }))({})('item.failed', {}));
    expect(lines).toStrictEqual([]);
  });
});

describe('GIVEN the Powertools telemetry', () => {
  it('WHEN a batch is published THEN one EMF line carries every metric with its unit, the bounded dimensions and the invocation as properties', async () => {
    const values = batchMetrics(plan, progress(0, {}), progress(1, { scanned: 10, updated: 9, failed: 1 }), 50);
    const lines = await jsonLinesPrinted(() =>
      powertoolsTelemetry().publishBatch({ migrationId: plan.migrationId, table: plan.table }, values, { executionName: 'run-1', segment: 4, call: 1, invocation: 'req-9' }),
    );
    expect(lines).toHaveLength(1);
    const [emf] = lines as [Record<string, any>];
    expect(emf._aws.CloudWatchMetrics).toStrictEqual([
      { Namespace: METRIC_NAMESPACE, Dimensions: [[...DIMENSION_SET]], Metrics: values.map(({ name, unit }) => ({ Name: name, Unit: unit })) },
    ]);
    expect(emf).toMatchObject({ service: SERVICE_NAME, MigrationId: 'backfill-gsi1', Table: 'orders', scanned: 10, updated: 9, failed: 1, batchDuration: 50, executionName: 'run-1', segment: '4', invocation: 'req-9' });
  });

  it('WHEN MIGRATION_LOG=off (the local runner’s default) THEN nothing is logged or published', async () => {
    const previous = process.env.MIGRATION_LOG;
    process.env.MIGRATION_LOG = 'off';
    try {
      const telemetry = telemetryFromEnv();
      expect(telemetry).toBe(silentTelemetry);
      const lines = await jsonLinesPrinted(() => {
        telemetry.logger({})('step.failed', { error: { message: 'x' } });
        telemetry.publishBatch({ migrationId: 'm', table: 't' }, [{ name: 'scanned', unit: 'Count', value: 1 }], {});
      });
      expect(lines).toStrictEqual([]);
    } finally {
      if (previous === undefined) delete process.env.MIGRATION_LOG;
      else process.env.MIGRATION_LOG = previous;
    }
  });
});

describe('GIVEN the failures query', () => {
  it('WHEN it is read THEN it selects item.failed lines by the keys the handler writes', () => {
    expect(failuresQuery()).toBe('fields @timestamp, executionName, segment, key, reason\n| filter message = "item.failed"\n| sort @timestamp desc\n| limit 100');
  });
});

describe('GIVEN step events', () => {
  const context = (awsRequestId?: string) => ({ getRemainingTimeInMillis: () => 1000, ...(awsRequestId && { awsRequestId }) });

  it('WHEN the keys of a MigrateBatch invocation are taken THEN they name the migration, execution, step, invocation, segment and call', () => {
    expect(invocationKeys({ step: 'migrateBatch', plan, segment: 5, progress: progress(3, {}) }, context('req-1'), 'ignored')).toStrictEqual({
      migrationId: 'backfill-gsi1',
      executionName: 'run-1',
      invocation: 'req-1',
      step: 'migrateBatch',
      segment: 5,
      call: 4,
    });
  });

  it('WHEN Prepare runs, or the caller gives no request id THEN the execution comes from the event and the invocation is a fresh id', () => {
    const keys = invocationKeys({ step: 'prepare', input: {}, executionName: 'run-2', executionArn: 'arn:e', stateMachineArn: 'arn:sm' }, context(), 'm');
    expect(keys).toStrictEqual({ migrationId: 'm', executionName: 'run-2', invocation: expect.stringMatching(/^[0-9a-f-]{36}$/), step: 'prepare' });
    expect(invocationKeys({ step: 'prepare', input: {}, executionName: 'run-2', executionArn: 'arn:e', stateMachineArn: 'arn:sm' }, context(), 'm').invocation).not.toBe(keys.invocation);
  });

  it('WHEN the handler gets an event no step accepts THEN it logs step.failed with the error before throwing it', async () => {
    const logged: [string, LogFields, LogFields][] = [];
    const telemetry: Telemetry = { logger: (keys) => (message, fields = {}) => logged.push([message, keys, fields]), publishBatch: () => undefined };
    // The event is refused before any DynamoDB call, so no client is needed.
    const handler = createHandler({ client: {} as DynamoDBClient, table: 't', migration: defineMigration({ id: 'm', transform: () => undefined }), defaults: builtInTuning, telemetry });
    await expect((handler as (e: unknown, c: unknown) => Promise<unknown>)({ step: 'nope' }, context('req-7'))).rejects.toMatchObject({ name: 'InvalidStepEventError' });
    expect(logged).toStrictEqual([['step.failed', { migrationId: 'm', invocation: 'req-7' }, { error: { name: 'InvalidStepEventError', message: expect.stringContaining('step') } }]]);
  });
});
