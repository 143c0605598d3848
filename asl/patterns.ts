import { joinFragments } from './graph';
import type { Fragment, JsonPath, PayloadTemplate, Transition } from './types';

/**
 * A cursor loop: run `task` (built with its successor) and run it again while `cursorPath` is
 * present in its output. Pagination state lives in the payload, so each turn is one task call.
 */
export function cursorLoop(props: {
  taskName: string;
  choiceName: string;
  cursorPath: JsonPath;
  task: (then: Transition) => Fragment;
  whenDone: string;
}): Fragment {
  return joinFragments(props.task({ Next: props.choiceName }), {
    states: {
      [props.choiceName]: {
        Type: 'Choice',
        // `IsPresent: true` with swapped branches: the local interpreter never matches `IsPresent: false`.
        Choices: [{ Variable: props.cursorPath, IsPresent: true, Next: props.taskName }],
        Default: props.whenDone,
      },
    },
    statements: [],
  });
}

/**
 * Polls a long-running operation. The entry state `name` resets a counter at `counterPath`, then:
 * wait, check (the check writes the status to `statusVariable`), count, and continue on `readyValue`,
 * poll again on `pendingValue` while fewer than `maxPolls` checks were made, else go to `otherwise`.
 */
export function pollUntil(props: {
  name: string;
  intervalSeconds: number;
  maxPolls: number;
  checkName: string;
  check: (then: Transition) => Fragment;
  statusVariable: JsonPath;
  counterPath: JsonPath;
  readyValue: string;
  pendingValue: string;
  whenReady: string;
  otherwise: string;
}): Fragment {
  const wait = `${props.name}: wait`;
  const count = `${props.name}: count`;
  const decide = `${props.name}: ready?`;
  const polls: JsonPath = `${props.counterPath}.polls`;
  const control: Fragment = {
    states: {
      [props.name]: { Type: 'Pass', Result: { polls: 0 }, ResultPath: props.counterPath, Next: wait },
      [wait]: { Type: 'Wait', Seconds: props.intervalSeconds, Next: props.checkName },
      [count]: {
        Type: 'Pass',
        Parameters: { 'polls.$': `States.MathAdd(${polls}, 1)` },
        ResultPath: props.counterPath,
        Next: decide,
      },
      [decide]: {
        Type: 'Choice',
        Choices: [
          { Variable: props.statusVariable, StringEquals: props.readyValue, Next: props.whenReady },
          {
            And: [
              { Variable: props.statusVariable, StringEquals: props.pendingValue },
              { Variable: polls, NumericLessThan: props.maxPolls },
            ],
            Next: wait,
          },
        ],
        Default: props.otherwise,
      },
    },
    statements: [],
  };
  return joinFragments(control, props.check({ Next: count }));
}

/** Where a DISTRIBUTED Map's child executions live, for the IAM it needs to manage them. */
export interface ChildExecutions {
  /** The ARN of the state machine that contains the Map (child executions run under it). */
  stateMachineArn: string;
  /** An ARN pattern matching that state machine's executions, e.g. `arn:...:execution:name/*`. */
  executionsArn: string;
}

/**
 * A DISTRIBUTED Map with STANDARD children: each item is its own child execution with its own
 * history, so the parent's history does not grow with the work inside an item.
 */
export function distributedMap(props: {
  name: string;
  itemsPath: JsonPath;
  itemSelector: PayloadTemplate;
  maxConcurrencyPath: JsonPath;
  resultPath: JsonPath;
  processor: { startAt: string; fragment: Fragment };
  children: ChildExecutions;
  /** How many children may fail before the Map Run fails (and Step Functions aborts the others). */
  toleratedFailureCount?: number;
  then: Transition;
}): Fragment {
  return {
    states: {
      [props.name]: {
        Type: 'Map',
        Label: props.name.replace(/[^A-Za-z0-9_]/g, '').slice(0, 40),
        ItemsPath: props.itemsPath,
        ItemSelector: props.itemSelector,
        MaxConcurrencyPath: props.maxConcurrencyPath,
        ItemProcessor: {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
          StartAt: props.processor.startAt,
          States: props.processor.fragment.states,
        },
        ...(props.toleratedFailureCount !== undefined && { ToleratedFailureCount: props.toleratedFailureCount }),
        ResultPath: props.resultPath,
        ...props.then,
      },
    },
    statements: [
      ...props.processor.fragment.statements,
      { Effect: 'Allow', Action: ['states:StartExecution'], Resource: [props.children.stateMachineArn] },
      {
        Effect: 'Allow',
        // RedriveExecution: redriving the parent redrives the Map Run's failed children.
        Action: ['states:DescribeExecution', 'states:StopExecution', 'states:RedriveExecution'],
        Resource: [props.children.executionsArn],
      },
    ],
  };
}
