import type { Handler, HandlerExecutionContext } from '@smithy/types';
import { isThrottlingError } from './sdk-errors';

/** The commands whose attempts are being counted, and into which effort. */
const tracked = new WeakMap<object, { effort: CallEffort; attempts: number }>();
const instrumented = new WeakSet<object>();

/** Where the SDK keeps the command in a middleware's context. */
const SMITHY_CONTEXT = '__smithy_context';

/** A client, as far as adding a middleware needs. */
interface Client {
  middlewareStack: { addRelativeTo: (...args: never[]) => unknown };
}

type Middleware = (next: Handler<object, object>, context: HandlerExecutionContext) => Handler<object, object>;
type AddRelativeTo = (middleware: Middleware, options: { relation: 'after'; toMiddleware: string; name: string }) => void;

/**
 * Lets `client` count the attempts of tracked commands: one middleware right inside the SDK's retry
 * middleware sees every attempt it makes (whatever fails it further in: signing, the network,
 * DynamoDB) and tells of a throttled one before the SDK sleeps on it. Added once per client;
 * untracked commands pass through.
 */
export function countAttemptsOn(client: Client): void {
  if (instrumented.has(client)) return;
  instrumented.add(client);
  const counting: Middleware = (next, context) => async (args) => {
    const command = (context[SMITHY_CONTEXT] as { commandInstance?: object } | undefined)?.commandInstance;
    const entry = command && tracked.get(command);
    if (!entry) return next(args);
    if (entry.attempts++ > 0) entry.effort.retried();
    try {
      return await next(args);
    } catch (error) {
      if (isThrottlingError(error)) entry.effort.throttled();
      throw error;
    }
  };
  (client.middlewareStack as { addRelativeTo: AddRelativeTo }).addRelativeTo(counting, { relation: 'after', toMiddleware: 'retryMiddleware', name: 'callEffort' });
}

/**
 * The retries and throttled attempts of DynamoDB calls, counted as the SDK makes them, so that a call
 * abandoned at a deadline (and never answered) still counts, and a pacer hears of a throttle as it
 * happens. A command counts once `track`ed, on a client `countAttemptsOn` was given. (Not
 * AsyncLocalStorage: its promise hooks cost about a third of a batch's CPU.) A scope (`within`)
 * adds its counts to its parent's and is told of each throttle at once.
 */
export class CallEffort {
  retries = 0;
  /** Attempts DynamoDB refused for lack of capacity (the SDK's THROTTLING class), retried or not. */
  throttles = 0;

  constructor(
    private readonly parent?: CallEffort,
    private readonly onThrottle?: () => void,
  ) {}

  /** A scope whose counts also go to this effort, and whose throttles call `onThrottle` as they happen. */
  within(onThrottle: () => void): CallEffort {
    return new CallEffort(this, onThrottle);
  }

  /** Counts the attempts of `command` into this effort; returns it. */
  track<C extends object>(command: C): C {
    tracked.set(command, { effort: this, attempts: 0 });
    return command;
  }

  /** The SDK retried a call. */
  retried(): void {
    this.retries += 1;
    this.parent?.retried();
  }

  /** An attempt was refused for lack of capacity. */
  throttled(): void {
    this.throttles += 1;
    this.onThrottle?.();
    this.parent?.throttled();
  }
}

/** What a call site uses to count its command's attempts. */
export type Track = <C extends object>(command: C) => C;

/** Sends commands as they are, counting nothing (calls outside a batch's budget). */
export const untracked: Track = (command) => command;
