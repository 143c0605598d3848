/**
 * The migration's CloudWatch dashboard as data: every metric and log key it shows comes from
 * workflow/telemetry.ts, the names the Lambda emits. Pure; values may be Terraform expressions.
 * Dashboard body structure: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html
 */
import {
  BATCH_METRICS,
  CAPACITY_COUNTERS,
  countersPresent,
  failuresQuery,
  METRIC_NAMESPACE,
  metricDimensions,
  OUTCOME_COUNTERS,
  segmentProgressQuery,
  TROUBLE_COUNTERS,
} from '../workflow/telemetry';

/** What the dashboard shows; strings and numbers may be Terraform expressions. */
export interface DashboardTarget {
  region: string;
  migrationId: string;
  tableName: string;
  functionName: string;
  stateMachineArn: string;
  lambdaLogGroup: string;
  /** The graphs' period: at least one batch long, since each batch publishes its metrics when it ends. */
  periodSeconds: number;
}

/** How one metric line is drawn. */
export interface MetricOptions {
  id: string;
  label?: string;
  stat?: string;
  visible?: boolean;
  yAxis?: 'left' | 'right';
}

/** A metric line: namespace, metric name, dimension name/value pairs, then its options. */
export type MetricRow = [string, string, ...string[], MetricOptions];

/** A line computed with metric math from the others. */
export type ExpressionRow = [{ expression: string; id: string; label: string; yAxis?: 'left' | 'right'; visible?: boolean }];

/** A dashboard widget (the subset of the body structure used here). */
export type Widget = { x: number; y: number; width: number; height: number } & (
  | {
      type: 'metric';
      properties: {
        title: string;
        region: string;
        view: 'timeSeries' | 'singleValue';
        stacked?: boolean;
        period: number;
        stat: string;
        metrics: (MetricRow | ExpressionRow)[];
        setPeriodToTimeRange?: boolean;
        yAxis?: { left?: { min?: number; label?: string }; right?: { min?: number; label?: string } };
      };
    }
  | { type: 'log'; properties: { title: string; region: string; view: 'table'; query: string } }
  | { type: 'text'; properties: { markdown: string } }
);

/** A dashboard body. */
export interface DashboardBody {
  widgets: Widget[];
}

/** A metric id for metric math: ids start with a lower-case letter. */
const idOf = (name: string): string => `m_${name}`;

/**
 * The migration's dashboard, top to bottom: totals in the time range; items per minute by
 * outcome and progress with time left; failures, trouble (throttles, retries, conflicts) and
 * capacity against the budget; the Lambda's errors, duration and concurrency; the state machine's
 * executions; and the item failures and segment progress from the Lambda's log lines.
 */
