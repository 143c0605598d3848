import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import type { TerraformStack } from 'cdktf';
import type { PolicyStatement } from '../asl/types';
import { policyDocument, trustPolicy } from './iam';

/** What one component (the Lambda, the state machine) runs as and logs to. */
export interface ComponentIdentityProps {
  /** Construct id stem: the resources become `<id>_logs`, `<id>_role` and `<id>_policy`. */
  id: string;
  logGroupName: string;
  logRetentionDays: number;
  roleName: string;
  roleDescription: string;
  /** The service principal that assumes the role, e.g. `lambda.amazonaws.com`. */
  service: string;
  /** When given, the role may only be assumed on behalf of this account's resources. */
  sourceAccount?: string;
  policyName: string;
  /** The role's inline policy, given the component's log group ARN. */
  statements: (logGroupArn: string) => PolicyStatement[];
}

/** A component's log group and its own least-privilege role. */
export interface ComponentIdentity {
  logGroup: CloudwatchLogGroup;
  role: IamRole;
  policy: IamRolePolicy;
}

/**
 * One log group with retention and one role per component, so each principal holds only what its
 * own calls need. Created directly in the stack so the construct ids are the Terraform addresses.
 */
export function componentIdentity(stack: TerraformStack, props: ComponentIdentityProps): ComponentIdentity {
  const logGroup = new CloudwatchLogGroup(stack, `${props.id}_logs`, {
    name: props.logGroupName,
    retentionInDays: props.logRetentionDays,
  });
  const role = new IamRole(stack, `${props.id}_role`, {
    name: props.roleName,
    description: props.roleDescription,
    assumeRolePolicy: trustPolicy(props.service, props.sourceAccount),
  });
  const policy = new IamRolePolicy(stack, `${props.id}_policy`, {
    name: props.policyName,
    role: role.id,
    policy: policyDocument(props.statements(logGroup.arn)),
  });
  return { logGroup, role, policy };
}
