import { ALL_ERRORS, LambdaServiceError, retrier } from '../asl/retry';
import type { Retrier } from '../asl/types';
import { permanentStepErrorNames } from './errors';

/**
 * How the workflow's tasks retry. Step Functions applies only the first retrier whose ErrorEquals
 * matches, so each error class has exactly one entry, and `States.ALL` comes last.
 */
export const retries = {
  /**
   * Lambda's concurrency is exhausted (many segments, a small account limit): wait it out. Backoff
   * from 2 s doubling to a 60 s cap with full jitter, 30 attempts: about 25 minutes at most.
   */
  lambdaThrottled: retrier([LambdaServiceError.throttled], { IntervalSeconds: 2, BackoffRate: 2, MaxDelaySeconds: 60, MaxAttempts: 30 }),
  /** The Lambda service failed the invoke itself (not our code). */
  lambdaTransient: retrier(LambdaServiceError.transient, { IntervalSeconds: 1, BackoffRate: 2, MaxDelaySeconds: 30, MaxAttempts: 6 }),
  /**
   * A MigrateBatch call that died (timeout, out of memory, a crash) is re-run from the cursor it was
   * given, which is exactly what a redrive would do.
   */
  batchCrashed: retrier([ALL_ERRORS], { IntervalSeconds: 5, BackoffRate: 2, MaxAttempts: 4 }),
  /**
   * DynamoDB control-plane calls (backups) that are throttled, busy or briefly unavailable. SDK
   * integration errors are named `DynamoDb.<Name>`, always with the `Exception` suffix.
   */
  dynamoDbTransient: retrier(
    [
      'DynamoDb.LimitExceededException',
      'DynamoDb.ThrottlingException',
      'DynamoDb.InternalServerErrorException',
      'DynamoDb.RequestLimitExceededException',
      'DynamoDb.TableInUseException',
      'DynamoDb.BackupInUseException',
    ],
    { IntervalSeconds: 2, BackoffRate: 2, MaxDelaySeconds: 60, MaxAttempts: 5 },
  ),
  /** DescribeBackup right after CreateBackup may not see the new backup yet. */
  backupNotYetVisible: retrier(['DynamoDb.BackupNotFoundException'], { IntervalSeconds: 1, BackoffRate: 2, MaxAttempts: 4 }),
} as const;

/**
 * Errors our steps throw that a retry would only repeat (the table is gone or forbidden, the input
 * or event is wrong) are retried once, after as long as a batch may run: a segment that fails
 * fails the Map Run, and Step Functions then aborts the other segments, whose Lambda calls would run
 * on unseen and their work be lost to the totals. Table-level errors reach every segment within one
 * batch, so by the time the first one fails the others have reported their progress and are
 * waiting here too, and the abort loses nothing.
 */
export const waitForOtherSegments = (batchTimeoutSeconds: number): Retrier => ({
  ErrorEquals: [...permanentStepErrorNames],
  IntervalSeconds: batchTimeoutSeconds,
  MaxAttempts: 1,
  BackoffRate: 1,
  JitterStrategy: 'NONE',
});

/** Every Lambda task: ride out throttling and the Lambda service's own failures. */
export const lambdaServiceRetries = [retries.lambdaThrottled, retries.lambdaTransient];
