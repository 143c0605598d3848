import { isThrottlingError as isSdkThrottlingError } from '@smithy/core/retry';
import type { SdkError } from '@smithy/types';
import { TableAccessError, TableNotFoundError } from '../workflow/errors';

const errorName = (error: unknown): string => (error instanceof Error ? error.name : '');

/** Turns DynamoDB errors that concern the whole table, not one item, into the step errors that stop the batch. */
export function tableLevelError(error: unknown, table: string, action: string): Error | undefined {
  const name = errorName(error);
  if (name === 'ResourceNotFoundException') return new TableNotFoundError(table, { cause: error });
  if (name === 'AccessDeniedException' || name === 'UnrecognizedClientException') {
    return new TableAccessError(table, action, { cause: error });
  }
  return undefined;
}

/**
 * Whether DynamoDB refused a call for lack of capacity: ProvisionedThroughputExceededException
 * (table or index), ThrottlingException (on-demand and control-plane limits), RequestLimitExceeded
 * (the account's throughput quota). The SDK's own classification, so it matches what its retries do.
 */
export const isThrottlingError = (error: unknown): boolean => error instanceof Error && isSdkThrottlingError(error as SdkError);
