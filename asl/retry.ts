import type { Catcher, JsonPath, Retrier } from './types';

/** Retry presets, named for the failures they absorb. */
export const retryPolicy = {
  /** The retry AWS recommends for every Lambda task: the Lambda service's own transient errors. */
  lambdaTransient: {
    ErrorEquals: [
      'Lambda.ServiceException',
      'Lambda.AWSLambdaException',
      'Lambda.SdkClientException',
      'Lambda.TooManyRequestsException',
    ],
    IntervalSeconds: 1,
    MaxAttempts: 3,
    BackoffRate: 2,
    JitterStrategy: 'FULL',
  },
  /**
   * DynamoDB control-plane calls (backups) that are throttled, busy or briefly unavailable. SDK
   * integration errors are named `DynamoDb.<Name>`, always with the `Exception` suffix.
   */
  dynamoDbTransient: {
    ErrorEquals: [
      'DynamoDb.LimitExceededException',
      'DynamoDb.ThrottlingException',
      'DynamoDb.InternalServerErrorException',
      'DynamoDb.RequestLimitExceededException',
      'DynamoDb.TableInUseException',
      'DynamoDb.BackupInUseException',
    ],
    IntervalSeconds: 2,
    MaxAttempts: 5,
    BackoffRate: 2,
    MaxDelaySeconds: 60,
    JitterStrategy: 'FULL',
  },
  /**
   * A MigrateBatch call that died (timeout, out of memory, a crash) is re-run from the cursor it was
   * given, which is exactly what a redrive would do; but errors that say the table is gone or
   * forbidden, or the payload is wrong, would only fail again (`MaxAttempts: 0`).
   */
  batchNotRetried: {
    ErrorEquals: ['TableNotFoundError', 'TableAccessError', 'UnknownStepError', 'InvalidInputError'],
    MaxAttempts: 0,
  },
  batchCrashed: {
    ErrorEquals: ['States.ALL'],
    IntervalSeconds: 5,
    MaxAttempts: 4,
    BackoffRate: 2,
    JitterStrategy: 'FULL',
  },
} satisfies Record<string, Retrier>;

/** Catches every error, keeps it at `resultPath` (the state's input is otherwise kept) and goes to `next`. */
export const catchAll = (next: string, resultPath: JsonPath): Catcher => ({ ErrorEquals: ['States.ALL'], ResultPath: resultPath, Next: next });
