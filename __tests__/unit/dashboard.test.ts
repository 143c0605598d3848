import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Testing } from 'cdktf';
import { bundleLambda, defaultMigrationFile, projectRoot } from '../../bundle/lambda-bundle';
import { dashboardBody, type DashboardBody, type MetricOptions, type Widget } from '../../stacks/dashboard-body';
import { MigrationStack } from '../../stacks/migration-stack';
import { SNS_TOPIC_ARN_PATTERN } from '../../stacks/variables';
import {
  CAPACITY_COUNTERS,
  DIMENSION_SET,
  failuresQuery,
  METRIC_NAMES,
  METRIC_NAMESPACE,
  metricDimensions,
  OUTCOME_COUNTERS,
  segmentProgressQuery,
  SERVICE_NAME,
} from '../../workflow/telemetry';

// Synthesized Terraform JSON has no schema here; the tests assert on its shape directly.
type Block = Record<string, any>;

const PERIOD = '${(ceil((var.lambda_timeout / 60)) * 60)}';
const ref = {
  region: '${data.aws_service.states.region}',
  table: '${var.table_name}',
  stateMachineArn: 'arn:${data.aws_partition.partition.partition}:states:${data.aws_service.states.region}:${data.aws_caller_identity.caller.account_id}:stateMachine:${var.name_prefix}-migration',
};

let tf: Block;
beforeAll(() => {
  tf = JSON.parse(Testing.synth(new MigrationStack(Testing.app(), 'test', { bundle: bundleLambda(defaultMigrationFile), migrationId: 'clf-to-epoch' })));
});

/** The synthesized body with the one number expression (the period) filled in, as Terraform does at plan time. */
const synthesizedBody = (lambdaTimeout = 900): DashboardBody => {
  const template: string = tf.resource.aws_cloudwatch_dashboard.dashboard.dashboard_body;
  expect(template).toContain(`"period":${PERIOD}`);
  return JSON.parse(template.split(PERIOD).join(String(Math.ceil(lambdaTimeout / 60) * 60)));
};
const metricWidgets = (body: DashboardBody) => body.widgets.flatMap((w) => (w.type === 'metric' ? [w] : []));
const rowsOf = (body: DashboardBody) => metricWidgets(body).flatMap((w) => w.properties.metrics);
/** The rows of our namespace: [namespace, name, ...dimension pairs, options]. */
const ourRows = (body: DashboardBody) => rowsOf(body).filter((row): row is [string, string, ...string[], MetricOptions] => row[0] === METRIC_NAMESPACE);

