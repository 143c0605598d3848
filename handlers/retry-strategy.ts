import { AsyncLocalStorage } from 'node:async_hooks';
import { StandardRetryStrategy } from '@smithy/core/retry';
import type { RetryErrorInfo, RetryStrategyV2, RetryToken, StandardRetryToken } from '@smithy/types';

/**
 * The SDK's standard retry — same error classification, exponential backoff with full jitter,
 * bounded by `maxAttempts` — but without the client-wide retry quota. The quota protects a fleet of
 * clients from retry storms by refusing retries once many have failed; in a migration that turns a
 * throttled or flaky stretch into item failures. Each request gets its own quota instead.
 */
export class PerRequestRetryStrategy implements RetryStrategyV2 {
  private readonly owners = new WeakMap<RetryToken, StandardRetryStrategy>();

  constructor(private readonly maxAttempts: number) {}

  async acquireInitialRetryToken(scope: string): Promise<RetryToken> {
    const strategy = new StandardRetryStrategy(this.maxAttempts);
    const token = await strategy.acquireInitialRetryToken(scope);
    this.owners.set(token, strategy);
    return token;
  }

  async refreshRetryTokenForRetry(token: StandardRetryToken, errorInfo: RetryErrorInfo): Promise<RetryToken> {
    const effort = callEffort.getStore();
    // Told before the SDK's own backoff sleep, so a pacer can slow down the calls not yet sent.
    if (errorInfo.errorType === 'THROTTLING') effort?.throttled();
    const strategy = this.owners.get(token) ?? new StandardRetryStrategy(this.maxAttempts);
    const next = await strategy.refreshRetryTokenForRetry(token, errorInfo);
    this.owners.set(next, strategy);
    effort?.retried();
    return next;
  }

  recordSuccess(token: StandardRetryToken): void {
    this.owners.get(token)?.recordSuccess(token);
  }
}

/**
 * The retries and throttled attempts of every DynamoDB call made inside `callEffort.run(effort, ...)`,
 * counted as the SDK decides them, so that a call abandoned at a deadline (and never answered) still
 * counts. A scope (`within`) adds its counts to its parent's and is told of each throttle at once.
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

  /** The SDK decided to retry a call. */
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
export const callEffort = new AsyncLocalStorage<CallEffort>();

/** How many times one DynamoDB call is tried before it counts as failed. */
export const DYNAMODB_MAX_ATTEMPTS = 10;
