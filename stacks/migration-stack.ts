import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsDynamodbTable } from '@cdktf/provider-aws/lib/data-aws-dynamodb-table';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { DataAwsService } from '@cdktf/provider-aws/lib/data-aws-service';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Fn, Op, TerraformLocal, TerraformOutput, TerraformStack, Token, propertyAccess } from 'cdktf';
import type { Construct } from 'constructs';
import type { LambdaBundle } from '../bundle/lambda-bundle';
import type { Tuning } from '../workflow/input';
import { migrationAlarms } from './alarms';
import { migrationDashboard } from './dashboard';
import { migrationFunction } from './migration-function';
import { migrationStateMachine } from './migration-state-machine';
import { executionsArnOf, stateMachineArns } from '../workflow/deployment';
import { resourceNames } from './names';
import { terraformSettings } from './terraform-settings';
import { isEmptyString, migrationVariables } from './variables';

/** The stack's synth-time configuration; everything else is a Terraform variable. */
export interface MigrationStackConfig {
  /** The Lambda bundle with the chosen migration module. */
  bundle: LambdaBundle;
  /** The id of the migration in the bundle: the dashboard and the alarms show its metrics. */
  migrationId: string;
}

/** Seconds the state machine waits on one MigrateBatch call beyond the Lambda's own timeout. */
const BATCH_TIMEOUT_MARGIN_SECONDS = 60;

/** The smallest period CloudWatch graphs metrics at, in seconds. */
const METRIC_PERIOD_STEP_SECONDS = 60;

/**
 * Everything one table's migration needs: the Lambda, the state machine, a role and a log group for
 * each, a dashboard and optional alarms, driven by Terraform variables. The region and credentials come from the standard AWS
 * provider settings (AWS_REGION, AWS_PROFILE, ...).
 */
export class MigrationStack extends TerraformStack {
  constructor(scope: Construct, id: string, config: MigrationStackConfig) {
    super(scope, id);

    terraformSettings(this);
    new AwsProvider(this, 'aws', {});
    const vars = migrationVariables(this);
    const names = resourceNames(vars.namePrefix.stringValue);

    const givenArn = vars.tableArn.stringValue;
    const noArnGiven = isEmptyString(givenArn);
    // Read only when no ARN is given, so a table_arn alone needs no dynamodb:DescribeTable to plan.
    const lookedUp = new DataAwsDynamodbTable(this, 'table', {
      name: vars.tableName.stringValue,
      count: Token.asNumber(Fn.conditional(noArnGiven, 1, 0)),
    });
    const tableArn = new TerraformLocal(
      this,
      'table_arn_resolved',
      Fn.conditional(noArnGiven, Fn.one(propertyAccess(lookedUp, ['*', 'arn'])), givenArn),
    ).asString;

    const location = {
      partition: new DataAwsPartition(this, 'partition', {}).partition,
      // The provider's region, read the same way from AWS provider 5.x and 6.x: aws_region's `name`
      // is deprecated in 6.x and its `region` does not exist in 5.x.
      region: new DataAwsService(this, 'states', { serviceId: 'states' }).region,
      account: new DataAwsCallerIdentity(this, 'caller', {}).accountId,
    };

    const tuning = Object.fromEntries(
      Object.entries(vars.tuning).map(([field, variable]) => [field, variable.numberValue]),
    ) as Record<keyof Tuning, number>;

    const migrate = migrationFunction(this, {
      bundle: config.bundle,
      functionName: names.functionName,
      logGroupName: names.lambdaLogGroup,
      tableName: vars.tableName.stringValue,
      tableArn,
      tuning,
      memorySize: vars.lambdaMemorySize.numberValue,
      timeoutSeconds: vars.lambdaTimeout.numberValue,
      reservedConcurrency: vars.lambdaReservedConcurrency.numberValue,
      stateMachine: {
        arn: stateMachineArns(location, names.stateMachineName).stateMachineArn,
        executionsArn: executionsArnOf(location, names.stateMachineName),
      },
      logRetentionDays: vars.logRetentionDays.numberValue,
      logLevel: vars.lambdaLogLevel.stringValue,
    });

    const workflow = migrationStateMachine(this, {
      location,
      stateMachineName: names.stateMachineName,
      logGroupName: names.stateMachineLogGroup,
      logRetentionDays: vars.logRetentionDays.numberValue,
      logging: {
        level: vars.stateMachineLogLevel.stringValue,
        includeExecutionData: vars.stateMachineIncludeExecutionData.booleanValue,
      },
      target: {
        tableName: vars.tableName.stringValue,
        tableArn,
        functionArn: migrate.fn.arn,
        batchTimeoutSeconds: Op.add(vars.lambdaTimeout.numberValue, BATCH_TIMEOUT_MARGIN_SECONDS),
      },
    });

    // Composed from the name, like the role policy's, so the dashboard and the alarms are known at plan time.
    const { stateMachineArn } = stateMachineArns(location, names.stateMachineName);
    const dashboard = migrationDashboard(this, names.dashboardName, {
      region: location.region,
      migrationId: config.migrationId,
      tableName: vars.tableName.stringValue,
      functionName: names.functionName,
      stateMachineArn,
      lambdaLogGroup: names.lambdaLogGroup,
      // A batch publishes its metrics when it ends, so a graph period shorter than a batch would show bursts and gaps.
      periodSeconds: Op.mul(Fn.ceil(Op.div(vars.lambdaTimeout.numberValue, METRIC_PERIOD_STEP_SECONDS)), METRIC_PERIOD_STEP_SECONDS),
    });
    const alarms = migrationAlarms(this, {
      enabled: vars.alarmsEnabled.booleanValue,
      topicArn: vars.alarmTopicArn.stringValue,
      names: { topic: names.alarmTopic, failedItems: names.failedItemsAlarm, executionFailed: names.executionFailedAlarm },
      migrationId: config.migrationId,
      tableName: vars.tableName.stringValue,
      stateMachineArn,
    });

    const outputs = {
      state_machine_arn: { value: workflow.stateMachine.arn, description: 'ARN of the migration state machine.' },
      function_name: { value: migrate.fn.functionName, description: 'Name of the migration Lambda.' },
      lambda_log_group: { value: migrate.logGroup.name, description: 'Log group of the migration Lambda.' },
      state_machine_log_group: { value: workflow.logGroup.name, description: 'Log group of the state machine executions.' },
      start_execution_command: {
        value: `aws stepfunctions start-execution --region ${location.region} --state-machine-arn ${workflow.stateMachine.arn} --input '{"dryRun":true}'`,
        description: 'Starts a dry run; drop "dryRun" (or set it to false) to write.',
      },
      table_arn: { value: tableArn, description: 'ARN of the migrated table (given or looked up).' },
      dashboard_url: { value: dashboard.url, description: "The migration's CloudWatch dashboard." },
      alarm_topic_arn: { value: alarms.topicArn, description: 'SNS topic the alarms notify (null when alarms_enabled is false); subscribe to it to be told.' },
    };
    for (const [name, output] of Object.entries(outputs)) {
      // Output ids get a suffix because `table_arn` is also a variable's id; the logical id is the output name.
      new TerraformOutput(this, `${name}_output`, output).overrideLogicalId(name);
    }
  }
}
