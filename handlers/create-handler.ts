import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Migration } from '../migrations/define';
import { InvalidStepEventError } from '../workflow/errors';
import type { Tuning } from '../workflow/input';
import { stepEventSchema, type EventOf, type InvocationContext, type ResultOf, type StepHandler, type StepName } from '../workflow/steps';
import { followingRemainingTime } from './deadline';
import { ItemMigrator } from './item-migrator';
import { jsonLogger, type Logger } from './log';
import { migrateBatch } from './migrate-batch';
import type { ConditionStyle } from './write-plan';
import { prepare } from './prepare';
import { summarize } from './summarize';

/** What the handler is built from: in Lambda from the environment, locally and in tests directly. */
export interface HandlerDependencies {
  client: DynamoDBClient;
  table: string;
  migration: Migration;
  defaults: Tuning;
  writeConcurrency?: number;
  /** The function's reserved concurrency, when it has one: Prepare refuses a maxConcurrency above it. */
  reservedConcurrency?: number;
  safetyMarginMs?: number;
  /** How write conditions compare maps and lists: whole values (AWS, the default) or element by element (dynalite). */
  conditionStyle?: ConditionStyle;
  log?: Logger;
}

type Steps = { [S in StepName]: (event: EventOf<S>, context: InvocationContext) => Promise<ResultOf<S>> };

/** One Lambda handler for every step; the event's `step` says which runs, and the event is checked first. */
export function createHandler(deps: HandlerDependencies): StepHandler {
  const log = deps.log ?? jsonLogger;
  const steps: Steps = {
    prepare: (event) => prepare(event.input, event.executionName, deps),
    migrateBatch: (event, context) => {
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
      const remainingMs = () => context.getRemainingTimeInMillis();
      return followingRemainingTime(remainingMs, () => migrateBatch(plan, event.segment, event.progress, {
        client: deps.client,
        migrator,
        remainingMs,
        safetyMarginMs: deps.safetyMarginMs ?? 10_000,
        writeConcurrency: deps.writeConcurrency ?? 16,
        log,
      }));
    },
    summarize: async (event) => summarize(event.plan, event.backup, event.segments),
  };
  const handle = async (event: unknown, context: InvocationContext): Promise<unknown> => {
    const parsed = stepEventSchema.safeParse(event);
    if (!parsed.success) {
      throw new InvalidStepEventError(parsed.error.issues.map((i) => `${i.path.join('.') || 'event'}: ${i.message}`).join('; '));
    }
    const run = steps[parsed.data.step] as (event: unknown, context: InvocationContext) => Promise<unknown>;
    return run(parsed.data, context);
  };
  return handle as StepHandler;
}
