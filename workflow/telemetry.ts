/**
 * The names the Lambda's logs and metrics use and the stack's dashboard, alarms and queries read:
 * one source, so a widget or an alarm cannot point at a metric or a log key nobody emits (checked by
 * __tests__/unit/telemetry.test.ts and by a safety test that reads a real batch's output).
 */
import { TOTALS_FIELDS } from './totals';

/** A counter of workflow/totals.ts. */
export type Counter = (typeof TOTALS_FIELDS)[number];

/** The CloudWatch namespace of the migration's metrics. */
export const METRIC_NAMESPACE = 'DynamoDBMigrations';

/** The service name: Powertools' `service` key in every log line, and a metric dimension. */
export const SERVICE_NAME = 'dynamodb-migrations';

/**
 * The metric dimensions, in the order EMF lists them. Each has few values (one service, one
 * migration id per deployment, one table), so a dashboard can show one migration of one table;
 * the execution, segment and invocation are properties of the EMF line instead, not dimensions.
 */
export const DIMENSIONS = { service: 'service', migrationId: 'MigrationId', table: 'Table' } as const;

/** The one dimension set every metric is published with. */
export const DIMENSION_SET = [DIMENSIONS.service, DIMENSIONS.migrationId, DIMENSIONS.table] as const;

/** The dimension values of one migration of one table, in DIMENSION_SET order: the Lambda's, the dashboard's and the alarms' alike. */
export const metricDimensions = (run: { migrationId: string; table: string }): Record<(typeof DIMENSION_SET)[number], string> => ({
  [DIMENSIONS.service]: SERVICE_NAME,
  [DIMENSIONS.migrationId]: run.migrationId,
  [DIMENSIONS.table]: run.table,
});

/** A CloudWatch unit the migration's metrics use. */
export type MetricUnitName = 'Count' | 'Milliseconds' | 'Count/Second';

/** A metric the Lambda publishes once per MigrateBatch invocation. */
export interface MetricSpec {
  name: string;
  unit: MetricUnitName;
}

/**
 * One metric per counter, named as the counter: what the batch added to it. Counters appended to
 * TOTALS_FIELDS (throttles, readUnits, writeUnits) become metrics without a change here.
 */
export const COUNTER_METRICS: readonly (MetricSpec & { name: Counter })[] = TOTALS_FIELDS.map((name) => ({ name, unit: 'Count' as const }));

/** The batch's other metrics. */
export const BATCH_METRICS = {
  /** Wall time of the MigrateBatch invocation. */
  batchDuration: { name: 'batchDuration', unit: 'Milliseconds' },
  /** The table's item count as Prepare read it (DynamoDB updates it about every six hours): what progress is measured against. */
  itemEstimate: { name: 'itemEstimate', unit: 'Count' },
  /** The run's maxItemsPerSecond; published only when the run has one (0 means no limit). */
  itemsPerSecondBudget: { name: 'itemsPerSecondBudget', unit: 'Count/Second' },
  /** The run's read and write budgets in capacity units a second, as Prepare resolved them (a percentage included); published only when the run has one. */
  readUnitsBudget: { name: 'readUnitsBudget', unit: 'Count/Second' },
  writeUnitsBudget: { name: 'writeUnitsBudget', unit: 'Count/Second' },
} as const satisfies Record<string, MetricSpec>;

/** Every metric name the Lambda publishes. */
export const METRIC_NAMES: readonly string[] = [...COUNTER_METRICS, ...Object.values(BATCH_METRICS)].map((m) => m.name);

/** The outcomes a scanned item ends in (each scanned item is counted in exactly one). */
export const OUTCOME_COUNTERS = ['updated', 'unchanged', 'deleted', 'failed', 'skipped'] as const satisfies readonly Counter[];

/** Counters of trouble short of a failed item; the dashboard shows those that exist. */
export const TROUBLE_COUNTERS = ['throttles', 'retries', 'conflicts'] as const;

/** Consumed capacity units; the dashboard shows those that exist (the capacity work appends them). */
export const CAPACITY_COUNTERS = ['readUnits', 'writeUnits'] as const;

const isCounter = (name: string): name is Counter => (TOTALS_FIELDS as readonly string[]).includes(name);

/** The names among `names` that are counters today, in their given order. */
export const countersPresent = (names: readonly string[]): Counter[] => names.filter(isCounter);

/** The messages of the Lambda's log lines (Powertools' `message` key), and the level each is logged at. */
export const LOG_MESSAGES = {
  'run.planned': 'INFO',
  'item.failed': 'WARN',
  'batch.done': 'INFO',
  'run.summarized': 'INFO',
  'step.failed': 'ERROR',
} as const;

/** A log line's message. */
export type LogMessage = keyof typeof LOG_MESSAGES;

/** The keys Powertools' Logger writes in every line. */
export const LOG_BASE_KEYS = { message: 'message', level: 'level', timestamp: 'timestamp', service: 'service' } as const;

/**
 * The keys our code adds. The first five are on every line of an invocation (segment and call on
 * MigrateBatch's); the others belong to particular messages.
 */
export const LOG_KEYS = {
  migrationId: 'migrationId',
  executionName: 'executionName',
  /** The Lambda request id (a random id where the caller has none, as in local runs). */
  invocation: 'invocation',
  step: 'step',
  segment: 'segment',
  /** Which MigrateBatch call of the segment this is (1, 2, ...). */
  call: 'call',
  /** A failed item's key, as JSON text: `{"pk":"order-1"}` (binary as `base64:...`). */
  key: 'key',
  /** Why the item failed, in our words; text from elsewhere appears as `[withheld]` (handlers/failure-reason.ts). */
  reason: 'reason',
  /** The whole reason, transform error text included: on DEBUG lines only. */
  reasonDetail: 'reasonDetail',
  done: 'done',
  totals: 'totals',
  plan: 'plan',
  status: 'status',
  error: 'error',
} as const;

/** A key our code may add to a log line. */
export type LogKey = (typeof LOG_KEYS)[keyof typeof LOG_KEYS];

/** Keys that may hold attribute values: dropped from every line unless the log level is DEBUG (or TRACE). */
export const DEBUG_ONLY_LOG_KEYS: readonly LogKey[] = [LOG_KEYS.reasonDetail];

/** A CloudWatch Logs Insights query listing item failures, newest first. */
export const failuresQuery = (): string =>
  [
    `fields @timestamp, ${LOG_KEYS.executionName}, ${LOG_KEYS.segment}, ${LOG_KEYS.key}, ${LOG_KEYS.reason}`,
    `filter ${LOG_BASE_KEYS.message} = "${'item.failed' satisfies LogMessage}"`,
    'sort @timestamp desc',
    'limit 100',
  ].join('\n| ');

/** A CloudWatch Logs Insights query showing how far each segment has got (its running totals at its last batch). */
export const segmentProgressQuery = (): string =>
  [
    `filter ${LOG_BASE_KEYS.message} = "${'batch.done' satisfies LogMessage}"`,
    `stats latest(${LOG_KEYS.totals}.${'scanned' satisfies Counter}) as scanned, latest(${LOG_KEYS.totals}.${'failed' satisfies Counter}) as failed, latest(${LOG_KEYS.done}) as finished, count(*) as calls by ${LOG_KEYS.executionName}, ${LOG_KEYS.segment}`,
    `sort ${LOG_KEYS.segment} asc`,
  ].join('\n| ');
