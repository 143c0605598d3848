import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DYNAMODB_MAX_ATTEMPTS, PerRequestRetryStrategy } from './retry-strategy';

/**
 * The client settings every DynamoDB caller of a migration shares, deployed and local: backoff with
 * full jitter on throttling and transient errors without the client-wide retry quota, and timeouts,
 * without which a stalled connection waits for the socket default (minutes) on every attempt.
 */
export const migrationClientConfig = (maxAttempts = DYNAMODB_MAX_ATTEMPTS): DynamoDBClientConfig => ({
  retryStrategy: new PerRequestRetryStrategy(maxAttempts),
  requestHandler: { connectionTimeout: 3_000, requestTimeout: 30_000 },
});
