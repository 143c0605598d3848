import type { ChildExecutions } from '../asl/patterns';

/** Every AWS name the stack gives, derived from `name_prefix` so two stacks never collide. */
export interface ResourceNames {
  functionName: string;
  stateMachineName: string;
  lambdaLogGroup: string;
  stateMachineLogGroup: string;
}

/** The names for one prefix (a plain string or a Terraform expression). */
export function resourceNames(prefix: string): ResourceNames {
  const functionName = `${prefix}-migrate`;
  const stateMachineName = `${prefix}-migration`;
  return {
    functionName,
    stateMachineName,
    lambdaLogGroup: `/aws/lambda/${functionName}`,
    // The /aws/vendedlogs/ prefix keeps Step Functions' log delivery within the resource policy size limit.
    stateMachineLogGroup: `/aws/vendedlogs/states/${stateMachineName}`,
  };
}

/** Where a deployment lives: the partition, the provider's region and the account, read by data sources. */
export interface AwsLocation {
  partition: string;
  region: string;
  account: string;
}

/**
 * The ARNs of a state machine and its executions, composed from its name rather than read from the
 * resource: the state machine's own role policy needs them, and the resource depends on that role.
 */
export function stateMachineArns(location: AwsLocation, name: string): ChildExecutions {
  const base = `arn:${location.partition}:states:${location.region}:${location.account}`;
  return { stateMachineArn: `${base}:stateMachine:${name}`, executionsArn: `${base}:execution:${name}/*` };
}
