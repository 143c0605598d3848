/**
 * A migration Lambda that dies mid-batch, as a real one does when it runs out of memory or its
 * container is recycled: one chosen MigrateBatch invocation stops right before its next write, the
 * requests it would still make never reach DynamoDB, and Step Functions sees a Runtime.ExitError.
 * Requests are tied to their invocation with AsyncLocalStorage, so other invocations are unaffected.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LocalLambda } from '../../local/lambda-service';
import type { EventOf, InvocationContext, StepEvent, StepHandler } from '../../workflow/steps';
import { WRITE_COMMANDS } from './faults';

/** The error Step Functions reports for a Lambda whose process exited mid-invocation. */
export class LambdaCrashError extends Error {
  constructor() {
    super('RequestId: 00000000-0000-0000-0000-000000000000 Error: Runtime exited with error: signal: killed');
    this.name = 'Runtime.ExitError';
  }
}

/** What a dead process's pending requests run into (never retried: the process is gone). */
class ProcessGoneError extends Error {
  constructor() {
    super('the Lambda process exited; this request was never sent');
    this.name = 'ProcessGoneError';
  }
}

interface Invocation {
  segment: number;
  writes: number;
  armed: boolean;
  dead: boolean;
  kill: (error: Error) => void;
}

/** Which invocation dies and when. */
export interface CrashPlan {
  /** Invocations whose event matches may die; the first of them to reach `afterWrites` does (only one ever dies). */
  when: (event: EventOf<'migrateBatch'>) => boolean;
  /** It dies right before sending its write number `afterWrites + 1`. */
  afterWrites: number;
}

/** The crashing Lambda and what happened. */
export interface CrashingLambda {
  lambda: LocalLambda;
  crash: { happened: boolean; segment?: number; writesByCrashedInvocation: number };
  /** Resolves when every invocation started so far, the dead one included, has stopped doing anything. */
  settled(): Promise<void>;
}

/**
 * Wraps `handler` (which must use `client`) so that one invocation chosen by `plan` dies. Once it
 * has died, the execution has failed: no new MigrateBatch invocation starts (Step Functions would not
 * schedule one either), while those already running finish.
 */
export function crashingLambda(healthy: LocalLambda, client: DynamoDBClient, plan: CrashPlan): CrashingLambda {
  const handler = healthy.handler as (event: StepEvent, context: InvocationContext) => Promise<unknown>;
  const storage = new AsyncLocalStorage<Invocation>();
  const running = new Set<Promise<unknown>>();
  const result: CrashingLambda = {
    crash: { happened: false, writesByCrashedInvocation: 0 },
    lambda: {
      client,
      handler: (async (event: StepEvent, context: InvocationContext) => {
        if (event.step !== 'migrateBatch') return handler(event, context);
        if (result.crash.happened) throw new LambdaCrashError();
        let kill!: (error: Error) => void;
        const killed = new Promise<never>((_, reject) => (kill = reject));
        killed.catch(() => undefined);
        const invocation: Invocation = { segment: event.segment, writes: 0, armed: plan.when(event), dead: false, kill };
        const work = storage.run(invocation, () => handler(event, context));
        const tracked = work.catch(() => undefined);
        running.add(tracked);
        void tracked.then(() => running.delete(tracked));
        return Promise.race([work, killed]);
      }) as StepHandler,
    },
    async settled() {
      while (running.size > 0) await Promise.all([...running]);
    },
  };

  client.middlewareStack.add(
    (next, context) => async (args) => {
      const invocation = storage.getStore();
      if (invocation?.dead) throw new ProcessGoneError();
      if (invocation && WRITE_COMMANDS.includes(String(context.commandName))) {
        if (invocation.armed && !result.crash.happened && invocation.writes >= plan.afterWrites) {
          invocation.dead = true;
          Object.assign(result.crash, { happened: true, segment: invocation.segment, writesByCrashedInvocation: invocation.writes });
          invocation.kill(new LambdaCrashError());
          throw new ProcessGoneError();
        }
        invocation.writes += 1;
      }
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'lambdaCrash' },
  );
  return result;
}
