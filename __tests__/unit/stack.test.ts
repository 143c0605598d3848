import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { Op, Testing, TerraformStack, TerraformVariable } from 'cdktf';
import { taskStates } from '../../asl/graph';
import type { PolicyStatement, StateMachineDefinition } from '../../asl/types';
import { bundleLambda, defaultMigrationFile, LAMBDA_HANDLER, projectRoot, type LambdaBundle } from '../../bundle/lambda-bundle';
import { logDeliveryStatement } from '../../stacks/iam';
import { chooseMigrationFile, chooseStackId, DEFAULT_STACK_ID } from '../../stacks/synth-options';
import { bundledMigrationId } from '../../stacks/synth-report';
import { MigrationStack } from '../../stacks/migration-stack';
import { jsonWithTerraformNumbers } from '../../stacks/terraform-json';
import { AWS_PROVIDER_VERSIONS } from '../../stacks/terraform-settings';
import { handlerActions } from '../support/handler-calls';
import { LAMBDA_LOG_LEVELS, LOG_RETENTION_DAYS, STATE_MACHINE_LOG_LEVELS } from '../../stacks/variables';
import { migrationWorkflow } from '../../workflow/definition';
import { builtInTuning, limits } from '../../workflow/input';

// Synthesized Terraform JSON has no schema here; the tests assert on its shape directly.
type Block = Record<string, any>;
interface PolicyDocument {
  Version: string;
  Statement: (PolicyStatement | Block)[];
}

/** How the stack's Terraform references render; the addresses are the contract these tests hold. */
const ref = {
  tableName: '${var.table_name}',
  tableArn: '${local.table_arn_resolved}',
  functionArn: '${aws_lambda_function.migrate.arn}',
  stateMachineName: '${var.name_prefix}-migration',
  location: 'arn:${data.aws_partition.partition.partition}:states:${data.aws_service.states.region}:${data.aws_caller_identity.caller.account_id}',
  batchTimeout: '${(var.lambda_timeout + 60)}',
};

/** What Terraform does to the definition template at plan time, for the one non-string expression. */
const renderBatchTimeout = (definition: string, lambdaTimeout: number): string => definition.split(ref.batchTimeout).join(String(lambdaTimeout + 60));

let bundle: LambdaBundle;
let stack: MigrationStack;
let tf: Block;
const resource = (type: string, name: string): Block => {
  const block = tf.resource?.[type]?.[name];
  if (!block) throw new Error(`resource ${type}.${name} was not synthesized`);
  return block;
};
const policyOf = (json: string): PolicyDocument => JSON.parse(json);
const allPolicyDocuments = (): [string, PolicyDocument][] => [
  ...Object.entries(tf.resource.aws_iam_role as Block).map(([name, r]): [string, PolicyDocument] => [`aws_iam_role.${name}`, policyOf(r.assume_role_policy)]),
  ...Object.entries(tf.resource.aws_iam_role_policy as Block).map(([name, r]): [string, PolicyDocument] => [`aws_iam_role_policy.${name}`, policyOf(r.policy)]),
];

beforeAll(() => {
  bundle = bundleLambda(defaultMigrationFile);
  stack = new MigrationStack(Testing.app(), 'test', { bundle, migrationId: 'clf-to-epoch' });
  tf = JSON.parse(Testing.synth(stack));
});