describe('GIVEN the stack synthesized with the default migration', () => {
  describe('WHEN its dashboard body is rendered', () => {
    it('THEN it is JSON once the period is filled in, with the widgets a person watching a run needs', () => {
      const body = synthesizedBody();
      expect(tf.resource.aws_cloudwatch_dashboard.dashboard.dashboard_name).toBe('${var.name_prefix}-migration');
      expect(body.widgets.map((w) => (w.type === 'text' ? 'text' : `${w.type}: ${w.properties.title}`))).toStrictEqual([
        'text',
        'metric: Items in the time range',
        'metric: Items per minute by outcome',
        'metric: Progress and time left',
        'metric: Failed items per minute',
        'metric: Throttles, retries and conflicts per minute',
        'metric: Consumed capacity against the budget (per second)',
        'metric: Lambda errors and throttles',
        'metric: Lambda and batch duration (ms)',
        'metric: Lambda concurrency',
        'metric: State machine executions',
        'log: Progress by segment (log lines)',
        'log: Item failures: key and reason',
      ]);
    });

    it('THEN the widgets tile the 24-column grid without overlapping', () => {
      const cells = new Set<string>();
      for (const w of synthesizedBody().widgets) {
        expect(w.x + w.width).toBeLessThanOrEqual(24);
        for (let x = w.x; x < w.x + w.width; x++) {
          for (let y = w.y; y < w.y + w.height; y++) {
            expect(cells.has(`${x},${y}`)).toBe(false);
            cells.add(`${x},${y}`);
          }
        }
      }
    });

    it('THEN every metric of ours it shows is one the Lambda publishes, with exactly its dimensions: this service, this migration, this table', () => {
      const rows = ourRows(synthesizedBody());
      expect(rows.length).toBeGreaterThan(10);
      const dimensions = Object.entries(metricDimensions({ migrationId: 'clf-to-epoch', table: ref.table })).flat();
      for (const row of rows) {
        expect(METRIC_NAMES).toContain(row[1]);
        expect(row.slice(2, -1)).toStrictEqual(dimensions);
      }
      expect(dimensions.filter((_, i) => i % 2 === 0)).toStrictEqual([...DIMENSION_SET]);
      expect(dimensions).toContain(SERVICE_NAME);
    });

    it('THEN every graph is in the stack’s region, at a period of whole minutes at least one batch long', () => {
      for (const [timeout, period] of [[900, 900], [61, 120], [30, 60]] as const) {
        for (const w of metricWidgets(synthesizedBody(timeout))) expect([w.properties.title, w.properties.region, w.properties.period]).toStrictEqual([w.properties.title, ref.region, period]);
      }
    });

    it('THEN items per minute shows each outcome as a rate of its per-batch sums', () => {
      const widget = metricWidgets(synthesizedBody()).find((w) => w.properties.title === 'Items per minute by outcome')!;
      const expressions = widget.properties.metrics.flatMap((row) => (typeof row[0] === 'object' ? [[row[0].label, row[0].expression]] : []));
      expect(expressions).toStrictEqual(OUTCOME_COUNTERS.map((name) => [name, `m_${name} / (PERIOD(m_${name}) / 60)`]));
    });

    it('THEN consumed capacity is set against the item budget, with the migration’s capacity counters that exist and the table’s own capacity', () => {
      const widget = metricWidgets(synthesizedBody()).find((w) => w.properties.title?.startsWith('Consumed capacity'))!;
      const names = widget.properties.metrics.flatMap((row) => (typeof row[0] === 'string' ? [row[1] as string] : []));
      expect(names).toEqual(expect.arrayContaining(['scanned', 'itemsPerSecondBudget', 'readUnitsBudget', 'writeUnitsBudget', 'readUnits', 'writeUnits', 'ConsumedReadCapacityUnits', 'ConsumedWriteCapacityUnits', 'ProvisionedWriteCapacityUnits']));
      const capacityPublished = CAPACITY_COUNTERS.filter((name) => METRIC_NAMES.includes(name));
      expect(names.filter((name) => (CAPACITY_COUNTERS as readonly string[]).includes(name))).toStrictEqual(capacityPublished);
    });

    it('THEN the Lambda and state machine widgets watch this function and this state machine', () => {
      const rows = rowsOf(synthesizedBody()).filter((row) => typeof row[0] === 'string' && row[0].startsWith('AWS/'));
      const byNamespace = (namespace: string) => rows.filter((row) => row[0] === namespace).map((row) => row.slice(1, 4));
      expect(byNamespace('AWS/Lambda')).toStrictEqual(
        ['Errors', 'Throttles', 'Duration', 'ConcurrentExecutions'].map((name) => [name, 'FunctionName', '${var.name_prefix}-migrate']),
      );
      expect(byNamespace('AWS/States')).toStrictEqual(
        ['ExecutionsStarted', 'ExecutionsSucceeded', 'ExecutionsFailed', 'ExecutionsAborted', 'ExecutionsTimedOut'].map((name) => [name, 'StateMachineArn', ref.stateMachineArn]),
      );
    });

    it('THEN its log widgets query the Lambda’s log group with the queries the README documents', () => {
      const queries = synthesizedBody().widgets.flatMap((w) => (w.type === 'log' ? [w.properties.query] : []));
      expect(queries).toStrictEqual([
        `SOURCE '/aws/lambda/\${var.name_prefix}-migrate' | ${segmentProgressQuery()}`,
        `SOURCE '/aws/lambda/\${var.name_prefix}-migrate' | ${failuresQuery()}`,
      ]);
    });
  });

  describe('WHEN its alarms are read', () => {
    it('THEN both exist only when alarms_enabled is true (false by default), and fire on any failed item or failed execution within a minute', () => {
      expect(tf.variable.alarms_enabled).toMatchObject({ type: 'bool', default: false });
      const common = {
        count: '${var.alarms_enabled ? 1 : 0}',
        comparison_operator: 'GreaterThanThreshold',
        threshold: 0,
        statistic: 'Sum',
        period: 60,
        evaluation_periods: 1,
        treat_missing_data: 'notBreaching',
        alarm_actions: ['${local.alarm_topic_arn_resolved}'],
        ok_actions: ['${local.alarm_topic_arn_resolved}'],
      };
      expect(tf.resource.aws_cloudwatch_metric_alarm.failed_items).toMatchObject({
        ...common,
        alarm_name: '${var.name_prefix}-failed-items',
        namespace: METRIC_NAMESPACE,
        metric_name: 'failed',
        dimensions: metricDimensions({ migrationId: 'clf-to-epoch', table: ref.table }),
      });
      expect(tf.resource.aws_cloudwatch_metric_alarm.execution_failed).toMatchObject({
        ...common,
        alarm_name: '${var.name_prefix}-execution-failed',
        namespace: 'AWS/States',
        metric_name: 'ExecutionsFailed',
        dimensions: { StateMachineArn: ref.stateMachineArn },
      });
    });

    it('THEN the failed-items alarm watches a metric the Lambda publishes, and the same one the dashboard graphs', () => {
      const alarm = tf.resource.aws_cloudwatch_metric_alarm.failed_items;
      expect(METRIC_NAMES).toContain(alarm.metric_name);
      const graphed = ourRows(synthesizedBody()).find((row) => row[1] === alarm.metric_name)!;
      expect(Object.fromEntries(Array.from({ length: 3 }, (_, i) => [graphed[2 + 2 * i], graphed[3 + 2 * i]]))).toStrictEqual(alarm.dimensions);
    });

    it('THEN a topic is created only when alarms are on and no alarm_topic_arn is given, and the alarms notify whichever applies', () => {
      expect(tf.resource.aws_sns_topic.alarm_topic).toStrictEqual({
        name: '${var.name_prefix}-alarms',
        count: '${(var.alarms_enabled && (0 == length(var.alarm_topic_arn))) ? 1 : 0}',
      });
      expect(tf.locals.alarm_topic_arn_resolved).toBe('${(0 == length(var.alarm_topic_arn)) ? one(aws_sns_topic.alarm_topic[*].arn) : var.alarm_topic_arn}');
      expect(tf.variable.alarm_topic_arn).toMatchObject({ type: 'string', default: '' });
      expect(tf.variable.alarm_topic_arn.validation[0].condition).toBe(
        `\${((0 == length(var.alarm_topic_arn)) || can(regex("${SNS_TOPIC_ARN_PATTERN}", var.alarm_topic_arn)))}`,
      );
    });

    it.each([
      ['arn:aws:sns:eu-west-1:123456789012:ops-alerts', true],
      ['arn:aws-us-gov:sns:us-gov-west-1:123456789012:alerts.fifo', true],
      ['arn:aws:sqs:eu-west-1:123456789012:queue', false],
      ['ops-alerts', false],
    ])('THEN alarm_topic_arn %s is accepted: %s', (arn, accepted) => {
      expect(new RegExp(SNS_TOPIC_ARN_PATTERN).test(arn)).toBe(accepted);
    });
  });
});

