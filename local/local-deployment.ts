import type { StateMachineDefinition } from '../asl/types';
import { migrationWorkflow } from '../workflow/definition';
import { functionArnOf, stateMachineArns, tableArnOf, type AwsLocation } from '../workflow/deployment';

/** The account and names a local run is "deployed" under; nothing is ever called at them. */
export const LOCAL_LOCATION: AwsLocation = { partition: 'aws', region: 'us-east-1', account: '000000000000' };
const LOCAL_NAME = 'ddb-migrate-local';

/** The Lambda's ARN in the local definition: Task states with this resource run the local bundle. */
export const LOCAL_FUNCTION_ARN = functionArnOf(LOCAL_LOCATION, LOCAL_NAME);

/** The local state machine's ARNs (its executions' ARNs are derived from them). */
export const LOCAL_STATE_MACHINE = stateMachineArns(LOCAL_LOCATION, LOCAL_NAME);

/** The very definition the stack deploys, with local names in place of the Terraform references. */
export function localDefinition(table: string, batchTimeoutSeconds = 900): StateMachineDefinition {
  return migrationWorkflow({
    tableName: table,
    tableArn: tableArnOf(LOCAL_LOCATION, table),
    functionArn: LOCAL_FUNCTION_ARN,
    children: LOCAL_STATE_MACHINE,
    batchTimeoutSeconds,
  }).definition;
}
