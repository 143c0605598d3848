/** Every AWS name the stack gives, derived from `name_prefix` so two stacks never collide. */
export interface ResourceNames {
  functionName: string;
  stateMachineName: string;
  lambdaLogGroup: string;
  stateMachineLogGroup: string;
  dashboardName: string;
  failedItemsAlarm: string;
  executionFailedAlarm: string;
  alarmTopic: string;
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
    dashboardName: stateMachineName,
    failedItemsAlarm: `${prefix}-failed-items`,
    executionFailedAlarm: `${prefix}-execution-failed`,
    alarmTopic: `${prefix}-alarms`,
  };
}
