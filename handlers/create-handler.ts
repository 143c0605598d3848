import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Migration } from '../migrations/define';
import type { PrepareResult, SegmentProgress, StepEvent, SummarizeResult } from '../workflow/contract';
import type { Tuning } from '../workflow/input';
import { UnknownStepError } from './errors';
import { ItemMigrator } from './item-migrator';
import { jsonLogger, type Logger } from './log';
import { migrateBatch } from './migrate-batch';
import { prepare } from './prepare';
import { summarize } from './summarize';

/** What the handler is built from: in Lambda from the environment, locally and in tests directly. */
export interface HandlerDependencies {
  client: DynamoDBClient;
  table: string;
  migration: Migration;
  defaults: Tuning;
  writeConcurrency?: number;
  safetyMarginMs?: number;
  log?: Logger;
}

/** The part of the Lambda context the handler uses. */
export interface InvocationContext {
  getRemainingTimeInMillis(): number;
}

export type StepResult = PrepareResult | SegmentProgress | SummarizeResult;

/** One Lambda handler for every step; the payload's `step` says which runs. */
export function createHandler(deps: HandlerDependencies): (event: StepEvent, context: InvocationContext) => Promise<StepResult> {
  const log = deps.log ?? jsonLogger;
  return async (event, context) => {
    switch (event?.step) {
      case 'prepare':
        return prepare(event.input, event.executionName, { ...deps });
      case 'migrateBatch': {
        const { plan } = event;
        const migrator = new ItemMigrator({
          client: deps.client,
          table: plan.table,
          keyAttributes: plan.keyAttributes,
          migration: deps.migration,
          dryRun: plan.dryRun,
          ...(plan.versionAttribute !== undefined && { versionAttribute: plan.versionAttribute }),
        });
        return migrateBatch(plan, event.segment, event.progress, {
          client: deps.client,
          migrator,
          remainingMs: () => context.getRemainingTimeInMillis(),
          safetyMarginMs: deps.safetyMarginMs ?? 10_000,
          writeConcurrency: deps.writeConcurrency ?? 16,
          log,
        });
      }
      case 'summarize':
        return summarize(event.plan, event.backup, event.segments);
      default:
        throw new UnknownStepError((event as { step?: unknown } | undefined)?.step);
    }
  };
}
