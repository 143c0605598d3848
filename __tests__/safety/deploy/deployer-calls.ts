/**
 * The calls the AWS provider makes for the identity running `cdktf deploy` / `destroy` on the
 * stack's resources, by resource (read from the provider's source for these resource types), so
 * docs/deployer-policy.json can be simulated against them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../../bundle/lambda-bundle';
import { arnOf, type ApiCall, type Deployment } from './api-calls';

/** The default `name_prefix`, which the planned names start with. */
const PREFIX = 'ddb-migration';

/** docs/deployer-policy.json with its placeholders filled in for `d`. */
export function deployerPolicy(d: Deployment): unknown {
  const template = readFileSync(join(projectRoot, 'docs/deployer-policy.json'), 'utf8');
  const table = d.tableArn.split(':table/')[1]!;
  return JSON.parse(
    template.replace(/<region>/g, d.region).replace(/<account>/g, d.account).replace(/<table>/g, table).replace(/<prefix>/g, PREFIX),
  );
}

/** A call with the request context IAM evaluates it in. */
export interface ContextualCall extends ApiCall {
  context?: Record<string, string>;
}

/** Create, read on refresh, update and delete of every resource the stack manages. */
export function applyCalls(d: Deployment): ContextualCall[] {
  const roles = [d.functionName, d.stateMachineName].map((name) => `arn:aws:iam::${d.account}:role/${name}`);
  const fn = `${arnOf(d, 'lambda')}:function:${d.functionName}`;
  const machine = `${arnOf(d, 'states')}:stateMachine:${d.stateMachineName}`;
  const logGroups = [d.lambdaLogGroup, `/aws/vendedlogs/states/${d.stateMachineName}`].map((name) => `${arnOf(d, 'logs')}:log-group:${name}`);
  const on = (resources: string[], actions: string[]): ContextualCall[] => resources.flatMap((resource) => actions.map((action) => ({ action, resource })));
  return [
    ...on(roles, [
      'iam:CreateRole',
      'iam:GetRole',
      'iam:UpdateRole',
      'iam:UpdateRoleDescription',
      'iam:UpdateAssumeRolePolicy',
      'iam:DeleteRole',
      'iam:PutRolePolicy',
      'iam:GetRolePolicy',
      'iam:DeleteRolePolicy',
      'iam:ListRolePolicies',
      'iam:ListAttachedRolePolicies',
      'iam:ListInstanceProfilesForRole',
    ]),
    { action: 'iam:PassRole', resource: roles[0]!, context: { 'iam:PassedToService': 'lambda.amazonaws.com' } },
    { action: 'iam:PassRole', resource: roles[1]!, context: { 'iam:PassedToService': 'states.amazonaws.com' } },
    ...on(
      [fn],
      [
        'lambda:CreateFunction',
        'lambda:GetFunction',
        'lambda:ListVersionsByFunction',
        'lambda:GetFunctionCodeSigningConfig',
        'lambda:UpdateFunctionCode',
        'lambda:UpdateFunctionConfiguration',
        'lambda:DeleteFunction',
      ],
    ),
    ...on(logGroups, ['logs:CreateLogGroup', 'logs:DeleteLogGroup', 'logs:PutRetentionPolicy', 'logs:DeleteRetentionPolicy', 'logs:ListTagsForResource']),
    { action: 'logs:DescribeLogGroups', resource: '*' },
    ...on(
      [machine],
      [
        'states:CreateStateMachine',
        'states:DescribeStateMachine',
        'states:UpdateStateMachine',
        'states:DeleteStateMachine',
        'states:ListStateMachineVersions',
        'states:ListTagsForResource',
      ],
    ),
    // The provider validates a definition once it is known: at plan on later deploys, during apply on the first.
    { action: 'states:ValidateStateMachineDefinition', resource: '*' },
    // Dashboards are global: their ARN has no region.
    ...on([`arn:${d.partition}:cloudwatch::${d.account}:dashboard/${d.dashboardName}`], ['cloudwatch:PutDashboard', 'cloudwatch:GetDashboard', 'cloudwatch:DeleteDashboards']),
    ...on(
      d.alarmNames.map((name) => `${arnOf(d, 'cloudwatch')}:alarm:${name}`),
      ['cloudwatch:PutMetricAlarm', 'cloudwatch:DescribeAlarms', 'cloudwatch:DeleteAlarms', 'cloudwatch:ListTagsForResource'],
    ),
    ...on([`${arnOf(d, 'sns')}:${d.alarmTopicName}`], ['sns:CreateTopic', 'sns:GetTopicAttributes', 'sns:SetTopicAttributes', 'sns:DeleteTopic', 'sns:ListTagsForResource']),
  ];
}
