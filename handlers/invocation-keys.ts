import { randomUUID } from 'node:crypto';
import type { InvocationContext, StepEvent } from '../workflow/steps';
import type { LogFields } from './log';

/** The invocation's id: Lambda's request id, or a random one where the caller gives none. */
export const invocationId = (context: InvocationContext): string => context.awsRequestId ?? randomUUID();

/**
 * What every log line and EMF line of one invocation carries: the migration, the execution, the
 * step, the invocation (Lambda's request id, or a random one where the caller gives none) and, for
 * MigrateBatch, the segment and which call of it this is.
 */
export function invocationKeys(event: StepEvent, context: InvocationContext, migrationId: string): LogFields {
  const invocation = invocationId(context);
  if (event.step === 'prepare') return { migrationId, executionName: event.executionName, invocation, step: event.step };
  const run = { migrationId: event.plan.migrationId, ...(event.plan.executionName && { executionName: event.plan.executionName }), invocation, step: event.step };
  return event.step === 'migrateBatch' ? { ...run, segment: event.segment, call: event.progress.calls + 1 } : run;
}
