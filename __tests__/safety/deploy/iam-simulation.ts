/** Evaluating API calls against a role's identity policy with @cloud-copilot/iam-simulate. */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { ApiCall } from './api-calls';

/** How IAM would decide one call: Allowed, ImplicitlyDenied or ExplicitlyDenied. */
export type Decision = string;

/**
 * The decision for `call` made by `principal` (a role ARN in `account`) holding only `policy`, with
 * no SCPs, boundaries or resource policies. An invalid policy, an unknown action or a resource of the
 * wrong type for the action throws: the simulator's validation is part of the check.
 */
export async function decide(policy: unknown, principal: string, account: string, call: ApiCall & { context?: Record<string, string> }): Promise<Decision> {
  const result = await runSimulation(
    {
      request: { principal, action: call.action, resource: { resource: call.resource, accountId: account }, contextVariables: call.context ?? {} },
      identityPolicies: [{ name: 'inline', policy }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(`${call.action} on ${call.resource} cannot be simulated: ${JSON.stringify(result.errors)}`);
  return result.overallResult;
}

/** Each call with its decision, for one `toStrictEqual` over the whole list. */
export async function decisions(policy: unknown, principal: string, account: string, calls: (ApiCall & { context?: Record<string, string> })[]): Promise<[string, string, Decision][]> {
  return Promise.all(calls.map(async (call): Promise<[string, string, Decision]> => [call.action, call.resource, await decide(policy, principal, account, call)]));
}
