/**
 * The Lambda service, locally: invokes the migration handler in-process with the deployed function's
 * time limit, and fails the way the real service fails, so the definition's retries are exercised.
 * - An invocation still running at its timeout is killed: Step Functions sees `Sandbox.Timedout`, and
 *   the requests the dead invocation would still send never reach DynamoDB (the process is gone).
 * - Injected service faults: `Lambda.TooManyRequestsException` (the account's or function's
 *   concurrency is exhausted) and `Lambda.ServiceException`, neither of which runs the handler.
 * https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { InvocationContext, StepHandler } from '../workflow/steps';

/** The handler to run, and the DynamoDB client it uses (so a killed invocation's requests can be stopped). */
export interface LocalLambda {
  handler: StepHandler;
  client?: DynamoDBClient;
}

/** Faults of the Lambda service to inject, as shares of invocations (0 to 1). */
export interface LambdaFaults {
  throttled?: number;
  serviceErrors?: number;
  /** Where the dice come from (tests pass a seeded one). */
  random?: () => number;
}

/** An error the Lambda service (not the function) raised, named as Step Functions reports it. */
export class LambdaServiceFault extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

interface Invocation {
  /** Aborts when the invocation is killed: the handler's batch then sends nothing more (handlers/deadline.ts). */
  killed: AbortController;
  /** When its time is up (epoch ms); a graceful stop moves it earlier. */
  deadline: number;
}

/** Invokes the local Lambda as the Lambda service would. */
export class LocalLambdaService {
  private readonly running = new Set<Promise<unknown>>();
  private readonly live = new Set<Invocation>();
  /** Every invocation the handler ran (faults refused before running are not counted). */
  invocations = 0;
  /** How many invocations were killed at their timeout. */
  timeouts = 0;

  constructor(
    private readonly lambda: LocalLambda,
    private readonly options: { timeoutMs: number; faults?: LambdaFaults },
  ) {
  }

  /** One invocation with `event`; resolves with the handler's result, or fails as the service would. */
  async invoke(event: unknown): Promise<unknown> {
    const faults = this.options.faults ?? {};
    const roll = (faults.random ?? Math.random)();
    if (roll < (faults.throttled ?? 0)) throw new LambdaServiceFault('Lambda.TooManyRequestsException', 'Rate Exceeded.');
    if (roll < (faults.throttled ?? 0) + (faults.serviceErrors ?? 0)) {
      throw new LambdaServiceFault('Lambda.ServiceException', 'Lambda encountered an internal error; please try again.');
    }

    this.invocations += 1;
    const { timeoutMs } = this.options;
    const invocation: Invocation = { killed: new AbortController(), deadline: Date.now() + timeoutMs };
    const work = (this.lambda.handler as (event: unknown, context: InvocationContext) => Promise<unknown>)(event, {
      getRemainingTimeInMillis: () => invocation.deadline - Date.now(),
      killed: invocation.killed.signal,
    });
    const tracked = work.catch(() => undefined);
    this.running.add(tracked);
    this.live.add(invocation);
    void tracked.finally(() => {
      this.running.delete(tracked);
      this.live.delete(invocation);
    });

    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        invocation.killed.abort();
        this.timeouts += 1;
        reject(new LambdaServiceFault('Sandbox.Timedout', `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([work, killed]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Gives every running invocation at most `graceMs` more: a MigrateBatch follows its remaining time
   * (handlers/deadline.ts), so it finishes the writes in flight and returns exact progress at once.
   */
  shortenRunning(graceMs: number): void {
    const by = Date.now() + graceMs;
    for (const invocation of this.live) invocation.deadline = Math.min(invocation.deadline, by);
  }

  /** Resolves once no invocation is running still (killed ones included), so the table is final. */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}
