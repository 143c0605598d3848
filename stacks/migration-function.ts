import type { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { AssetType, Fn, TerraformAsset, type TerraformStack } from 'cdktf';
import { LAMBDA_HANDLER, type LambdaBundle } from '../bundle/lambda-bundle';
import type { Tuning } from '../workflow/input';
import { componentIdentity } from './component-identity';
import { logWriteStatement, runningExecutionsStatements, tableAccessStatement } from './iam';

/** What the migration Lambda is built from; strings and numbers may be Terraform expressions. */
export interface MigrationFunctionProps {
  bundle: LambdaBundle;
  functionName: string;
  logGroupName: string;
  tableName: string;
  tableArn: string;
  tuning: Record<keyof Tuning, number>;
  memorySize: number;
  timeoutSeconds: number;
  /** -1 for none, else the concurrency reserved for the function. */
  reservedConcurrency: number;
  /** The state machine whose running executions Prepare looks at, and an ARN pattern of those executions. */
  stateMachine: { arn: string; executionsArn: string };
  logRetentionDays: number;
  /** Lambda's application log level (advanced logging controls), which Powertools' Logger follows. */
  logLevel: string;
}

/** The migration Lambda and what it needs. */
export interface MigrationFunction {
  fn: LambdaFunction;
  logGroup: CloudwatchLogGroup;
}

/**
 * The Lambda that runs every step, with its log group and its own role: the table's item and
 * describe calls, and writing to that log group.
 */
export function migrationFunction(stack: TerraformStack, props: MigrationFunctionProps): MigrationFunction {
  const { logGroup, role, policy } = componentIdentity(stack, {
    id: 'lambda',
    logGroupName: props.logGroupName,
    logRetentionDays: props.logRetentionDays,
    roleName: props.functionName,
    roleDescription: 'Runs the DynamoDB migration Lambda.',
    service: 'lambda.amazonaws.com',
    policyName: 'migrate-table',
    statements: (logGroupArn) => [
      tableAccessStatement(props.tableArn),
      ...runningExecutionsStatements(props.stateMachine.arn, props.stateMachine.executionsArn),
      logWriteStatement(logGroupArn),
    ],
  });

  const code = new TerraformAsset(stack, 'lambda_bundle', { path: props.bundle.dir, type: AssetType.ARCHIVE });

  const fn = new LambdaFunction(stack, 'migrate', {
    functionName: props.functionName,
    description: 'Prepares, migrates batches of one scan segment, and summarizes a DynamoDB migration.',
    role: role.arn,
    filename: code.path,
    // The asset hash follows the bundle's content; the zip itself is not byte-for-byte reproducible.
    sourceCodeHash: code.assetHash,
    handler: LAMBDA_HANDLER,
    runtime: 'nodejs22.x',
    architectures: ['arm64'],
    memorySize: props.memorySize,
    timeout: props.timeoutSeconds,
    reservedConcurrentExecutions: props.reservedConcurrency,
    environment: {
      variables: {
        TABLE_NAME: props.tableName,
        MIGRATION_DEFAULTS: Fn.jsonencode(props.tuning),
        // Prepare refuses a maxConcurrency the reservation cannot serve.
        RESERVED_CONCURRENCY: Fn.tostring(props.reservedConcurrency),
      },
    },
    // JSON: Powertools writes one JSON object per line, and Lambda's own lines (START, REPORT) become JSON too.
    loggingConfig: { logFormat: 'JSON', applicationLogLevel: props.logLevel, systemLogLevel: 'INFO', logGroup: logGroup.name },
    // The log group must exist with its retention before the first invocation could create it
    // without one, and the role must be able to write to it.
    dependsOn: [logGroup, policy],
  });

  return { fn, logGroup };
}
