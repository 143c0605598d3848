/**
 * Deploy rehearsal: the synthesized stack goes through `terraform init`, `validate` and `plan` with the
 * real AWS provider, pointed at an STS stub and an embedded DynamoDB; what Terraform would send to AWS
 * is then checked: the definition runs end to end, and both role policies are simulated.
 */
import { lintPolicy, lintResourcePolicy } from '@cloud-copilot/iam-policy';
import { BatchWriteItemCommand, CreateTableCommand, DescribeTableCommand, ScanCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { taskStates } from '../../../asl/graph';
import type { StateMachineDefinition } from '../../../asl/types';
import { bundleLambda, defaultMigrationFile, type LambdaBundle } from '../../../bundle/lambda-bundle';
import { startStsStub, type StsStub } from '../../../emulators/sts-stub';
import { dynamoDbClient, localConnection } from '../../../local/connection';
import { startEmbeddedDynamoDB, type EmbeddedDynamoDB } from '../../../local/embedded-dynamodb';
import { clfToEpochSeconds } from '../../../migrations/examples/clf-to-epoch';
import type { LocalRunResult } from '../../../local/runner';
import { failuresQuery, METRIC_NAMESPACE, metricDimensions } from '../../../workflow/telemetry';
import { arnOf, lambdaCalls, stateMachineCalls, type ApiCall, type Deployment } from './api-calls';
import { applyCalls, deployerPolicy, type ContextualCall } from './deployer-calls';
import { decisions } from './iam-simulation';
import { initPlan, initValidate, prepareConfiguration, showPlan, synthesize, type Diagnostic, type PlanJson, type PlanRun, type ShownPlan } from './rehearsal';
import { runRenderedDefinition } from './run-rendered';
import { MIRROR_ENV, prepareTerraform, REQUIRED_ENV } from './terraform';

const workDir = mkdtempSync(join(tmpdir(), 'deploy-rehearsal-'));
const setup = prepareTerraform(workDir);
if (!setup.ready) {
  // Jest runs no hooks in a file whose tests are all skipped, so nothing would clean up later.
  rmSync(workDir, { recursive: true, force: true });
  const message =
    `Deploy rehearsal SKIPPED: ${setup.reason}. It needs Terraform 1.x on the PATH and the AWS provider (>= 5.100, < 7) ` +
    `from a filesystem mirror (found automatically, or named by ${MIRROR_ENV}) or from the registry.`;
  if (process.env[REQUIRED_ENV]) throw new Error(`${message} ${REQUIRED_ENV} is set, so a skip is a failure.`);
  console.warn(message);
}

/** A test that runs when Terraform can, and otherwise shows up as skipped with the reason in its title. */
function rehearse(title: string, fn: () => Promise<void>): void {
  if (setup.ready) it(title, fn);
  else it.skip(`SKIPPED: ${setup.reason} — ${title}`, async () => undefined);
}

const REGION = 'us-east-1';
const TABLE = 'orders';
const ITEMS = 300;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');
/** Seeded item `i`'s CLF timestamp. */
const clfOf = (i: number) => `${pad((i % 28) + 1)}/${MONTHS[i % 12]}/${2001 + (i % 20)}:${pad(i % 24)}:${pad(i % 60)}:${pad((i * 7) % 60)} ${i % 2 ? '+0100' : '-0700'}`;

let db: EmbeddedDynamoDB;
let client: DynamoDBClient;
let sts: StsStub;
let bundle: LambdaBundle;
/** The synthesized stack folder, as `cdktf synth` leaves it. */
let stackDir: string;
let tableArn: string;
let account: string;
let validation: Diagnostic[];
/** The plans of both configurations: the table ARN given (alarms off, the default), and looked up from the name (alarms on). */
let plans: Record<'given' | 'lookedUp', PlanRun>;
/** The looked-up configuration's plan, read back. */
let shown: ShownPlan;
/** The given-ARN configuration's plan, read back. */
let shownGiven: ShownPlan;
let deployment: Deployment;

async function seedTable(): Promise<string> {
  await client.send(
    new CreateTableCommand({
      TableName: TABLE,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  for (let i = 0; i < ITEMS; i += 25) {
    const batch = Array.from({ length: Math.min(25, ITEMS - i) }, (_, j) => ({
      PutRequest: { Item: { pk: { S: `item-${i + j}` }, timestamp: { S: clfOf(i + j) }, note: { S: 'seeded' } } },
    }));
    await client.send(new BatchWriteItemCommand({ RequestItems: { [TABLE]: batch } }));
  }
  return (await client.send(new DescribeTableCommand({ TableName: TABLE }))).Table!.TableArn!;
}

const planned = (plan: PlanJson, address: string): Record<string, unknown> => {
  const change = plan.resource_changes.find((r) => r.address === address);
  if (!change?.change.after) throw new Error(`${address} is not in the plan`);
  return change.change.after;
};

if (setup.ready) {
  beforeAll(async () => {
    db = await startEmbeddedDynamoDB();
    client = dynamoDbClient(localConnection(db.endpoint, REGION));
    tableArn = await seedTable();
    // The deployer works in the account that owns the table (dynalite's own).
    account = tableArn.split(':')[4]!;
    sts = await startStsStub({ account, arn: `arn:aws:iam::${account}:user/deployer`, userId: 'AIDAREHEARSALDEPLOYER' });

    bundle = bundleLambda(defaultMigrationFile);
    stackDir = synthesize(join(workDir, 'synth'), bundle);
    const aws = { region: REGION, stsEndpoint: sts.endpoint, dynamodbEndpoint: db.endpoint };
    const standIns = {
      functionArn: `arn:aws:lambda:${REGION}:${account}:function:\${aws_lambda_function.migrate.function_name}`,
      lambdaLogGroupArn: `arn:aws:logs:${REGION}:${account}:log-group:\${aws_cloudwatch_log_group.lambda_logs.name}`,
    };
    const configurations = {
      given: { table_name: TABLE, table_arn: tableArn },
      lookedUp: { table_name: TABLE, alarms_enabled: true },
    };
    for (const [name, variables] of Object.entries(configurations)) prepareConfiguration(stackDir, join(workDir, name), variables, aws, standIns);
    // Validation does not depend on variables: the synthesized folder, as users get it, is validated once.
    const [validated, given, lookedUp] = await Promise.all([
      initValidate(setup, stackDir),
      initPlan(setup, join(workDir, 'given')),
      initPlan(setup, join(workDir, 'lookedUp')),
    ]);
    [validation, plans] = [validated, { given, lookedUp }];
    [shown, shownGiven] = await Promise.all([showPlan(setup, join(workDir, 'lookedUp')), showPlan(setup, join(workDir, 'given'))]);

    const after = (address: string, attribute: string) => String(planned(shown.plan, address)[attribute]);
    deployment = {
      partition: 'aws',
      region: REGION,
      account,
      tableArn,
      stateMachineName: after('aws_sfn_state_machine.migration', 'name'),
      functionName: after('aws_lambda_function.migrate', 'function_name'),
      lambdaLogGroup: after('aws_cloudwatch_log_group.lambda_logs', 'name'),
      dashboardName: after('aws_cloudwatch_dashboard.dashboard', 'dashboard_name'),
      alarmNames: ['failed_items', 'execution_failed'].map((name) => after(`aws_cloudwatch_metric_alarm.${name}[0]`, 'alarm_name')),
      alarmTopicName: after('aws_sns_topic.alarm_topic[0]', 'name'),
    };
  }, 300_000);

  afterAll(async () => {
    client?.destroy();
    await sts?.close();
    await db?.close();
    rmSync(workDir, { recursive: true, force: true });
  });
}


const renderedDefinition = (): StateMachineDefinition => JSON.parse(shown.rendered.definition);

describe('GIVEN the stack synthesized as cdktf does, for a table ARN given and for one looked up by name', () => {
  describe('WHEN Terraform validates it and plans each against local AWS endpoints', () => {
    rehearse('THEN validate and both plans report no error and no warning (no deprecated or version-specific attribute)', async () => {
      expect([validation, plans.given.diagnostics, plans.lookedUp.diagnostics]).toStrictEqual([[], [], []]);
    });

    rehearse('THEN an AWS provider of the accepted range was installed', async () => {
      for (const dir of ['given', 'lookedUp']) {
        const lock = readFileSync(join(workDir, dir, '.terraform.lock.hcl'), 'utf8');
        expect(/version\s*=\s*"(\d+\.\d+\.\d+)"/.exec(lock)?.[1]).toMatch(/^(5\.(1\d\d|[2-9]\d\d)|6\.\d+)\.\d+$/);
      }
    });

    rehearse('THEN with alarms on the plan creates every resource the synthesized JSON declares, and nothing else', async () => {
      const synthesized = JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8')) as { resource: Record<string, Record<string, { count?: unknown }>> };
      const declared = Object.entries(synthesized.resource).flatMap(([type, blocks]) =>
        Object.entries(blocks).map(([name, block]) => `${type}.${name}${'count' in block ? '[0]' : ''}`),
      );
      expect(declared).toHaveLength(12);
      expect(shown.plan.resource_changes.map((r) => [r.address, r.change.actions]).sort()).toStrictEqual(declared.sort().map((address) => [address, ['create']]));
    });

    rehearse('THEN with the defaults (alarms off) the plan creates the same but the alarms and their topic', async () => {
      const addresses = (plan: PlanJson) => plan.resource_changes.map((r) => r.address).sort();
      expect(addresses(shown.plan).filter((address) => !addresses(shownGiven.plan).includes(address))).toStrictEqual([
        'aws_cloudwatch_metric_alarm.execution_failed[0]',
        'aws_cloudwatch_metric_alarm.failed_items[0]',
        'aws_sns_topic.alarm_topic[0]',
      ]);
      expect(addresses(shownGiven.plan)).toContain('aws_cloudwatch_dashboard.dashboard');
    });

    rehearse('THEN the table is read from DynamoDB only when no ARN is given, and resolves to its ARN', async () => {
      const local = ['data.aws_caller_identity.caller', 'data.aws_partition.partition', 'data.aws_service.states'];
      expect([plans.given.dataSourcesRead, plans.lookedUp.dataSourcesRead]).toStrictEqual([local, [...local, 'data.aws_dynamodb_table.table[0]'].sort()]);
      expect(shown.plan.planned_values.outputs?.table_arn?.value).toBe(tableArn);
    });

    rehearse('THEN the provider called only STS (who is the caller) and, for the lookup, DynamoDB', async () => {
      expect(new Set(sts.calls)).toStrictEqual(new Set(['GetCallerIdentity']));
      expect(plans.given.providerCalls).toStrictEqual(['sts:GetCallerIdentity']);
      expect(plans.lookedUp.providerCalls).toStrictEqual([
        'dynamodb:DescribeContinuousBackups',
        'dynamodb:DescribeTable',
        'dynamodb:DescribeTimeToLive',
        'dynamodb:ListTagsOfResource',
        'sts:GetCallerIdentity',
      ]);
    });

    rehearse('THEN the logging defaults reach the state machine: errors only, no execution data', async () => {
      expect(planned(shown.plan, 'aws_sfn_state_machine.migration').logging_configuration).toMatchObject([{ level: 'ERROR', include_execution_data: false }]);
    });

    rehearse('THEN the Lambda logs JSON at INFO by default, the format Powertools writes and Lambda parses', async () => {
      expect(planned(shown.plan, 'aws_lambda_function.migrate').logging_config).toMatchObject([{ log_format: 'JSON', application_log_level: 'INFO', system_log_level: 'INFO' }]);
    });

    rehearse("THEN the dashboard body as Terraform renders it is JSON graphing this migration of this table, this function and this state machine, in the provider's region", async () => {
      const body = JSON.parse(String(planned(shown.plan, 'aws_cloudwatch_dashboard.dashboard').dashboard_body)) as { widgets: { type: string; properties: Record<string, any> }[] };
      const graphs = body.widgets.filter((w) => w.type === 'metric');
      expect(graphs.length).toBeGreaterThan(5);
      const rows: unknown[][] = graphs.flatMap((w) => w.properties.metrics as unknown[][]);
      const stateMachineArn = `${arnOf(deployment, 'states')}:stateMachine:${deployment.stateMachineName}`;
      for (const w of graphs) expect([w.properties.title, w.properties.region, w.properties.period]).toStrictEqual([w.properties.title, REGION, 900]);
      expect(rows).toEqual(
        expect.arrayContaining([
          [METRIC_NAMESPACE, 'failed', ...Object.entries(metricDimensions({ migrationId: 'clf-to-epoch', table: TABLE })).flat(), expect.any(Object)],
          ['AWS/Lambda', 'Errors', 'FunctionName', deployment.functionName, expect.any(Object)],
          ['AWS/States', 'ExecutionsFailed', 'StateMachineArn', stateMachineArn, expect.any(Object)],
          ['AWS/DynamoDB', 'ConsumedWriteCapacityUnits', 'TableName', TABLE, expect.any(Object)],
        ]),
      );
      expect(JSON.stringify(body)).not.toContain('${');
      expect(body.widgets.filter((w) => w.type === 'log').map((w) => w.properties.query)).toContain(`SOURCE '${deployment.lambdaLogGroup}' | ${failuresQuery()}`);
      expect(shown.plan.planned_values.outputs?.dashboard_url?.value).toBe(
        `https://${REGION}.console.aws.amazon.com/cloudwatch/home?region=${REGION}#dashboards/dashboard/${deployment.dashboardName}`,
      );
    });

    rehearse('THEN with alarms on, both alarms notify the topic the stack creates and watch this migration and this state machine', async () => {
      const failedItems = planned(shown.plan, 'aws_cloudwatch_metric_alarm.failed_items[0]');
      const executionFailed = planned(shown.plan, 'aws_cloudwatch_metric_alarm.execution_failed[0]');
      expect(failedItems).toMatchObject({ namespace: METRIC_NAMESPACE, metric_name: 'failed', dimensions: metricDimensions({ migrationId: 'clf-to-epoch', table: TABLE }) });
      expect(executionFailed).toMatchObject({ namespace: 'AWS/States', metric_name: 'ExecutionsFailed', dimensions: { StateMachineArn: `${arnOf(deployment, 'states')}:stateMachine:${deployment.stateMachineName}` } });
      // The topic's ARN is known only after apply.
      const unknown = (address: string) => shown.plan.resource_changes.find((r) => r.address === address)!.change.after_unknown;
      for (const address of ['aws_cloudwatch_metric_alarm.failed_items[0]', 'aws_cloudwatch_metric_alarm.execution_failed[0]']) {
        expect(unknown(address)).toMatchObject({ alarm_actions: true, ok_actions: true });
      }
      expect(planned(shown.plan, 'aws_sns_topic.alarm_topic[0]')).toMatchObject({ name: 'ddb-migration-alarms' });
    });
  });

  describe('WHEN the state machine definition is read as Terraform renders it', () => {
    rehearse('THEN it is JSON that passes asl-validator, with the batch timeout a number and the function ARN in every Lambda task', async () => {
      const definition = renderedDefinition();
      const validate: (d: unknown) => { isValid: boolean; errors: unknown[] } = require('asl-validator');
      // The validator annotates what it is given; it gets a copy.
      expect(validate(structuredClone(definition))).toMatchObject({ isValid: true, errors: [] });
      const functionArn = `${arnOf(deployment, 'lambda')}:function:${deployment.functionName}`;
      expect(taskStates(definition).filter((t) => t.resource.includes(':lambda:')).map((t) => t.resource)).toStrictEqual([functionArn, functionArn, functionArn]);
      expect(JSON.stringify(definition)).toContain('"TimeoutSeconds":960');
    });

    rehearse(`THEN it migrates all ${ITEMS} items of the table end to end on the local runner with the real bundle`, async () => {
      const environment = (planned(shown.plan, 'aws_lambda_function.migrate').environment as { variables: Record<string, string> }[])[0]!.variables;
      const result: LocalRunResult = await runRenderedDefinition({
        definition: renderedDefinition(),
        functionArn: `${arnOf(deployment, 'lambda')}:function:${deployment.functionName}`,
        bundle,
        environment,
        endpoint: db.endpoint,
        input: {},
      });
      expect({ status: result.status, error: result.error, cause: result.cause }).toStrictEqual({ status: 'SUCCEEDED', error: undefined, cause: undefined });
      expect(result.summary).toMatchObject({ migrationId: 'clf-to-epoch', scanned: ITEMS, updated: ITEMS, failed: 0 });
      const items: Record<string, AttributeValue>[] = [];
      let cursor: Record<string, AttributeValue> | undefined;
      do {
        const page = await client.send(new ScanCommand({ TableName: TABLE, ExclusiveStartKey: cursor, ConsistentRead: true }));
        items.push(...(page.Items ?? []));
        cursor = page.LastEvaluatedKey;
      } while (cursor);
      const wrong = items.filter((item) => item.timestamp?.N !== String(clfToEpochSeconds(clfOf(Number(item.pk!.S!.slice(5))))) || item.note?.S !== 'seeded');
      expect({ items: items.length, wrong: wrong.slice(0, 3) }).toStrictEqual({ items: ITEMS, wrong: [] });
    });
  });

  describe('WHEN the rendered role policies are simulated with every call each role makes', () => {
    const roles = () => ({
      stateMachine: {
        policy: JSON.parse(shown.rendered.state_machine_policy) as unknown,
        principal: `arn:aws:iam::${account}:role/${deployment.stateMachineName}`,
        calls: stateMachineCalls(renderedDefinition(), deployment),
      },
      lambda: {
        policy: JSON.parse(shown.rendered.lambda_policy) as unknown,
        principal: `arn:aws:iam::${account}:role/${deployment.functionName}`,
        calls: lambdaCalls(deployment),
      },
    });
    const allowed = (calls: ApiCall[]) => calls.map((c): [string, string, string] => [c.action, c.resource, 'Allowed']);
    const denied = (calls: ApiCall[]) => calls.map((c): [string, string, string] => [c.action, c.resource, 'ImplicitlyDenied']);
    /** The same call on a look-alike resource that is not the deployment's own. */
    const elsewhere = (call: ApiCall): ApiCall | undefined => {
      const other = call.resource
        .replace(deployment.tableArn, `${arnOf(deployment, 'dynamodb')}:table/other-table`)
        .replace(`:stateMachine:${deployment.stateMachineName}`, ':stateMachine:other-migration')
        .replace(`:execution:${deployment.stateMachineName}/`, ':execution:other-migration/')
        .replace(`:function:${deployment.functionName}`, ':function:other-function')
        .replace(`:log-group:${deployment.lambdaLogGroup}:`, ':log-group:/aws/lambda/other-function:');
      return other === call.resource ? undefined : { action: call.action, resource: other };
    };

    rehearse('THEN both are policy documents with every Terraform expression rendered', async () => {
      for (const document of [shown.rendered.state_machine_policy, shown.rendered.lambda_policy]) {
        expect(JSON.parse(document)).toMatchObject({ Version: '2012-10-17', Statement: expect.any(Array) });
        expect(document).not.toContain('${');
      }
    });

    rehearse("THEN the IAM linter (@cloud-copilot/iam-policy) finds nothing in them, the roles' trust policies or the deployer policy", async () => {
      const trust = (address: string) => JSON.parse(String(planned(shown.plan, address).assume_role_policy)) as unknown;
      expect({
        stateMachinePolicy: lintPolicy(JSON.parse(shown.rendered.state_machine_policy)),
        lambdaPolicy: lintPolicy(JSON.parse(shown.rendered.lambda_policy)),
        stateMachineTrust: lintResourcePolicy(trust('aws_iam_role.state_machine_role')),
        lambdaTrust: lintResourcePolicy(trust('aws_iam_role.lambda_role')),
        deployerPolicy: lintPolicy(deployerPolicy(deployment)),
      }).toStrictEqual({ stateMachinePolicy: [], lambdaPolicy: [], stateMachineTrust: [], lambdaTrust: [], deployerPolicy: [] });
    });

    rehearse("THEN every call the state machine makes (its tasks, its Map's child executions, log delivery) is allowed on its real resource", async () => {
      const { policy, principal, calls } = roles().stateMachine;
      expect(calls.map((c) => c.action)).toEqual(expect.arrayContaining(['lambda:InvokeFunction', 'dynamodb:CreateBackup', 'dynamodb:DescribeBackup', 'states:StartExecution']));
      expect(await decisions(policy, principal, account, calls)).toStrictEqual(allowed(calls));
    });

    rehearse("THEN every call the Lambda makes (the handlers' DynamoDB commands, its logs) is allowed on its real resource", async () => {
      const { policy, principal, calls } = roles().lambda;
      expect(calls.map((c) => c.action)).toEqual(expect.arrayContaining(['dynamodb:Scan', 'dynamodb:UpdateItem', 'logs:PutLogEvents']));
      expect(await decisions(policy, principal, account, calls)).toStrictEqual(allowed(calls));
    });

    rehearse('THEN the same calls on another table, another state machine, another function or log group are denied', async () => {
      for (const { policy, principal, calls } of Object.values(roles())) {
        const others = calls.flatMap((call) => elsewhere(call) ?? []);
        expect(others.length).toBeGreaterThan(0);
        expect(await decisions(policy, principal, account, others)).toStrictEqual(denied(others));
      }
    });

    rehearse('THEN actions neither role needs are denied to both: deleting or overwriting the table, passing roles, changing the machine or the code', async () => {
      const dangerous: ApiCall[] = [
        { action: 'dynamodb:DeleteTable', resource: deployment.tableArn },
        { action: 'dynamodb:PutItem', resource: deployment.tableArn },
        { action: 'iam:PassRole', resource: `arn:aws:iam::${account}:role/${deployment.stateMachineName}` },
        { action: 'iam:PassRole', resource: `arn:aws:iam::${account}:role/${deployment.functionName}` },
        { action: 'states:DeleteStateMachine', resource: `${arnOf(deployment, 'states')}:stateMachine:${deployment.stateMachineName}` },
        { action: 'lambda:UpdateFunctionCode', resource: `${arnOf(deployment, 'lambda')}:function:${deployment.functionName}` },
      ];
      for (const { policy, principal } of Object.values(roles())) {
        expect(await decisions(policy, principal, account, dangerous)).toStrictEqual(denied(dangerous));
      }
    });
  });

  describe('WHEN docs/deployer-policy.json, the policy the README gives whoever runs cdktf deploy, is simulated', () => {
    const deployer = () => ({ policy: deployerPolicy(deployment), principal: `arn:aws:iam::${account}:user/deployer` });
    const verdicts = (calls: ContextualCall[]) => decisions(deployer().policy, deployer().principal, account, calls);
    const expected = (calls: ContextualCall[], decision: string) => calls.map((c): [string, string, string] => [c.action, c.resource, decision]);

    rehearse('THEN it allows every call the provider made while planning (GetCallerIdentity needs no permission)', async () => {
      const calls = plans.lookedUp.providerCalls.filter((action) => action !== 'sts:GetCallerIdentity').map((action) => ({ action, resource: tableArn }));
      expect(calls.length).toBeGreaterThan(0);
      expect(await verdicts(calls)).toStrictEqual(expected(calls, 'Allowed'));
    });

    rehearse("THEN it allows every call that creates, refreshes, updates and deletes the stack's resources", async () => {
      const calls = applyCalls(deployment);
      expect(await verdicts(calls)).toStrictEqual(expected(calls, 'Allowed'));
    });

    rehearse("THEN it allows nothing on other resources, no role passed to another service, and no access to the table's items", async () => {
      const others: ContextualCall[] = [
        { action: 'dynamodb:DescribeTable', resource: `${arnOf(deployment, 'dynamodb')}:table/other-table` },
        { action: 'dynamodb:Scan', resource: tableArn },
        { action: 'dynamodb:DeleteTable', resource: tableArn },
        { action: 'iam:PutRolePolicy', resource: `arn:aws:iam::${account}:role/admin` },
        { action: 'iam:PassRole', resource: `arn:aws:iam::${account}:role/${deployment.functionName}`, context: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
        { action: 'lambda:UpdateFunctionCode', resource: `${arnOf(deployment, 'lambda')}:function:other-function` },
        { action: 'states:DeleteStateMachine', resource: `${arnOf(deployment, 'states')}:stateMachine:other-migration` },
        { action: 'logs:DeleteLogGroup', resource: `${arnOf(deployment, 'logs')}:log-group:/aws/lambda/other-function` },
        { action: 'cloudwatch:DeleteDashboards', resource: `arn:aws:cloudwatch::${account}:dashboard/other-dashboard` },
        { action: 'cloudwatch:DeleteAlarms', resource: `${arnOf(deployment, 'cloudwatch')}:alarm:other-alarm` },
        { action: 'sns:DeleteTopic', resource: `${arnOf(deployment, 'sns')}:other-topic` },
        { action: 'sns:Publish', resource: `${arnOf(deployment, 'sns')}:${deployment.alarmTopicName}` },
      ];
      expect(await verdicts(others)).toStrictEqual(expected(others, 'ImplicitlyDenied'));
    });
  });
});
