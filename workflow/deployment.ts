import type { ChildExecutions } from '../asl/patterns';

/** Where a deployment lives: partition, region and account (plain values, or Terraform expressions). */
export interface AwsLocation {
  partition: string;
  region: string;
  account: string;
}

const arnBase = (location: AwsLocation, service: string): string => `arn:${location.partition}:${service}:${location.region}:${location.account}`;

/**
 * The ARNs of a state machine and its executions, composed from its name rather than read from the
 * resource: the state machine's own role policy needs them, and the resource depends on that role.
 */
export function stateMachineArns(location: AwsLocation, name: string): ChildExecutions {
  const base = arnBase(location, 'states');
  return { stateMachineArn: `${base}:stateMachine:${name}`, executionsArn: `${base}:execution:${name}/*` };
}

/** An ARN pattern matching a state machine's own executions (not its Map Run children). */
export const executionsArnOf = (location: AwsLocation, stateMachineName: string): string => `${arnBase(location, 'states')}:execution:${stateMachineName}:*`;

/** A Lambda function's ARN. */
export const functionArnOf = (location: AwsLocation, name: string): string => `${arnBase(location, 'lambda')}:function:${name}`;

/** A DynamoDB table's ARN. */
export const tableArnOf = (location: AwsLocation, table: string): string => `${arnBase(location, 'dynamodb')}:table/${table}`;
