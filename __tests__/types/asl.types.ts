/**
 * Type tests: checked by `tsc -p .` (the first half of `npm test`), never run. Each line must fail to
 * type-check; if one ever compiles, its `@ts-expect-error` is unused and `tsc` fails.
 */
import type { State, TaskState, WaitState } from '../../asl/types';

const fn = 'arn:aws:lambda:us-east-1:123456789012:function:f';

// @ts-expect-error a Task needs a successor or End
export const noSuccessor: TaskState = { Type: 'Task', Resource: fn };
// @ts-expect-error Next and End together
export const both: TaskState = { Type: 'Task', Resource: fn, Next: 'A', End: true };
// @ts-expect-error a path must start with $
export const badPath: TaskState = { Type: 'Task', Resource: fn, ResultPath: 'result', End: true };
// @ts-expect-error a Wait needs exactly one duration
export const twoDurations: WaitState = { Type: 'Wait', Seconds: 1, SecondsPath: '$.s', Next: 'A' };
// @ts-expect-error IsPresent: false never matches locally, so it cannot be written
export const absent: State = { Type: 'Choice', Choices: [{ Variable: '$.c', IsPresent: false, Next: 'A' }], Default: 'B' };