describe('GIVEN the stack synthesized with the default migration', () => {
  describe('WHEN its Terraform addresses are listed', () => {
    it('THEN they are exactly the contract the docs and existing state rely on', () => {
      const addresses = (kind: Block, prefix = '') =>
        Object.entries(kind).flatMap(([type, blocks]) => Object.keys(blocks as Block).map((name) => `${prefix}${type}.${name}`));
      expect([...addresses(tf.data, 'data.'), ...addresses(tf.resource)].sort()).toStrictEqual([
        'aws_cloudwatch_dashboard.dashboard',
        'aws_cloudwatch_log_group.lambda_logs',
        'aws_cloudwatch_log_group.state_machine_logs',
        'aws_cloudwatch_metric_alarm.execution_failed',
        'aws_cloudwatch_metric_alarm.failed_items',
        'aws_iam_role.lambda_role',
        'aws_iam_role.state_machine_role',
        'aws_iam_role_policy.lambda_policy',
        'aws_iam_role_policy.state_machine_policy',
        'aws_lambda_function.migrate',
        'aws_sfn_state_machine.migration',
        'aws_sns_topic.alarm_topic',
        'data.aws_caller_identity.caller',
        'data.aws_dynamodb_table.table',
        'data.aws_partition.partition',
        'data.aws_service.states',
      ]);
    });

    it('THEN the AWS provider takes its region from the standard settings, not from the stack', () => {
      expect(tf.provider.aws).toStrictEqual([{}]);
    });
  });

  describe('WHEN its Terraform settings are read', () => {
    it('THEN any AWS provider from 5.100 through 6.x is accepted, not one exact build', () => {
      expect(tf.terraform.required_providers).toStrictEqual({ aws: { source: 'aws', version: AWS_PROVIDER_VERSIONS } });
      expect(AWS_PROVIDER_VERSIONS).toBe('>= 5.100.0, < 7.0.0');
    });

    it('THEN the state file is named relative to the stack folder and no absolute path of this machine is written', () => {
      expect(tf.terraform.backend).toStrictEqual({ local: { path: '../../../terraform.test.tfstate' } });
      const text = Testing.synth(stack);
      expect(text).not.toContain(projectRoot);
      expect(text).not.toMatch(/"\/(?:home|root|tmp|work|Users)\//);
    });

    it('THEN the region is read from aws_service, whose `region` both provider majors have, and never from aws_region', () => {
      expect(tf.data.aws_service.states).toStrictEqual({ service_id: 'states' });
      expect(Testing.synth(stack)).not.toContain('aws_region');
    });
  });

  describe('WHEN its variables are read', () => {
    it('THEN every variable has a type and a description, and only table_name is required', () => {
      for (const [name, variable] of Object.entries(tf.variable as Block)) {
        expect([name, typeof variable.type, typeof variable.description]).toStrictEqual([name, 'string', 'string']);
        expect([name, 'default' in variable]).toStrictEqual([name, name !== 'table_name']);
      }
      expect(Object.keys(tf.variable).sort()).toStrictEqual([
        'alarm_topic_arn',
        'alarms_enabled',
        'lambda_log_level',
        'lambda_memory_size',
        'lambda_reserved_concurrency',
        'lambda_timeout',
        'log_retention_days',
        'max_concurrency',
        'max_items_per_second',
        'max_read_units_per_second',
        'max_write_units_per_second',
        'name_prefix',
        'page_size',
        'read_capacity_percent',
        'state_machine_include_execution_data',
        'state_machine_log_level',
        'table_arn',
        'table_name',
        'tolerated_failures',
        'total_segments',
        'write_capacity_percent',
      ]);
    });

    it.each([
      ['total_segments', builtInTuning.totalSegments, limits.totalSegments],
      ['max_concurrency', builtInTuning.maxConcurrency, limits.maxConcurrency],
      ['page_size', builtInTuning.pageSize, limits.pageSize],
      ['max_items_per_second', builtInTuning.maxItemsPerSecond, limits.maxItemsPerSecond],
      ['tolerated_failures', builtInTuning.toleratedFailures, limits.toleratedFailures],
      ['max_write_units_per_second', builtInTuning.maxWriteUnitsPerSecond, limits.maxWriteUnitsPerSecond],
      ['max_read_units_per_second', builtInTuning.maxReadUnitsPerSecond, limits.maxReadUnitsPerSecond],
      ['write_capacity_percent', builtInTuning.writeCapacityPercent, limits.writeCapacityPercent],
      ['read_capacity_percent', builtInTuning.readCapacityPercent, limits.readCapacityPercent],
      ['lambda_memory_size', 1024, { min: 128, max: 10240 }],
      ['lambda_timeout', 900, { min: 1, max: 900 }],
    ])('THEN %s is a number defaulting to %d and validated as a whole number in its range', (name, fallback, range) => {
      const v = `var.${name}`;
      expect(tf.variable[name]).toMatchObject({
        type: 'number',
        default: fallback,
        validation: [
          {
            condition: `\${(((${range.min} <= ${v}) && (${v} <= ${range.max})) && (floor(${v}) == ${v}))}`,
            error_message: `${name} must be a whole number from ${range.min} to ${range.max}.`,
          },
        ],
      });
    });

    it('THEN log_retention_days defaults to 30 and accepts only the retention values CloudWatch Logs knows', () => {
      expect(tf.variable.log_retention_days).toMatchObject({
        type: 'number',
        default: 30,
        validation: [{ condition: `\${contains([${LOG_RETENTION_DAYS.join(', ')}], var.log_retention_days)}` }],
      });
      expect(LOG_RETENTION_DAYS).toEqual(expect.arrayContaining([1, 7, 14, 30, 365, 3653]));
      expect(LOG_RETENTION_DAYS).not.toContain(2);
    });

    it('THEN the state machine logs errors only and no execution data by default, and other levels can be chosen', () => {
      expect(tf.variable.state_machine_log_level).toMatchObject({
        type: 'string',
        default: 'ERROR',
        validation: [{ condition: '${contains(["ALL", "ERROR", "FATAL", "OFF"], var.state_machine_log_level)}' }],
      });
      expect(STATE_MACHINE_LOG_LEVELS).toStrictEqual(['ALL', 'ERROR', 'FATAL', 'OFF']);
      expect(tf.variable.state_machine_include_execution_data).toMatchObject({ type: 'bool', default: false });
    });

    it('THEN name_prefix, table_name and table_arn are checked against the names AWS accepts', () => {
      expect(tf.variable.name_prefix).toMatchObject({
        type: 'string',
        default: 'ddb-migration',
        validation: [{ condition: '${can(regex("^[A-Za-z0-9_-]{1,40}$", var.name_prefix))}' }],
      });
      expect(tf.variable.table_name.validation[0].condition).toBe('${can(regex("^[a-zA-Z0-9_.-]{3,255}$", var.table_name))}');
      expect(tf.variable.table_arn).toMatchObject({ type: 'string', default: '' });
      expect(tf.variable.table_arn.validation[0].condition).toMatch(/^\$\{\(\(0 == length\(var\.table_arn\)\) \|\| can\(regex\(/);
    });
  });

  describe('WHEN the table ARN is resolved', () => {
    it('THEN the table is looked up by name only when table_arn is empty, and the given ARN wins otherwise', () => {
      expect(tf.data.aws_dynamodb_table.table).toMatchObject({
        name: ref.tableName,
        count: '${(0 == length(var.table_arn)) ? 1 : 0}',
      });
      expect(tf.locals.table_arn_resolved).toBe(
        '${(0 == length(var.table_arn)) ? one(data.aws_dynamodb_table.table[*].arn) : var.table_arn}',
      );
    });
  });

  describe('WHEN the log groups are read', () => {
    it('THEN each component has its own, named after the prefix, with the configured retention', () => {
      expect(resource('aws_cloudwatch_log_group', 'lambda_logs')).toMatchObject({
        name: '/aws/lambda/${var.name_prefix}-migrate',
        retention_in_days: '${var.log_retention_days}',
      });
      expect(resource('aws_cloudwatch_log_group', 'state_machine_logs')).toMatchObject({
        name: '/aws/vendedlogs/states/${var.name_prefix}-migration',
        retention_in_days: '${var.log_retention_days}',
      });
    });
  });

  describe('WHEN the Lambda function is read', () => {
    it('THEN it runs the bundle on Node.js 22 arm64 with the memory and timeout variables', () => {
      const fn = resource('aws_lambda_function', 'migrate');
      expect(fn).toMatchObject({
        function_name: '${var.name_prefix}-migrate',
        handler: LAMBDA_HANDLER,
        runtime: 'nodejs22.x',
        architectures: ['arm64'],
        memory_size: '${var.lambda_memory_size}',
        timeout: '${var.lambda_timeout}',
        role: '${aws_iam_role.lambda_role.arn}',
      });
      expect(fn.depends_on).toContain('aws_cloudwatch_log_group.lambda_logs');
    });

    it('THEN it logs JSON to its own log group, application lines at lambda_log_level (INFO unless chosen), which Powertools follows', () => {
      expect(resource('aws_lambda_function', 'migrate').logging_config).toStrictEqual({
        log_format: 'JSON',
        application_log_level: '${var.lambda_log_level}',
        system_log_level: 'INFO',
        log_group: '${aws_cloudwatch_log_group.lambda_logs.name}',
      });
      expect(tf.variable.lambda_log_level).toMatchObject({
        type: 'string',
        default: 'INFO',
        validation: [{ condition: '${contains(["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"], var.lambda_log_level)}' }],
      });
      expect(LAMBDA_LOG_LEVELS).toStrictEqual(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL']);
    });

    it('THEN its code is the bundle asset, and the hash that triggers an update follows the asset', () => {
      const fn = resource('aws_lambda_function', 'migrate');
      const [, hash] = /^assets\/lambda_bundle\/([0-9A-F]{32})\/archive\.zip$/.exec(fn.filename) ?? [];
      expect(hash).toBeDefined();
      expect(fn.source_code_hash).toBe(hash);
    });

    it('THEN its environment names the table and passes every tuning variable as MIGRATION_DEFAULTS JSON', () => {
      const env = resource('aws_lambda_function', 'migrate').environment.variables;
      expect(env.TABLE_NAME).toBe(ref.tableName);
      expect(env.MIGRATION_DEFAULTS).toBe(
        '${jsonencode({"totalSegments" = var.total_segments, "maxConcurrency" = var.max_concurrency, "pageSize" = var.page_size, "maxItemsPerSecond" = var.max_items_per_second, "toleratedFailures" = var.tolerated_failures, "maxWriteUnitsPerSecond" = var.max_write_units_per_second, "maxReadUnitsPerSecond" = var.max_read_units_per_second, "writeCapacityPercent" = var.write_capacity_percent, "readCapacityPercent" = var.read_capacity_percent})}',
      );
      expect(Object.keys(builtInTuning).sort()).toStrictEqual([
        'maxConcurrency',
        'maxItemsPerSecond',
        'maxReadUnitsPerSecond',
        'maxWriteUnitsPerSecond',
        'pageSize',
        'readCapacityPercent',
        'toleratedFailures',
        'totalSegments',
        'writeCapacityPercent',
      ]);
    });

    it('THEN its reserved concurrency is the variable (none by default), and Prepare is told it', () => {
      const fn = resource('aws_lambda_function', 'migrate');
      expect(fn.reserved_concurrent_executions).toBe('${var.lambda_reserved_concurrency}');
      expect(fn.environment.variables.RESERVED_CONCURRENCY).toBe('${tostring(var.lambda_reserved_concurrency)}');
      expect(tf.variable.lambda_reserved_concurrency).toMatchObject({ type: 'number', default: -1 });
      expect(tf.variable.lambda_reserved_concurrency.validation[0].condition).toBe(
        '${((-1 == var.lambda_reserved_concurrency) || (((1 <= var.lambda_reserved_concurrency) && (var.lambda_reserved_concurrency <= 1000)) && (floor(var.lambda_reserved_concurrency) == var.lambda_reserved_concurrency)))}',
      );
    });
  });

  describe("WHEN the Lambda's role is read", () => {
    it('THEN only Lambda can assume it', () => {
      expect(policyOf(resource('aws_iam_role', 'lambda_role').assume_role_policy).Statement).toStrictEqual([
        { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ]);
    });

    it('THEN it may call the item and describe APIs on the one table, see its own stack’s executions, and write to its own log group only', () => {
      const policy = resource('aws_iam_role_policy', 'lambda_policy');
      expect(policy.role).toBe('${aws_iam_role.lambda_role.id}');
      expect(policyOf(policy.policy).Statement).toStrictEqual([
        {
          Effect: 'Allow',
          Action: ['dynamodb:Scan', 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:DescribeTable'],
          Resource: [ref.tableArn],
        },
        { Effect: 'Allow', Action: ['states:ListExecutions'], Resource: [`${ref.location}:stateMachine:${ref.stateMachineName}`] },
        { Effect: 'Allow', Action: ['states:DescribeExecution'], Resource: [`${ref.location}:execution:${ref.stateMachineName}:*`] },
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: ['${aws_cloudwatch_log_group.lambda_logs.arn}:*'],
        },
      ]);
    });

    it('THEN the DynamoDB and Step Functions actions granted are exactly the calls the handlers make', () => {
      const granted = policyOf(resource('aws_iam_role_policy', 'lambda_policy').policy)
        .Statement.flatMap((s) => s.Action as string[])
        .filter((a) => !a.startsWith('logs:'));
      expect([...granted].sort()).toStrictEqual(handlerActions());
    });
  });

  describe('WHEN the state machine is read', () => {
    it('THEN it is a STANDARD machine named after the prefix, logging to its own log group as the variables say', () => {
      const sfn = resource('aws_sfn_state_machine', 'migration');
      expect(sfn).toMatchObject({
        name: ref.stateMachineName,
        type: 'STANDARD',
        role_arn: '${aws_iam_role.state_machine_role.arn}',
        logging_configuration: {
          level: '${var.state_machine_log_level}',
          include_execution_data: '${var.state_machine_include_execution_data}',
          log_destination: '${aws_cloudwatch_log_group.state_machine_logs.arn}:*',
        },
      });
      expect(sfn.depends_on).toContain('aws_iam_role_policy.state_machine_policy');
    });

    it('THEN its definition becomes JSON once Terraform fills in the batch timeout of lambda_timeout + 60 s', () => {
      const template: string = resource('aws_sfn_state_machine', 'migration').definition;
      expect(template).toContain(`"TimeoutSeconds":${ref.batchTimeout}`);
      const definition: StateMachineDefinition = JSON.parse(renderBatchTimeout(template, 300));
      const batch = (definition.States.MigrateSegments as Extract<StateMachineDefinition['States'][string], { Type: 'Map' }>).ItemProcessor.States.MigrateBatch;
      expect(batch).toMatchObject({ Type: 'Task', TimeoutSeconds: 360 });
    });

    it('THEN its definition passes asl-validator and calls the stack’s Lambda and table through Terraform references', () => {
      const definition: StateMachineDefinition = JSON.parse(renderBatchTimeout(resource('aws_sfn_state_machine', 'migration').definition, 900));
      const validate: (d: unknown) => { isValid: boolean; errors: unknown[] } = require('asl-validator');
      const { isValid, errors } = validate(definition);
      expect({ isValid, errors }).toStrictEqual({ isValid: true, errors: [] });
      // The validator does not check ARNs, so Terraform references pass; it still catches a broken graph.
      expect(validate({ ...definition, StartAt: 'Nowhere' }).isValid).toBe(false);
      const lambdaTasks = taskStates(definition).filter((t) => !t.resource.startsWith('arn:aws:states:::'));
      expect(lambdaTasks.map((t) => t.resource)).toStrictEqual([ref.functionArn, ref.functionArn, ref.functionArn]);
      expect(definition.States.CreateBackup).toMatchObject({ Parameters: { TableName: ref.tableName } });
    });

    it('THEN only Step Functions of this account can assume its role', () => {
      expect(policyOf(resource('aws_iam_role', 'state_machine_role').assume_role_policy).Statement).toStrictEqual([
        {
          Effect: 'Allow',
          Principal: { Service: 'states.amazonaws.com' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'aws:SourceAccount': '${data.aws_caller_identity.caller.account_id}' } },
        },
      ]);
    });

    it('THEN its role policy is exactly the statements the workflow declares plus log delivery', () => {
      const { statements } = migrationWorkflow({
        tableName: ref.tableName,
        tableArn: ref.tableArn,
        functionArn: ref.functionArn,
        children: {
          stateMachineArn: `${ref.location}:stateMachine:${ref.stateMachineName}`,
          executionsArn: `${ref.location}:execution:${ref.stateMachineName}/*`,
        },
        batchTimeoutSeconds: 960,
      });
      const policy = resource('aws_iam_role_policy', 'state_machine_policy');
      expect(policy.role).toBe('${aws_iam_role.state_machine_role.id}');
      expect(policyOf(policy.policy).Statement).toStrictEqual([...statements, logDeliveryStatement]);
    });

    it('THEN every Task in the definition is allowed by a statement of its role policy', () => {
      const definition: StateMachineDefinition = JSON.parse(renderBatchTimeout(resource('aws_sfn_state_machine', 'migration').definition, 900));
      const statements = policyOf(resource('aws_iam_role_policy', 'state_machine_policy').policy).Statement as PolicyStatement[];
      const tasks = taskStates(definition);
      expect(tasks.length).toBeGreaterThan(0);
      for (const task of tasks) {
        const sdk = /^arn:aws:states:::aws-sdk:([a-z0-9]+):(\w+)$/.exec(task.resource);
        const needed = sdk ? `${sdk[1]}:${sdk[2]![0]!.toUpperCase()}${sdk[2]!.slice(1)}` : 'lambda:InvokeFunction';
        const covering = statements.filter(
          (s) => s.Action.includes(needed) && !s.Resource.includes('*') && (sdk !== null || s.Resource.includes(task.resource)),
        );
        expect([task.name, covering.length]).toStrictEqual([task.name, 1]);
      }
    });

    it('THEN the segment child executions are granted on the ARN the machine will have, composed from its name', () => {
      const sfn = resource('aws_sfn_state_machine', 'migration');
      const statements = policyOf(resource('aws_iam_role_policy', 'state_machine_policy').policy).Statement as PolicyStatement[];
      expect(statements.find((s) => s.Action.includes('states:StartExecution'))?.Resource).toStrictEqual([`${ref.location}:stateMachine:${sfn.name}`]);
      expect(statements.find((s) => s.Action.includes('states:DescribeExecution'))?.Resource).toStrictEqual([`${ref.location}:execution:${sfn.name}/*`]);
      // Referring to the resource's own ARN here would make the role depend on the machine and the machine on the role.
      expect(resource('aws_iam_role_policy', 'state_machine_policy').policy).not.toContain('aws_sfn_state_machine');
    });
  });

  describe('WHEN every IAM document is inspected', () => {
    it('THEN no action is a wildcard', () => {
      const documents = allPolicyDocuments();
      expect(documents).toHaveLength(4);
      for (const [address, document] of documents) {
        for (const statement of document.Statement) {
          for (const action of [statement.Action].flat() as string[]) expect([address, action]).toStrictEqual([address, expect.not.stringContaining('*')]);
        }
      }
    });

    it('THEN `Resource: "*"` appears on the log delivery statement only, which those APIs require', () => {
      const starred = allPolicyDocuments().flatMap(([address, document]) =>
        document.Statement.filter((s) => [s.Resource ?? []].flat().includes('*')).map((s) => [address, s]),
      );
      expect(starred).toStrictEqual([['aws_iam_role_policy.state_machine_policy', logDeliveryStatement]]);
      expect(logDeliveryStatement.Action.every((a) => a.startsWith('logs:'))).toBe(true);
    });
  });

  describe('WHEN its outputs are read', () => {
    it('THEN they name the state machine, the function, both log groups, the table, a ready start command, the dashboard and the alarm topic', () => {
      const values = Object.fromEntries(Object.entries(tf.output as Block).map(([name, o]) => [name, o.value]));
      expect(values).toStrictEqual({
        state_machine_arn: '${aws_sfn_state_machine.migration.arn}',
        function_name: '${aws_lambda_function.migrate.function_name}',
        lambda_log_group: '${aws_cloudwatch_log_group.lambda_logs.name}',
        state_machine_log_group: '${aws_cloudwatch_log_group.state_machine_logs.name}',
        start_execution_command: `aws stepfunctions start-execution --region \${data.aws_service.states.region} --state-machine-arn \${aws_sfn_state_machine.migration.arn} --input '{"dryRun":true}'`,
        table_arn: ref.tableArn,
        dashboard_url:
          'https://${data.aws_service.states.region}.console.aws.amazon.com/cloudwatch/home?region=${data.aws_service.states.region}#dashboards/dashboard/${aws_cloudwatch_dashboard.dashboard.dashboard_name}',
        alarm_topic_arn: '${local.alarm_topic_arn_resolved}',
      });
      for (const [name, output] of Object.entries(tf.output as Block)) expect([name, typeof output.description]).toStrictEqual([name, 'string']);
    });
  });

  describe('WHEN the whole stack is snapshotted with asset hashes masked', () => {
    it('THEN it matches the reviewed snapshot', () => {
      expect(JSON.parse(Testing.synth(stack).replace(/[0-9A-F]{32}/g, '<asset-hash>'))).toMatchSnapshot();
    });
  });
});

describe('GIVEN the Lambda bundle the stack deploys', () => {
  it('WHEN a full synth runs THEN the archive the function points at exists and holds just the bundle file', () => {
    const outdir = Testing.fullSynth(stack);
    const archive = readFileSync(join(outdir, 'stacks', 'test', resource('aws_lambda_function', 'migrate').filename));
    rmSync(outdir, { recursive: true, force: true });
    // The end-of-central-directory record (signature PK\x05\x06) holds the number of entries at offset 10.
    const eocd = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    expect(archive.readUInt16LE(eocd + 10)).toBe(1);
    expect(archive.includes(Buffer.from('index.js'))).toBe(true);
  });

  it('WHEN its folder is listed THEN it is the single file the handler setting names', () => {
    expect(readdirSync(bundle.dir)).toStrictEqual(['index.js']);
    expect(basename(bundle.file)).toBe(`${LAMBDA_HANDLER.split('.')[0]}.js`);
    expect(relative(bundle.dir, bundle.file)).toBe('index.js');
  });

  it('WHEN it is loaded the way Lambda loads it THEN it exports the handler function', () => {
    const previous = process.env.TABLE_NAME;
    process.env.TABLE_NAME = 'orders';
    try {
      const exported: Record<string, unknown> = require(bundle.file);
      expect(typeof exported[LAMBDA_HANDLER.split('.')[1]!]).toBe('function');
    } finally {
      if (previous === undefined) delete process.env.TABLE_NAME;
      else process.env.TABLE_NAME = previous;
    }
  });
});

describe('GIVEN the migration file is chosen at synth time', () => {
  const example = join(projectRoot, 'migrations/examples/rename-and-prune.ts');

  it('WHEN MIGRATION_FILE is set THEN it wins over the cdktf context', () => {
    expect(chooseMigrationFile({ env: example, context: defaultMigrationFile })).toBe(example);
  });

  it('WHEN only the context value migrationFile is set THEN it is used', () => {
    expect(chooseMigrationFile({ env: undefined, context: example })).toBe(example);
  });

  it('WHEN neither is set THEN the shipped example is bundled', () => {
    expect(chooseMigrationFile({ env: '', context: undefined })).toBe(defaultMigrationFile);
  });

  it('WHEN the file does not exist THEN synth stops with a message naming the path', () => {
    expect(() => chooseMigrationFile({ env: 'migrations/nope.ts' })).toThrow(/migrations\/nope\.ts does not exist; set MIGRATION_FILE/);
  });

  it('WHEN a relative path is given THEN it is taken from the working directory', () => {
    expect(existsSync(chooseMigrationFile({ env: relative(process.cwd(), example) }))).toBe(true);
  });

  it('WHEN a bundle is built THEN the id of the migration inside it can be read without deploying it', () => {
    expect(bundledMigrationId(bundle)).toBe('clf-to-epoch');
  });

  it('WHEN the app is synthesized as cdktf runs it THEN it prints which migration file and id went into the bundle', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'synth-print-'));
    try {
      const stdout = execFileSync(join(projectRoot, 'node_modules/.bin/tsx'), ['main.ts'], {
        cwd: projectRoot,
        env: { ...process.env, CDKTF_OUTDIR: outdir, MIGRATION_FILE: relative(projectRoot, example), MIGRATION_STACK: 'print-test' },
        encoding: 'utf8',
      });
      expect(stdout).toMatch(/^Bundled migration 'rename-email-prune-sessions' from migrations\/examples\/rename-and-prune\.ts \(bundle [0-9a-f]{16}\)\.$/m);
      expect(existsSync(join(outdir, 'stacks/print-test/cdk.tf.json'))).toBe(true);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it("WHEN the project's cdktf scripts run THEN cdktf's update check (which fails offline) is turned off", () => {
    const { scripts } = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    for (const name of ['synth', 'deploy', 'destroy']) expect([name, scripts[name]]).toStrictEqual([name, expect.stringMatching(/^CHECKPOINT_DISABLE=1 cdktf /)]);
  });
});

describe('GIVEN the stack id is chosen at synth time', () => {
  it('WHEN nothing is set THEN it is dynamodb-migration', () => {
    expect(chooseStackId({ env: undefined, context: undefined })).toBe(DEFAULT_STACK_ID);
    expect(DEFAULT_STACK_ID).toBe('dynamodb-migration');
  });

  it('WHEN MIGRATION_STACK or the context value stackName is set THEN the environment wins', () => {
    expect(chooseStackId({ env: 'orders-migration', context: 'users-migration' })).toBe('orders-migration');
    expect(chooseStackId({ env: undefined, context: 'users-migration' })).toBe('users-migration');
  });

  it('WHEN the id could not name a folder and a state file THEN synth stops and says why', () => {
    expect(() => chooseStackId({ env: '../../orders' })).toThrow(`Stack name '../../orders' is not valid`);
  });
});

describe('GIVEN a value holding a Terraform number expression', () => {
  it('WHEN it is written as JSON THEN the number is an unquoted interpolation and plain numbers stay as they are', () => {
    const scratch = new TerraformStack(Testing.app(), 'json');
    const seconds = new TerraformVariable(scratch, 'seconds', { type: 'number' });
    new TerraformVariable(scratch, 'rendered', {
      type: 'string',
      default: jsonWithTerraformNumbers({ TimeoutSeconds: Op.add(seconds.numberValue, 60), Seconds: 10, Name: 'x' }),
    });
    expect(JSON.parse(Testing.synth(scratch)).variable.rendered.default).toBe('{"TimeoutSeconds":${(var.seconds + 60)},"Seconds":10,"Name":"x"}');
  });
});
