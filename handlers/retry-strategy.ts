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
    const strategy = this.owners.get(token) ?? new StandardRetryStrategy(this.maxAttempts);
    const next = await strategy.refreshRetryTokenForRetry(token, errorInfo);
    this.owners.set(next, strategy);
    return next;
  }

  recordSuccess(token: StandardRetryToken): void {
    this.owners.get(token)?.recordSuccess(token);
  }
}


/** How many times one DynamoDB call is tried before it counts as failed. */
export const DYNAMODB_MAX_ATTEMPTS = 10;
