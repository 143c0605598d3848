import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Migration } from '../migrations/define';
import type { Summary, Verification } from '../workflow/contract';
import { InvalidStepEventError } from '../workflow/errors';
import type { Tuning } from '../workflow/input';
import { stepEventSchema, type EventOf, type InvocationContext, type ResultOf, type StepHandler, type StepName } from '../workflow/steps';
import { TOTALS_FIELDS } from '../workflow/totals';
import { batchMetrics } from './batch-metrics';
import { invocationId, invocationKeys } from './invocation-keys';
import { ItemMigrator } from './item-migrator';
import type { LogFields, Logger } from './log';
import { migrateBatch } from './migrate-batch';
import type { ConditionStyle } from './write-plan';
import { prepare } from './prepare';
import type { RunningExecutions } from './running-executions';
import { summarize } from './summarize';
import { silentTelemetry, type Telemetry } from './telemetry';
import { verifyBatch } from './verify-batch';

/** What the handler is built from: in Lambda from the environment, locally and in tests directly. */
export interface HandlerDependencies {
  client: DynamoDBClient;
  table: string;
  migration: Migration;
  defaults: Tuning;
  writeConcurrency?: number;
  /** The function's reserved concurrency, when it has one: Prepare refuses a maxConcurrency above it. */
  reservedConcurrency?: number;
  /** The other runs of this stack, so Prepare can refuse a second writer; absent, none is refused. */
  executions?: RunningExecutions;
  safetyMarginMs?: number;
  /** Where logs and metrics go; nowhere unless given (handlers/lambda.ts gives Powertools). */
  telemetry?: Telemetry;
  /** How write conditions compare maps and lists: whole values (AWS, the default) or element by element (dynalite). */
  conditionStyle?: ConditionStyle;
}

/** One invocation's logger, and the keys its lines and metrics carry. */
interface Invocation {
  log: Logger;
  keys: LogFields;
}

type Steps = { [S in StepName]: (event: EventOf<S>, context: InvocationContext, invocation: Invocation) => Promise<ResultOf<S>> };

/** The error as a log line shows it; our step errors' messages name fields and tables, never item values. */
const errorFields = (error: unknown) => (error instanceof Error ? { name: error.name, message: error.message } : { message: String(error) });

/** The counters of a run's output, for its last log line. */
const totalsOf = (output: Summary | Verification): Record<string, number> =>
  'migrationId' in output
    ? Object.fromEntries(TOTALS_FIELDS.map((field) => [field, output[field]]))
    : { checked: output.checked, migrated: output.migrated, unmigrated: output.unmigrated };

/** One Lambda handler for every step; the event's `step` says which runs, and the event is checked first. */
export function createHandler(deps: HandlerDependencies): StepHandler {
  const telemetry = deps.telemetry ?? silentTelemetry;
  const steps: Steps = {
    prepare: async (event, _context, { log }) => {
      const prepared = await prepare(event, deps);
      // Prepare plans from the input and the table; the execution's name rides along for later steps' logs.
      const plan = { ...prepared.plan, executionName: event.executionName };
      log('run.planned', { plan });
      return { ...prepared, plan };
    },
    migrateBatch: async (event, context, { log, keys }) => {
      const { plan } = event;
      const migrator = new ItemMigrator({
        client: deps.client,
        table: plan.table,
        keyAttributes: plan.keyAttributes,
        migration: deps.migration,
        dryRun: plan.dryRun,
        ...(plan.versionAttribute !== undefined && { versionAttribute: plan.versionAttribute }),
        ...(deps.conditionStyle && { conditionStyle: deps.conditionStyle }),
      });
      const started = Date.now();
      const pass = plan.pass.kind === 'verify' ? verifyBatch : migrateBatch;
      const remainingMs = () => context.getRemainingTimeInMillis();
      const progress = await pass(plan, event.segment, event.progress, {
        client: deps.client,
        migrator,
        remainingMs,
        ...(context.killed && { killed: context.killed }),
        safetyMarginMs: deps.safetyMarginMs ?? 10_000,
        writeConcurrency: deps.writeConcurrency ?? 16,
        log,
      });
      // Item metrics count migration passes; a verification's counters are another kind.
      if (plan.pass.kind === 'migrate') {
        const values = batchMetrics(plan, event.progress, progress, Date.now() - started);
        telemetry.publishBatch({ migrationId: plan.migrationId, table: plan.table }, values, keys);
      }
      return progress;
    },
    summarize: async (event, _context, { log }) => {
      const result = summarize(event);
      if (result.output) log('run.summarized', { status: result.output.status, totals: totalsOf(result.output) });
      return result;
    },
  };
  const handle = async (event: unknown, context: InvocationContext): Promise<unknown> => {
    const parsed = stepEventSchema.safeParse(event);
    if (!parsed.success) {
      const error = new InvalidStepEventError(parsed.error.issues.map((i) => `${i.path.join('.') || 'event'}: ${i.message}`).join('; '));
      telemetry.logger({ migrationId: deps.migration.id, invocation: invocationId(context) })('step.failed', { error: errorFields(error) });
      throw error;
    }
    const keys = invocationKeys(parsed.data, context, deps.migration.id);
    const log = telemetry.logger(keys);
    const run = steps[parsed.data.step] as (event: unknown, context: InvocationContext, invocation: Invocation) => Promise<unknown>;
    try {
      return await run(parsed.data, context, { log, keys });
    } catch (error) {
      log('step.failed', { error: errorFields(error) });
      throw error;
    }
  };
  return handle as StepHandler;
}
