/** The table named by the stack or `--table` does not exist in this account and region. */
export class TableNotFoundError extends Error {
  constructor(table: string, options?: ErrorOptions) {
    super(
      `Table '${table}' was not found. Check the table name (Terraform variable table_name, or --table) and the region (AWS_REGION or --region).`,
      options,
    );
    this.name = 'TableNotFoundError';
  }
}

/** DynamoDB refused the call: the role lacks a permission. Nothing more is attempted. */
export class TableAccessError extends Error {
  constructor(table: string, action: string, options?: ErrorOptions) {
    super(
      `Access to table '${table}' was denied for ${action}. Grant the migration role that action on the table (the stack does), or use credentials that have it.`,
      options,
    );
    this.name = 'TableAccessError';
  }
}

/** The Lambda was invoked with a payload no step understands. */
export class UnknownStepError extends Error {
  constructor(step: unknown) {
    super(`Unknown step ${JSON.stringify(step)}; expected 'prepare', 'migrateBatch' or 'summarize'.`);
    this.name = 'UnknownStepError';
  }
}

const errorName = (error: unknown): string => (error instanceof Error ? error.name : '');

/** Errors that concern the whole table, not one item: the batch stops and the execution fails. */
export function tableLevelError(error: unknown, table: string, action: string): Error | undefined {
  const name = errorName(error);
  if (name === 'ResourceNotFoundException') return new TableNotFoundError(table, { cause: error });
  if (name === 'AccessDeniedException' || name === 'UnrecognizedClientException') {
    return new TableAccessError(table, action, { cause: error });
  }
  return undefined;
}
