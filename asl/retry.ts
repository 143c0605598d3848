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
  /** DynamoDB control-plane calls (backups) that are throttled or briefly unavailable. */
  dynamoDbTransient: {
    ErrorEquals: [
      'DynamoDb.LimitExceededException',
      'DynamoDb.ThrottlingException',
      'DynamoDb.InternalServerErrorException',
      'DynamoDb.RequestLimitExceeded',
    ],
    IntervalSeconds: 2,
    MaxAttempts: 5,
    BackoffRate: 2,
    MaxDelaySeconds: 60,
    JitterStrategy: 'FULL',
  },
} satisfies Record<string, Retrier>;

/** Catches every error, keeps it at `resultPath` (the state's input is otherwise kept) and goes to `next`. */
export const catchAll = (next: string, resultPath: JsonPath): Catcher => ({ ErrorEquals: ['States.ALL'], ResultPath: resultPath, Next: next });
