/**
 * Every AWS API call the deployed state machine and Lambda make, with the resource ARN each call
 * is authorized against, derived from the rendered definition and from the handlers' source rather
 * than from the policies under test.
 */
import { taskStates } from '../../../asl/graph';
import type { State, StateMachineDefinition } from '../../../asl/types';
import { handlerActions } from '../../support/handler-calls';

/** One API call and the resource it is authorized against. */
export interface ApiCall {
  action: string;
  resource: string;
}

/** Where the deployment lives and what its resources are called. */
export interface Deployment {
  partition: string;
  region: string;
  account: string;
  tableArn: string;
  stateMachineName: string;
  functionName: string;
  lambdaLogGroup: string;
  dashboardName: string;
  alarmNames: string[];
  alarmTopicName: string;
}

/** The ARN prefix of a regional service in the deployment, e.g. `arn:aws:states:us-east-1:123456789012`. */
export const arnOf = (d: Deployment, service: string): string => `arn:${d.partition}:${service}:${d.region}:${d.account}`;

/** The resource an AWS SDK integration call touches, for each integration the workflow may use. */
const SDK_CALL_RESOURCES: Record<string, (d: Deployment) => string> = {
  'dynamodb:createBackup': (d) => d.tableArn,
  'dynamodb:describeBackup': (d) => `${d.tableArn}/backup/01732000000000-0a1b2c3d`,
};

/**
 * What Step Functions needs to deliver a STANDARD machine's logs to CloudWatch Logs (the Step
 * Functions developer guide, "IAM Policies for logging to CloudWatch Logs"); these take `*` only.
 */
const LOG_DELIVERY_ACTIONS = [
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
];

function distributedMaps(states: Record<string, State>): Extract<State, { Type: 'Map' }>[] {
  return Object.values(states).flatMap((state) =>
    state.Type === 'Map'
      ? [...(state.ItemProcessor.ProcessorConfig.Mode === 'DISTRIBUTED' ? [state] : []), ...distributedMaps(state.ItemProcessor.States)]
      : [],
  );
}

/** The calls the state machine's role makes: each Task's integration, the Map's child executions, log delivery. */
export function stateMachineCalls(definition: StateMachineDefinition, d: Deployment): ApiCall[] {
  const tasks = taskStates(definition).map(({ name, resource }): ApiCall => {
    const sdk = /^arn:aws:states:::aws-sdk:([a-z0-9]+):(\w+)$/.exec(resource);
    if (sdk) {
      const target = SDK_CALL_RESOURCES[`${sdk[1]}:${sdk[2]}`];
      if (!target) throw new Error(`Task '${name}' calls ${sdk[1]}:${sdk[2]}; say which resource it touches in SDK_CALL_RESOURCES`);
      return { action: `${sdk[1]}:${sdk[2]![0]!.toUpperCase()}${sdk[2]!.slice(1)}`, resource: target(d) };
    }
    if (resource.startsWith(`${arnOf(d, 'lambda')}:function:`)) return { action: 'lambda:InvokeFunction', resource };
    throw new Error(`Task '${name}' has a resource this test does not know: ${resource}`);
  });
  const children = distributedMaps(definition.States).flatMap((map): ApiCall[] => {
    const child = `${arnOf(d, 'states')}:execution:${d.stateMachineName}/${map.Label ?? 'map'}:0f8e1d2c-3b4a-5968-7a6b-5c4d3e2f1a0b`;
    return [
      { action: 'states:StartExecution', resource: `${arnOf(d, 'states')}:stateMachine:${d.stateMachineName}` },
      ...['states:DescribeExecution', 'states:StopExecution', 'states:RedriveExecution'].map((action) => ({ action, resource: child })),
    ];
  });
  return [...tasks, ...children, ...LOG_DELIVERY_ACTIONS.map((action) => ({ action, resource: '*' }))];
}

/** The resource each Step Functions call of the handlers is authorized against. */
const STATES_CALL_RESOURCES: Record<string, (d: Deployment) => string> = {
  'states:ListExecutions': (d) => `${arnOf(d, 'states')}:stateMachine:${d.stateMachineName}`,
  'states:DescribeExecution': (d) => `${arnOf(d, 'states')}:execution:${d.stateMachineName}:another-run`,
};

/** The calls the Lambda's role makes: the handlers' DynamoDB calls on the table, their Step Functions calls, and writing its logs. */
export function lambdaCalls(d: Deployment): ApiCall[] {
  const stream = `${arnOf(d, 'logs')}:log-group:${d.lambdaLogGroup}:log-stream:2026/11/25/[$LATEST]0123456789abcdef`;
  return [
    ...handlerActions().map((action) => {
      if (action.startsWith('dynamodb:')) return { action, resource: d.tableArn };
      const resource = STATES_CALL_RESOURCES[action];
      if (!resource) throw new Error(`The handlers call ${action}; say which resource it touches in STATES_CALL_RESOURCES`);
      return { action, resource: resource(d) };
    }),
    { action: 'logs:CreateLogStream', resource: stream },
    { action: 'logs:PutLogEvents', resource: stream },
  ];
}
