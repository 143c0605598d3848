import type { PolicyStatement } from '../asl/types';

/** A statement of a role's trust policy: which service may assume it, and on whose behalf. */
export interface TrustStatement {
  Effect: 'Allow';
  Principal: { Service: string };
  Action: 'sts:AssumeRole';
  Condition?: Record<string, Record<string, string>>;
}

/** An IAM policy document as JSON; Terraform references inside it are interpolated at plan time. */
export function policyDocument(statements: (PolicyStatement | TrustStatement)[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

/** A trust policy letting `service` assume the role, only for resources of `sourceAccount` when given. */
export function trustPolicy(service: string, sourceAccount?: string): string {
  return policyDocument([
    {
      Effect: 'Allow',
      Principal: { Service: service },
      Action: 'sts:AssumeRole',
      // Confused-deputy protection: the service may act for this account's resources only.
      ...(sourceAccount !== undefined && { Condition: { StringEquals: { 'aws:SourceAccount': sourceAccount } } }),
    },
  ]);
}

/** The DynamoDB calls the migration Lambda makes (handlers/): reading, conditional writes, DescribeTable. */
export const LAMBDA_TABLE_ACTIONS = [
  'dynamodb:Scan',
  'dynamodb:GetItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:DescribeTable',
] as const;

/** The Lambda's access to the one table it migrates. */
export const tableAccessStatement = (tableArn: string): PolicyStatement => ({
  Effect: 'Allow',
  Action: [...LAMBDA_TABLE_ACTIONS],
  Resource: [tableArn],
});

/**
 * What Prepare asks Step Functions to see the other runs of its stack (it refuses a second run that
 * writes): ListExecutions on the state machine, DescribeExecution on its executions.
 */
export const runningExecutionsStatements = (stateMachineArn: string, executionsArn: string): PolicyStatement[] => [
  { Effect: 'Allow', Action: ['states:ListExecutions'], Resource: [stateMachineArn] },
  { Effect: 'Allow', Action: ['states:DescribeExecution'], Resource: [executionsArn] },
];

/** Writing log events into one log group (the `:*` covers its streams). */
export const logWriteStatement = (logGroupArn: string): PolicyStatement => ({
  Effect: 'Allow',
  Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
  Resource: [`${logGroupArn}:*`],
});

/**
 * What Step Functions needs to deliver execution logs to CloudWatch Logs. These log delivery APIs do
 * not support resource-level permissions, so this is the one statement with `Resource: "*"`.
 */
export const logDeliveryStatement: PolicyStatement = {
  Effect: 'Allow',
  Action: [
    'logs:CreateLogDelivery',
    'logs:GetLogDelivery',
    'logs:UpdateLogDelivery',
    'logs:DeleteLogDelivery',
    'logs:ListLogDeliveries',
    'logs:PutResourcePolicy',
    'logs:DescribeResourcePolicies',
    'logs:DescribeLogGroups',
  ],
  Resource: ['*'],
};
