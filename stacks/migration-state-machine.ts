import type { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { SfnStateMachine } from '@cdktf/provider-aws/lib/sfn-state-machine';
import type { IResolvable, TerraformStack } from 'cdktf';
import { migrationWorkflow, type WorkflowTarget } from '../workflow/definition';
import { componentIdentity } from './component-identity';
import { logDeliveryStatement } from './iam';
import { stateMachineArns, type AwsLocation } from '../workflow/deployment';
import { jsonWithTerraformNumbers } from './terraform-json';

/** What the state machine is built from; strings and numbers may be Terraform expressions. */
export interface MigrationStateMachineProps {
  location: AwsLocation;
  stateMachineName: string;
  logGroupName: string;
  logRetentionDays: number;
  /** Step Functions' logging level (ALL, ERROR, FATAL, OFF) and whether inputs and outputs are logged. */
  logging: { level: string; includeExecutionData: boolean | IResolvable };
  target: Omit<WorkflowTarget, 'children'>;
}

/** The state machine and what it needs. */
export interface MigrationStateMachine {
  stateMachine: SfnStateMachine;
  logGroup: CloudwatchLogGroup;
}

/**
 * The STANDARD state machine running the migration workflow, its log group, and its role, whose
 * policy is the statements the workflow's tasks declare plus log delivery, so it cannot drift from
 * the definition.
 */
export function migrationStateMachine(stack: TerraformStack, props: MigrationStateMachineProps): MigrationStateMachine {
  const { definition, statements } = migrationWorkflow({
    ...props.target,
    children: stateMachineArns(props.location, props.stateMachineName),
  });

  const { logGroup, role, policy } = componentIdentity(stack, {
    id: 'state_machine',
    logGroupName: props.logGroupName,
    logRetentionDays: props.logRetentionDays,
    roleName: props.stateMachineName,
    roleDescription: 'Runs the DynamoDB migration state machine and its segment child executions.',
    service: 'states.amazonaws.com',
    sourceAccount: props.location.account,
    policyName: 'run-migration',
    statements: () => [...statements, logDeliveryStatement],
  });

  const stateMachine = new SfnStateMachine(stack, 'migration', {
    name: props.stateMachineName,
    type: 'STANDARD',
    roleArn: role.arn,
    definition: jsonWithTerraformNumbers(definition),
    loggingConfiguration: {
      level: props.logging.level,
      includeExecutionData: props.logging.includeExecutionData,
      logDestination: `${logGroup.arn}:*`,
    },
    // Step Functions checks at creation that the role may deliver logs, so the policy comes first.
    dependsOn: [policy],
  });

  return { stateMachine, logGroup };
}
