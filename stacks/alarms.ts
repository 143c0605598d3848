import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { Fn, Op, TerraformLocal, Token, propertyAccess, type IResolvable, type TerraformStack } from 'cdktf';
import { METRIC_NAMESPACE, metricDimensions, type Counter } from '../workflow/telemetry';
import { isEmptyString } from './variables';

/** What the alarms watch and whom they notify; values may be Terraform expressions. */
export interface AlarmsProps {
  /** `alarms_enabled`: nothing below is created unless true. */
  enabled: IResolvable;
  /** `alarm_topic_arn`: an existing topic, or empty for a new one. */
  topicArn: string;
  names: { topic: string; failedItems: string; executionFailed: string };
  migrationId: string;
  tableName: string;
  stateMachineArn: string;
}

/** The topic the alarms notify: the given one, the created one, or null when alarms are off. */
export interface MigrationAlarms {
  topicArn: string;
}

/** The metric our failed-items alarm watches. */
const FAILED: Counter = 'failed';

/**
 * Optional alarms, each firing within a minute of the data that breaches it: a single failed item (the
 * Lambda's `failed` metric for this migration and table), and every failed execution (Step
 * Functions' ExecutionsFailed). Both notify, and say OK again, through one SNS topic.
 */
export function migrationAlarms(stack: TerraformStack, props: AlarmsProps): MigrationAlarms {
  const when = (condition: IResolvable) => Token.asNumber(Fn.conditional(condition, 1, 0));
  const noTopicGiven = isEmptyString(props.topicArn);
  const topic = new SnsTopic(stack, 'alarm_topic', { name: props.names.topic, count: when(Op.and(props.enabled, noTopicGiven)) });
  const topicArn = new TerraformLocal(
    stack,
    'alarm_topic_arn_resolved',
    Fn.conditional(noTopicGiven, Fn.one(propertyAccess(topic, ['*', 'arn'])), props.topicArn),
  ).asString;

  const common = {
    count: when(props.enabled),
    comparisonOperator: 'GreaterThanThreshold',
    threshold: 0,
    statistic: 'Sum',
    period: 60,
    evaluationPeriods: 1,
    // No data is no trouble: between batches, and once the run is over.
    treatMissingData: 'notBreaching',
    alarmActions: [topicArn],
    okActions: [topicArn],
  };
  new CloudwatchMetricAlarm(stack, 'failed_items', {
    ...common,
    alarmName: props.names.failedItems,
    alarmDescription: `Items of table ${props.tableName} failed to migrate (migration ${props.migrationId}); the Lambda's item.failed log lines have their keys and reasons.`,
    namespace: METRIC_NAMESPACE,
    metricName: FAILED,
    dimensions: metricDimensions({ migrationId: props.migrationId, table: props.tableName }),
  });
  new CloudwatchMetricAlarm(stack, 'execution_failed', {
    ...common,
    alarmName: props.names.executionFailed,
    alarmDescription: `A migration execution of table ${props.tableName} failed; its cause is in the Step Functions console.`,
    namespace: 'AWS/States',
    metricName: 'ExecutionsFailed',
    dimensions: { StateMachineArn: props.stateMachineArn },
  });
  return { topicArn };
}
