import { DescribeExecutionCommand, ListExecutionsCommand, type SFNClient } from '@aws-sdk/client-sfn';

/** Another execution of the same state machine that is running now, and what it was started with. */
export interface RunningExecution {
  name: string;
  arn: string;
  input: unknown;
}

/** How Prepare sees the other runs of its stack. */
export interface RunningExecutions {
  /** Every running execution of `stateMachineArn` other than `selfArn`. */
  others(stateMachineArn: string, selfArn: string): Promise<RunningExecution[]>;
}

/**
 * Running executions from Step Functions itself: ListExecutions (RUNNING) on the state machine, then
 * DescribeExecution of each for its input. A stack rarely has more than a few running at once.
 */
export function stepFunctionsExecutions(client: SFNClient): RunningExecutions {
  return {
    async others(stateMachineArn, selfArn) {
      const running: { name: string; arn: string }[] = [];
      let nextToken: string | undefined;
      do {
        const page = await client.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING', ...(nextToken && { nextToken }) }));
        for (const e of page.executions ?? []) if (e.executionArn && e.executionArn !== selfArn) running.push({ name: e.name ?? e.executionArn, arn: e.executionArn });
        nextToken = page.nextToken;
      } while (nextToken);
      return Promise.all(
        running.map(async (e) => {
          const described = await client.send(new DescribeExecutionCommand({ executionArn: e.arn }));
          let input: unknown;
          try {
            input = JSON.parse(described.input ?? '{}');
          } catch {
            input = {};
          }
          return { ...e, input };
        }),
      );
    },
  };
}
