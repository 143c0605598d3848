/**
 * The errors the Lambda's steps throw on purpose. Each class carries the name Step Functions matches
 * in Retry and Catch (`errorName`), and sets it on its instances, so the definition's retriers and
 * the handler's throws come from one place and a rename changes both.
 */

/** The execution input, or the stack's tuning defaults, is not valid; the message names each bad field. */
export class InvalidInputError extends Error {
  static readonly errorName = 'InvalidInputError';
  constructor(
    message: string,
    readonly problems: string[],
  ) {
    super(message);
    this.name = InvalidInputError.errorName;
  }
}

/** The table named by the stack or `--table` does not exist in this account and region. */
export class TableNotFoundError extends Error {
  static readonly errorName = 'TableNotFoundError';
  constructor(table: string, options?: ErrorOptions) {
    super(
      `Table '${table}' was not found. Check the table name (Terraform variable table_name, or --table) and the region (AWS_REGION or --region).`,
      options,
    );
    this.name = TableNotFoundError.errorName;
  }
}

/** DynamoDB refused the call: the role lacks a permission. Nothing more is attempted. */
export class TableAccessError extends Error {
  static readonly errorName = 'TableAccessError';
  constructor(table: string, action: string, options?: ErrorOptions) {
    super(
      `Access to table '${table}' was denied for ${action}. Grant the migration role that action on the table (the stack does), or use credentials that have it.`,
      options,
    );
    this.name = TableAccessError.errorName;
  }
}

/** The Lambda was invoked with a payload that is not one of the steps' events. */
export class InvalidStepEventError extends Error {
  static readonly errorName = 'InvalidStepEventError';
  constructor(problems: string) {
    super(`The Lambda was invoked with an event no step accepts: ${problems}. It is invoked by the migration state machine; start an execution instead of invoking it directly.`);
    this.name = InvalidStepEventError.errorName;
  }
}

/** Another run of the same stack is migrating the table: two at once would double the load and race each other. */
export class RunInProgressError extends Error {
  static readonly errorName = 'RunInProgressError';
  constructor(other: { name: string; arn: string }, how: string) {
    super(
      `Another run is migrating this table: '${other.name}' (${other.arn}). Wait for it to end, or stop it first: ${how}. A verification (mode "verify") may run alongside.`,
    );
    this.name = RunInProgressError.errorName;
  }
}

/** Every error class a step throws on purpose. */
export const stepErrors = [InvalidInputError, TableNotFoundError, TableAccessError, InvalidStepEventError, RunInProgressError] as const;

/** The errors the definition's Fail states end an execution with. */
export const WorkflowFailure = {
  backupNotAvailable: 'BackupNotAvailable',
  toleratedFailuresExceeded: 'ToleratedFailuresExceeded',
  notFullyMigrated: 'NotFullyMigrated',
} as const;

/** Names of errors that running the step again would only repeat: the definition never retries them. */
export const permanentStepErrorNames: readonly string[] = stepErrors.map((e) => e.errorName);