export function dashboardBody(t: DashboardTarget): DashboardBody {
  const dimensions = Object.entries(metricDimensions({ migrationId: t.migrationId, table: t.tableName })).flat();
  const ours = (name: string, options: MetricOptions): MetricRow => [METRIC_NAMESPACE, name, ...dimensions, options];
  // A sum over the period as a rate: the row is kept hidden and an expression draws the rate.
  const rate = (row: MetricRow, seconds: 1 | 60, label: string): (MetricRow | ExpressionRow)[] => {
    const { id } = row[row.length - 1] as MetricOptions;
    const expression = seconds === 1 ? `${id} / PERIOD(${id})` : `${id} / (PERIOD(${id}) / 60)`;
    return [row, [{ expression, id: `${id}_${seconds === 1 ? 'per_second' : 'per_minute'}`, label }]];
  };
  const perMinute = (name: string, label = name) => rate(ours(name, { id: idOf(name), visible: false }), 60, label);
  const aws = (namespace: string, name: string, dimension: [string, string], options: MetricOptions): MetricRow => [namespace, name, ...dimension, options];
  const lambda = (name: string, options: MetricOptions) => aws('AWS/Lambda', name, ['FunctionName', t.functionName], options);
  const table = (name: string, options: MetricOptions) => aws('AWS/DynamoDB', name, ['TableName', t.tableName], options);
  const states = (name: string) => aws('AWS/States', name, ['StateMachineArn', t.stateMachineArn], { id: `sfn_${name}`, label: name.replace(/^Executions/, '') });

  const graph = (title: string, metrics: (MetricRow | ExpressionRow)[], extra: Partial<Extract<Widget, { type: 'metric' }>['properties']> = {}) => ({
    type: 'metric' as const,
    properties: { title, region: t.region, view: 'timeSeries' as const, stacked: false, period: t.periodSeconds, stat: 'Sum', metrics, yAxis: { left: { min: 0 } }, ...extra },
  });
  const scanned = idOf('scanned');
  const estimate = idOf(BATCH_METRICS.itemEstimate.name);

  const rows: { height: number; widgets: Omit<Widget, 'x' | 'y' | 'width' | 'height'>[] }[] = [
    {
      height: 2,
      widgets: [
        {
          type: 'text',
          properties: {
            markdown: [
              `## Migration \`${t.migrationId}\` of table \`${t.tableName}\``,
              'Each MigrateBatch call publishes its metrics when it ends, so graphs move in steps of one batch (at most `lambda_timeout` per segment). Set the time range to start before the run: progress counts from the start of the range.',
            ].join('\n\n'),
          },
        },
      ],
    },
    {
      height: 3,
      widgets: [
        {
          type: 'metric',
          properties: {
            title: 'Items in the time range',
            region: t.region,
            view: 'singleValue',
            period: t.periodSeconds,
            stat: 'Sum',
            setPeriodToTimeRange: true,
            metrics: ['scanned', ...OUTCOME_COUNTERS].map((name) => ours(name, { id: idOf(name), label: name })),
          },
        },
      ],
    },
    {
      height: 6,
      widgets: [
        graph(
          'Items per minute by outcome',
          OUTCOME_COUNTERS.flatMap((name) => perMinute(name)),
        ),
        graph(
          'Progress and time left',
          [
            ours('scanned', { id: scanned, visible: false }),
            ours(BATCH_METRICS.itemEstimate.name, { id: estimate, stat: 'Maximum', label: 'items in the table (estimate)' }),
            [{ expression: `RUNNING_SUM(${scanned})`, id: 'scanned_so_far', label: 'items scanned so far' }],
            [{ expression: `(MAX(${estimate}) - RUNNING_SUM(${scanned})) / (${scanned} / (PERIOD(${scanned}) / 60))`, id: 'left_raw', label: 'minutes left (raw)', visible: false }],
            [{ expression: 'IF(left_raw > 0, left_raw, 0)', id: 'minutes_left', label: 'minutes left at this rate', yAxis: 'right' }],
          ],
          { yAxis: { left: { min: 0, label: 'items' }, right: { min: 0, label: 'minutes' } } },
        ),
      ],
    },
    {
      height: 6,
      widgets: [
        graph('Failed items per minute', perMinute('failed', 'failed items')),
        graph('Throttles, retries and conflicts per minute', [
          ...countersPresent(TROUBLE_COUNTERS).flatMap((name) => perMinute(name)),
          ...rate(table('ReadThrottleEvents', { id: 'table_read_throttles', visible: false }), 60, 'table read throttle events (all clients)'),
          ...rate(table('WriteThrottleEvents', { id: 'table_write_throttles', visible: false }), 60, 'table write throttle events (all clients)'),
        ]),
        graph('Consumed capacity against the budget (per second)', [
          ...rate(ours('scanned', { id: 'budget_scanned', visible: false }), 1, 'items/s'),
          ours(BATCH_METRICS.itemsPerSecondBudget.name, { id: 'items_budget', stat: 'Maximum', label: 'items/s budget (maxItemsPerSecond)' }),
          ...countersPresent(CAPACITY_COUNTERS).flatMap((name) => rate(ours(name, { id: idOf(name), visible: false }), 1, `${name}/s (this migration)`)),
          ours(BATCH_METRICS.readUnitsBudget.name, { id: 'read_units_budget', stat: 'Maximum', label: 'read units/s budget' }),
          ours(BATCH_METRICS.writeUnitsBudget.name, { id: 'write_units_budget', stat: 'Maximum', label: 'write units/s budget' }),
          ...rate(table('ConsumedReadCapacityUnits', { id: 'table_read_units', visible: false }), 1, 'table read units/s (all clients)'),
          ...rate(table('ConsumedWriteCapacityUnits', { id: 'table_write_units', visible: false }), 1, 'table write units/s (all clients)'),
          table('ProvisionedReadCapacityUnits', { id: 'table_read_provisioned', stat: 'Maximum', label: 'provisioned read units/s' }),
          table('ProvisionedWriteCapacityUnits', { id: 'table_write_provisioned', stat: 'Maximum', label: 'provisioned write units/s' }),
        ]),
      ],
    },
    {
      height: 6,
      widgets: [
        graph('Lambda errors and throttles', [lambda('Errors', { id: 'lambda_errors', label: 'errors' }), lambda('Throttles', { id: 'lambda_throttles', label: 'throttles' })]),
        graph(
          'Lambda and batch duration (ms)',
          [
            lambda('Duration', { id: 'lambda_duration_max', stat: 'Maximum', label: 'Lambda duration, max' }),
            ours(BATCH_METRICS.batchDuration.name, { id: 'batch_duration_avg', stat: 'Average', label: 'batch duration, average' }),
          ],
          { stat: 'Maximum' },
        ),
        graph('Lambda concurrency', [lambda('ConcurrentExecutions', { id: 'lambda_concurrency', stat: 'Maximum', label: 'concurrent executions' })], { stat: 'Maximum' }),
      ],
    },
    {
      height: 6,
      widgets: [
        graph('State machine executions', ['ExecutionsStarted', 'ExecutionsSucceeded', 'ExecutionsFailed', 'ExecutionsAborted', 'ExecutionsTimedOut'].map(states)),
        { type: 'log', properties: { title: 'Progress by segment (log lines)', region: t.region, view: 'table', query: `SOURCE '${t.lambdaLogGroup}' | ${segmentProgressQuery()}` } },
      ],
    },
    {
      height: 8,
      widgets: [{ type: 'log', properties: { title: 'Item failures: key and reason', region: t.region, view: 'table', query: `SOURCE '${t.lambdaLogGroup}' | ${failuresQuery()}` } }],
    },
  ];

  // Rows fill the 24-column grid left to right, each widget as wide as its share.
  let y = 0;
  const widgets = rows.flatMap((row) => {
    const width = 24 / row.widgets.length;
    const placed = row.widgets.map((widget, i) => ({ ...widget, x: i * width, y, width, height: row.height }) as Widget);
    y += row.height;
    return placed;
  });
  return { widgets };
}