describe('GIVEN a dashboard built for plain values', () => {
  it('WHEN a widget names a metric of ours THEN its id is unique within the widget, as metric math requires', () => {
    const body = dashboardBody({
      region: 'eu-west-1',
      migrationId: 'm',
      tableName: 'orders',
      functionName: 'f',
      stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:x',
      lambdaLogGroup: '/aws/lambda/f',
      periodSeconds: 300,
    });
    for (const widget of body.widgets.filter((w): w is Extract<Widget, { type: 'metric' }> => w.type === 'metric')) {
      const ids = widget.properties.metrics.map((row) => (row[row.length - 1] as { id: string }).id);
      expect([widget.properties.title, new Set(ids).size]).toStrictEqual([widget.properties.title, ids.length]);
      for (const id of ids) expect(id).toMatch(/^[a-z][A-Za-z0-9_]*$/);
    }
  });
});

describe('GIVEN the README', () => {
  it('WHEN its "Watch it" queries are read THEN they are exactly the ones the dashboard runs, so they name the keys the Lambda writes', () => {
    const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8');
    const watch = readme.slice(readme.indexOf('### Watch it'), readme.indexOf('### Stop, redrive, re-run'));
    // Fenced blocks in order, with their language; the queries are the ones without one.
    const blocks = [...watch.matchAll(/^```(\w*)\n([\s\S]*?)\n```$/gm)].filter((m) => m[1] === '').map((m) => m[2]);
    expect(blocks).toStrictEqual([failuresQuery(), segmentProgressQuery()]);
  });
});
