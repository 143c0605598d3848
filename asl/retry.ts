import type { Catcher, JsonPath, Retrier } from './types';

/** Names Step Functions gives errors of the Lambda service itself (not of the function's code). */
export const LambdaServiceError = {
  throttled: 'Lambda.TooManyRequestsException',
  /** Transient service-side failures AWS recommends retrying on every Lambda task. */
  transient: [
    'Lambda.ServiceException',
    'Lambda.AWSLambdaException',
    'Lambda.SdkClientException',
    'Lambda.ClientExecutionTimeoutException',
  ],
} as const;

/** The error name that matches every error; it must stand alone and last in a Retry or Catch list. */
export const ALL_ERRORS = 'States.ALL';

/** A retrier for `errors` with full jitter unless said otherwise. */
export function retrier(errors: readonly string[], options: Omit<Retrier, 'ErrorEquals'>): Retrier {
  if (errors.length === 0) throw new Error('A retrier needs at least one error name');
  return { ErrorEquals: [...errors], ...(options.MaxAttempts !== 0 && { JitterStrategy: 'FULL' }), ...options };
}

/** Errors that would only happen again: listed before a catch-all retrier so it never sees them. */
export const neverRetried = (errors: readonly string[]): Retrier => ({ ErrorEquals: [...errors], MaxAttempts: 0 });

/** Catches every error, keeps it at `resultPath` (the state's input is otherwise kept) and goes to `next`. */
export const catchAll = (next: string, resultPath: JsonPath): Catcher => ({ ErrorEquals: [ALL_ERRORS], ResultPath: resultPath, Next: next });
