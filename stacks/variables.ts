import { Fn, Op, TerraformVariable, type IResolvable, type TerraformStack } from 'cdktf';
import { builtInTuning, limits, type Tuning } from '../workflow/input';

/** Retention values CloudWatch Logs accepts, in days; 0 keeps the events forever. */
export const LOG_RETENTION_DAYS = [
  0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** The Lambda limits the memory and timeout variables are checked against. */
export const lambdaLimits = {
  memorySize: { min: 128, max: 10_240, default: 1024 },
  timeoutSeconds: { min: 1, max: 900, default: 900 },
} as const;

/** Step Functions' logging levels (LoggingConfiguration.level). */
export const STATE_MACHINE_LOG_LEVELS = ['ALL', 'ERROR', 'FATAL', 'OFF'] as const;

/** The log levels of Lambda's advanced logging controls (application_log_level). */
export const LAMBDA_LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;

/** An SNS topic ARN, as `alarm_topic_arn` must be when it is not empty (no backslashes: HCL strings would need them doubled). */
export const SNS_TOPIC_ARN_PATTERN = '^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}([.]fifo)?$';

/** The pattern `name_prefix` must match: it becomes part of role, function and state machine names. */
export const NAME_PREFIX_PATTERN = '^[A-Za-z0-9_-]{1,40}$';

/** Terraform variable names of the tuning defaults, keyed by their execution input field. */
export const tuningVariableNames = {
  totalSegments: 'total_segments',
  maxConcurrency: 'max_concurrency',
  pageSize: 'page_size',
  maxItemsPerSecond: 'max_items_per_second',
  toleratedFailures: 'tolerated_failures',
  maxWriteUnitsPerSecond: 'max_write_units_per_second',
  maxReadUnitsPerSecond: 'max_read_units_per_second',
  writeCapacityPercent: 'write_capacity_percent',
  readCapacityPercent: 'read_capacity_percent',
} as const satisfies Record<keyof Tuning, string>;

const tuningDescriptions: Record<keyof Tuning, string> = {
  totalSegments: 'Default number of parallel scan segments (execution input totalSegments).',
  maxConcurrency: 'Default number of segments migrated at the same time (execution input maxConcurrency).',
  pageSize: 'Default number of items read per Scan page (execution input pageSize).',
  maxItemsPerSecond: 'Default cap on items processed per second by the whole run, shared by the running segments; 0 for no cap (execution input maxItemsPerSecond).',
  toleratedFailures: 'Default number of failed items the run tolerates before it fails (execution input toleratedFailures).',
  maxWriteUnitsPerSecond:
    'Default cap on write capacity units consumed per second by the whole run (the table\'s and every index\'s), shared by the running segments; 0 for no cap (execution input maxWriteUnitsPerSecond).',
  maxReadUnitsPerSecond: 'Default cap on read capacity units consumed per second by the whole run, shared by the running segments; 0 for no cap (execution input maxReadUnitsPerSecond).',
  writeCapacityPercent:
    'Default share, 1 to 100, of the provisioned write capacity of the table and of each GSI the run may use; 0 for none. Provisioned tables only (execution input writeCapacityPercent).',
  readCapacityPercent: 'Default share, 1 to 100, of the table\'s provisioned read capacity the run may use; 0 for none. Provisioned tables only (execution input readCapacityPercent).',
};

/** The stack's Terraform variables. */
export interface MigrationVariables {
  tableName: TerraformVariable;
  tableArn: TerraformVariable;
  tuning: Record<keyof Tuning, TerraformVariable>;
  lambdaMemorySize: TerraformVariable;
  lambdaTimeout: TerraformVariable;
  lambdaReservedConcurrency: TerraformVariable;
  logRetentionDays: TerraformVariable;
  stateMachineLogLevel: TerraformVariable;
  stateMachineIncludeExecutionData: TerraformVariable;
  lambdaLogLevel: TerraformVariable;
  alarmsEnabled: TerraformVariable;
  alarmTopicArn: TerraformVariable;
  namePrefix: TerraformVariable;
}

/**
 * `value == ""` as a Terraform condition. Literals go on the left in these operators: cdktf 0.21
 * renders a falsy right operand (`0`, `""`) as `undefined`.
 */
export const isEmptyString = (value: string): IResolvable => Op.eq(0, Fn.lengthOf(value));

/** `min <= value <= max` and whole, as a Terraform condition (literal `min` on the left, see above). */
function wholeNumberWithin(value: number, min: number, max: number): IResolvable {
  return Op.and(Op.and(Op.lte(min, value), Op.lte(value, max)), Op.eq(Fn.floor(value), value));
}

/** A number variable that must be a whole number within `range`. */
function boundedNumber(
  stack: TerraformStack,
  name: string,
  props: { description: string; default: number; range: { min: number; max: number } },
): TerraformVariable {
  const variable = new TerraformVariable(stack, name, { type: 'number', default: props.default, description: props.description });
  const { min, max } = props.range;
  variable.addValidation({
    condition: wholeNumberWithin(variable.numberValue, min, max),
    errorMessage: `${name} must be a whole number from ${min} to ${max}.`,
  });
  return variable;
}

/** Declares every variable of the stack; the construct ids are the variable names users set. */
export function migrationVariables(stack: TerraformStack): MigrationVariables {
  const tableName = new TerraformVariable(stack, 'table_name', {
    type: 'string',
    description: 'Name of the DynamoDB table to migrate.',
  });
  tableName.addValidation({
    condition: Fn.can(Fn.regex('^[a-zA-Z0-9_.-]{3,255}$', tableName.stringValue)),
    errorMessage: 'table_name must be a DynamoDB table name: 3 to 255 letters, digits, "_", "-" or ".".',
  });

  const tableArn = new TerraformVariable(stack, 'table_arn', {
    type: 'string',
    default: '',
    description: 'ARN of the table; leave empty to look it up from table_name in the provider region.',
  });
  tableArn.addValidation({
    condition: Op.or(
      isEmptyString(tableArn.stringValue),
      Fn.can(Fn.regex('^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:[0-9]{12}:table/[a-zA-Z0-9_.-]{3,255}$', tableArn.stringValue)),
    ),
    errorMessage: 'table_arn must be empty or a DynamoDB table ARN (arn:<partition>:dynamodb:<region>:<account>:table/<name>).',
  });

  const tuning = Object.fromEntries(
    (Object.keys(tuningVariableNames) as (keyof Tuning)[]).map((field) => [
      field,
      boundedNumber(stack, tuningVariableNames[field], {
        description: tuningDescriptions[field],
        default: builtInTuning[field],
        range: limits[field],
      }),
    ]),
  ) as Record<keyof Tuning, TerraformVariable>;

  const lambdaMemorySize = boundedNumber(stack, 'lambda_memory_size', {
    description: 'Memory of the migration Lambda in MB; CPU grows with it.',
    default: lambdaLimits.memorySize.default,
    range: lambdaLimits.memorySize,
  });
  const lambdaTimeout = boundedNumber(stack, 'lambda_timeout', {
    description: 'Timeout of the migration Lambda in seconds; each batch stops early enough to return its cursor.',
    default: lambdaLimits.timeoutSeconds.default,
    range: lambdaLimits.timeoutSeconds,
  });

  // -1 reserves nothing (the function shares the account's unreserved concurrency); 0 would stop it.
  const lambdaReservedConcurrency = new TerraformVariable(stack, 'lambda_reserved_concurrency', {
    type: 'number',
    default: -1,
    description:
      'Concurrency reserved for the migration Lambda: -1 for none, or 1 to 1000. Reserving it keeps other functions from starving the migration and caps how much it can take; a run whose maxConcurrency exceeds it is refused.',
  });
  lambdaReservedConcurrency.addValidation({
    condition: Op.or(Op.eq(-1, lambdaReservedConcurrency.numberValue), wholeNumberWithin(lambdaReservedConcurrency.numberValue, 1, 1000)),
    errorMessage: 'lambda_reserved_concurrency must be -1 (no reservation) or a whole number from 1 to 1000.',
  });

  const logRetentionDays = new TerraformVariable(stack, 'log_retention_days', {
    type: 'number',
    default: 30,
    description: 'How many days the Lambda and state machine logs are kept (0 keeps them forever).',
  });
  logRetentionDays.addValidation({
    condition: Fn.contains([...LOG_RETENTION_DAYS], logRetentionDays.numberValue),
    errorMessage: `log_retention_days must be one of the values CloudWatch Logs accepts: ${LOG_RETENTION_DAYS.join(', ')}.`,
  });

  // ERROR: Step Functions keeps every event in the execution history anyway; the log group gets what
  // needs attention. Without execution data, no state input or output (item samples) reaches the log.
  const stateMachineLogLevel = new TerraformVariable(stack, 'state_machine_log_level', {
    type: 'string',
    default: 'ERROR',
    description: 'Which execution events the state machine sends to its log group: ALL, ERROR, FATAL or OFF.',
  });
  stateMachineLogLevel.addValidation({
    condition: Fn.contains([...STATE_MACHINE_LOG_LEVELS], stateMachineLogLevel.stringValue),
    errorMessage: `state_machine_log_level must be one of ${STATE_MACHINE_LOG_LEVELS.join(', ')}.`,
  });
  const stateMachineIncludeExecutionData = new TerraformVariable(stack, 'state_machine_include_execution_data', {
    type: 'bool',
    default: false,
    description: 'Whether state inputs and outputs (which can hold item keys and sample items) go into the state machine log events.',
  });

  // INFO: batch summaries and item failures with key and reason. DEBUG adds each failure's whole
  // reason, which can quote attribute values (a transform's error message).
  const lambdaLogLevel = new TerraformVariable(stack, 'lambda_log_level', {
    type: 'string',
    default: 'INFO',
    description: 'Lowest level of the migration Lambda log lines that reach its log group: TRACE, DEBUG, INFO, WARN, ERROR or FATAL. DEBUG adds the whole reason of each item failure, which can quote attribute values.',
  });
  lambdaLogLevel.addValidation({
    condition: Fn.contains([...LAMBDA_LOG_LEVELS], lambdaLogLevel.stringValue),
    errorMessage: `lambda_log_level must be one of ${LAMBDA_LOG_LEVELS.join(', ')}.`,
  });

  const alarmsEnabled = new TerraformVariable(stack, 'alarms_enabled', {
    type: 'bool',
    default: false,
    description: 'Whether to create CloudWatch alarms on failed items and on a failed execution, notifying alarm_topic_arn (or a new SNS topic).',
  });
  const alarmTopicArn = new TerraformVariable(stack, 'alarm_topic_arn', {
    type: 'string',
    default: '',
    description: 'SNS topic the alarms notify; leave empty to create one (<name_prefix>-alarms) when alarms_enabled is true.',
  });
  alarmTopicArn.addValidation({
    condition: Op.or(isEmptyString(alarmTopicArn.stringValue), Fn.can(Fn.regex(SNS_TOPIC_ARN_PATTERN, alarmTopicArn.stringValue))),
    errorMessage: 'alarm_topic_arn must be empty or an SNS topic ARN (arn:<partition>:sns:<region>:<account>:<name>).',
  });

  const namePrefix = new TerraformVariable(stack, 'name_prefix', {
    type: 'string',
    default: 'ddb-migration',
    description: 'Prefix of every resource name; give each table its own so two stacks can live in one account.',
  });
  namePrefix.addValidation({
    condition: Fn.can(Fn.regex(NAME_PREFIX_PATTERN, namePrefix.stringValue)),
    errorMessage: 'name_prefix must be 1 to 40 letters, digits, "_" or "-".',
  });

  return {
    tableName,
    tableArn,
    tuning,
    lambdaMemorySize,
    lambdaTimeout,
    lambdaReservedConcurrency,
    logRetentionDays,
    stateMachineLogLevel,
    stateMachineIncludeExecutionData,
    lambdaLogLevel,
    alarmsEnabled,
    alarmTopicArn,
    namePrefix,
  };
}
