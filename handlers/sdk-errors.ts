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
