import validateAsl from 'asl-validator';
import { joinFragments, mergeStatements, stateMachine } from '../../asl/graph';
import { toMermaid } from '../../asl/mermaid';
import { cursorLoop, distributedMap, pollUntil } from '../../asl/patterns';
import { catchAll, neverRetried, retrier } from '../../asl/retry';
import { awsSdkTask, lambdaInvoke } from '../../asl/tasks';
import type { Fragment } from '../../asl/types';

const fn = 'arn:aws:lambda:us-east-1:123456789012:function:f';

describe('task helpers', () => {
  it.each([
    [
      'a Lambda invoke with only a successor',
      lambdaInvoke('Go', fn, { then: { Next: 'Done' } }),
      {
        states: { Go: { Type: 'Task', Resource: fn, Next: 'Done' } },
        statements: [{ Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: [fn, `${fn}:*`] }],
      },
    ],
    [
      'a Lambda invoke with every option',
      lambdaInvoke('Go', fn, {
        parameters: { 'a.$': '$.a' },
        resultSelector: { 'b.$': '$.b' },
        resultPath: '$.r',
        timeoutSeconds: 60,
        retry: [],
        catch: [{ ErrorEquals: ['States.ALL'], Next: 'Oops' }],
        comment: 'why',
        then: { End: true },
      }),
      {
        states: {
          Go: {
            Type: 'Task',
            Resource: fn,
            Comment: 'why',
            Parameters: { 'a.$': '$.a' },
            ResultSelector: { 'b.$': '$.b' },
            ResultPath: '$.r',
            TimeoutSeconds: 60,
            Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Oops' }],
            End: true,
          },
        },
        statements: [{ Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: [fn, `${fn}:*`] }],
      },
    ],
    [
      'an AWS SDK integration, granting exactly its action',
      awsSdkTask('Backup', { service: 'dynamodb', action: 'createBackup', iamResources: ['arn:t'] }, { then: { Next: 'X' } }),
      {
        states: { Backup: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:dynamodb:createBackup', Next: 'X' } },
        statements: [{ Effect: 'Allow', Action: ['dynamodb:CreateBackup'], Resource: ['arn:t'] }],
      },
    ],
  ])('renders %s with no undefined keys', (_name, fragment, expected) => {
    expect(fragment).toStrictEqual(expected);
    expect(JSON.parse(JSON.stringify(fragment))).toStrictEqual(expected);
  });

  it.each([
    [{ service: 'DynamoDB', action: 'scan', iamResources: ['x'] }, "Expected an SDK service name such as 'dynamodb', got: DynamoDB"],
    [{ service: 'dynamodb', action: 'Scan', iamResources: ['x'] }, "Expected a camelCase SDK action such as 'createBackup', got: Scan"],
    [{ service: 'dynamodb', action: 'scan', iamResources: [] }, "Task 'T' must name the resources it calls dynamodb:scan on"],
  ])('rejects a malformed SDK call %j', (call, message) => {
    expect(() => awsSdkTask('T', call, { then: { End: true } })).toThrow(message);
  });
});

describe('retry and catch builders', () => {
  it('catches every error into a path and moves on', () => {
    expect(catchAll('Handle', '$.error')).toStrictEqual({ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Handle' });
  });

  it('builds retriers with full jitter, and lists errors that are never retried', () => {
    expect(retrier(['E1', 'E2'], { IntervalSeconds: 1, MaxAttempts: 3 })).toStrictEqual({ ErrorEquals: ['E1', 'E2'], JitterStrategy: 'FULL', IntervalSeconds: 1, MaxAttempts: 3 });
    expect(neverRetried(['Fatal'])).toStrictEqual({ ErrorEquals: ['Fatal'], MaxAttempts: 0 });
    expect(() => retrier([], { MaxAttempts: 1 })).toThrow('A retrier needs at least one error name');
  });

  it('grants an SDK call the IAM action it names when the service prefix differs from the API', () => {
    const task = awsSdkTask('List', { service: 'sfn', action: 'listExecutions', iamResources: ['arn:sm'], iamAction: 'states:ListExecutions' }, { then: { End: true } });
    expect(task.statements).toStrictEqual([{ Effect: 'Allow', Action: ['states:ListExecutions'], Resource: ['arn:sm'] }]);
  });
});

describe('patterns', () => {
  it('builds a cursor loop that repeats the task while the cursor is present', () => {
    const loop = cursorLoop({
      taskName: 'Page',
      choiceName: 'More?',
      cursorPath: '$.cursor',
      whenDone: 'Done',
      task: (then) => lambdaInvoke('Page', fn, { retry: [], then }),
    });
    expect(loop.states).toStrictEqual({
      Page: { Type: 'Task', Resource: fn, Next: 'More?' },
      'More?': { Type: 'Choice', Choices: [{ Variable: '$.cursor', IsPresent: true, Next: 'Page' }], Default: 'Done' },
    });
  });

  it('builds a bounded poll: reset, wait, check, count, decide', () => {
    const poll = pollUntil({
      name: 'Job',
      intervalSeconds: 5,
      maxPolls: 3,
      checkName: 'Check',
      check: (then) => lambdaInvoke('Check', fn, { retry: [], resultPath: '$.job', then }),
      statusVariable: '$.job.status',
      counterPath: '$.polls',
      readyValue: 'DONE',
      pendingValue: 'RUNNING',
      whenReady: 'Next',
      otherwise: 'Failed',
    });
    expect(poll.states).toStrictEqual({
      Job: { Type: 'Pass', Result: { polls: 0 }, ResultPath: '$.polls', Next: 'Job: wait' },
      'Job: wait': { Type: 'Wait', Seconds: 5, Next: 'Check' },
      'Job: count': { Type: 'Pass', Parameters: { 'polls.$': 'States.MathAdd($.polls.polls, 1)' }, ResultPath: '$.polls', Next: 'Job: ready?' },
      'Job: ready?': {
        Type: 'Choice',
        Choices: [
          { Variable: '$.job.status', StringEquals: 'DONE', Next: 'Next' },
          { And: [{ Variable: '$.job.status', StringEquals: 'RUNNING' }, { Variable: '$.polls.polls', NumericLessThan: 3 }], Next: 'Job: wait' },
        ],
        Default: 'Failed',
      },
      Check: { Type: 'Task', Resource: fn, ResultPath: '$.job', Next: 'Job: count' },
    });
  });

  it('fans out as a DISTRIBUTED map of STANDARD children and grants what children need', () => {
    const map = distributedMap({
      name: 'Segments',
      itemsPath: '$.segments',
      itemSelector: { 'segment.$': '$$.Map.Item.Value' },
      maxConcurrencyPath: '$.max',
      resultPath: '$.results',
      processor: { startAt: 'Work', fragment: lambdaInvoke('Work', fn, { retry: [], then: { End: true } }) },
      children: { stateMachineArn: 'arn:sm', executionsArn: 'arn:ex/*' },
      then: { Next: 'After' },
    });
    expect(map).toStrictEqual({
      states: {
        Segments: {
          Type: 'Map',
          Label: 'Segments',
          ItemsPath: '$.segments',
          ItemSelector: { 'segment.$': '$$.Map.Item.Value' },
          MaxConcurrencyPath: '$.max',
          ItemProcessor: {
            ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
            StartAt: 'Work',
            States: { Work: { Type: 'Task', Resource: fn, End: true } },
          },
          ResultPath: '$.results',
          Next: 'After',
        },
      },
      statements: [
        { Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: [fn, `${fn}:*`] },
        { Effect: 'Allow', Action: ['states:StartExecution'], Resource: ['arn:sm'] },
        { Effect: 'Allow', Action: ['states:DescribeExecution', 'states:StopExecution', 'states:RedriveExecution'], Resource: ['arn:ex/*'] },
      ],
    });
  });
});

describe('graph', () => {
  const end: Fragment = { states: { End: { Type: 'Succeed' } }, statements: [] };
  /** A one-state machine: a DISTRIBUTED Map named 'Each' whose processor is `processor` (its first state starts). */
  const mapOver = (processor: Fragment): Fragment =>
    distributedMap({
      name: 'Each',
      itemsPath: '$.items',
      itemSelector: {},
      maxConcurrencyPath: '$.n',
      resultPath: '$.r',
      processor: { startAt: Object.keys(processor.states)[0]!, fragment: processor },
      children: { stateMachineArn: 'arn:sm', executionsArn: 'arn:ex/*' },
      then: { End: true },
    });

  it('assembles a definition that asl-validator accepts', () => {
    const built = stateMachine({ startAt: 'Go', fragments: [lambdaInvoke('Go', fn, { then: { Next: 'End' } }), end] });
    expect(built.definition).toStrictEqual({
      StartAt: 'Go',
      States: { Go: { Type: 'Task', Resource: fn, Next: 'End' }, End: { Type: 'Succeed' } },
    });
    expect(validateAsl(built.definition)).toMatchObject({ isValid: true, errors: [] });
  });

  it.each([
    ['a missing start', { startAt: 'Nope', fragments: [end] }, "definition: StartAt 'Nope' is not a state"],
    ['a dangling Next', { startAt: 'Go', fragments: [lambdaInvoke('Go', fn, { then: { Next: 'Gone' } })] }, "state 'Go' goes to 'Gone', which does not exist"],
    ['an unreachable state', { startAt: 'End', fragments: [end, lambdaInvoke('Lost', fn, { then: { Next: 'End' } })] }, 'unreachable states: Lost'],
    ['a duplicate name', { startAt: 'End', fragments: [end, end] }, "State name 'End' is used twice"],
    ['a name used again inside a Map', { startAt: 'Each', fragments: [mapOver(lambdaInvoke('Each', fn, { then: { End: true } }))] }, "State name 'Each' is used twice (in the top level and Each)"],
    ['States.ALL with other errors', { startAt: 'Go', fragments: [end, lambdaInvoke('Go', fn, { retry: [{ ErrorEquals: ['States.ALL', 'X'] }], then: { Next: 'End' } })] }, 'States.ALL must stand alone'],
    ['States.ALL before another retrier', { startAt: 'Go', fragments: [end, lambdaInvoke('Go', fn, { retry: [{ ErrorEquals: ['States.ALL'] }, { ErrorEquals: ['X'] }], then: { Next: 'End' } })] }, 'States.ALL must be the last entry'],
    ['States.ALL before another catcher', { startAt: 'Go', fragments: [end, lambdaInvoke('Go', fn, { catch: [catchAll('End', '$.e'), { ErrorEquals: ['X'], Next: 'End' }], then: { Next: 'End' } })] }, "state 'Go' Catch: States.ALL must be the last entry"],
    ['a dangling Next inside a Map', { startAt: 'Each', fragments: [mapOver(lambdaInvoke('Work', fn, { then: { Next: 'Nowhere' } }))] }, "definition > Each: state 'Work' goes to 'Nowhere'"],
  ])('rejects %s', (_name, props, message) => {
    expect(() => stateMachine(props)).toThrow(message);
  });

  it('merges statements with the same actions and drops repeats', () => {
    expect(
      mergeStatements([
        { Effect: 'Allow', Action: ['a:X'], Resource: ['r1'] },
        { Effect: 'Allow', Action: ['a:X'], Resource: ['r1', 'r2'] },
        { Effect: 'Allow', Action: ['a:Y'], Resource: ['r1'] },
      ]),
    ).toStrictEqual([
      { Effect: 'Allow', Action: ['a:X'], Resource: ['r1', 'r2'] },
      { Effect: 'Allow', Action: ['a:Y'], Resource: ['r1'] },
    ]);
    expect(joinFragments(end).statements).toStrictEqual([]);
  });

  it('renders Mermaid with every state and transition', () => {
    const built = stateMachine({ startAt: 'Go', fragments: [lambdaInvoke('Go', fn, { then: { Next: 'End' } }), end] });
    expect(toMermaid(built.definition)).toBe(
      ['flowchart TD', '  start((start))', '  s0["Go<br/><i>Task</i>"]', '  s1(["End<br/><i>Succeed</i>"])', '  s0 --> s1', '  start --> s0', ''].join('\n'),
    );
  });
});
