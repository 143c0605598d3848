/**
 * Amazon States Language (JSONPath query language) as TypeScript types.
 * The types are the ASL JSON itself, so rendering is the identity: what type-checks is what ships.
 */

/** A JSONPath reference into the state input (`$...`) or the context object (`$$...`). */
export type JsonPath = `$${string}`;

/** Any JSON value. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** A Parameters/ItemSelector/ResultSelector template: keys ending in `.$` take a path or intrinsic. */
export type PayloadTemplate = { [key: string]: Json };

/** Exactly one of `Next` and `End`: a state without a successor cannot be written. */
export type Transition = { Next: string; End?: never } | { End: true; Next?: never };

/** One entry of a state's `Retry` list. */
export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: 'FULL' | 'NONE';
}

/** One entry of a state's `Catch` list. */
export interface Catcher {
  ErrorEquals: string[];
  Next: string;
  ResultPath?: JsonPath | null;
}

interface Common {
  Comment?: string;
}

interface InputOutput {
  InputPath?: JsonPath | null;
  OutputPath?: JsonPath | null;
}

/** A Task state: a Lambda invoke or an AWS SDK integration. */
export type TaskState = Common &
  InputOutput &
  Transition & {
    Type: 'Task';
    Resource: string;
    Parameters?: PayloadTemplate;
    ResultSelector?: PayloadTemplate;
    ResultPath?: JsonPath | null;
    TimeoutSeconds?: number;
    Retry?: Retrier[];
    Catch?: Catcher[];
  };

/** A Pass state. */
export type PassState = Common &
  InputOutput &
  Transition & {
    Type: 'Pass';
    Parameters?: PayloadTemplate;
    Result?: Json;
    ResultPath?: JsonPath | null;
  };

/** A Wait state; exactly one way of saying how long. */
export type WaitState = Common &
  InputOutput &
  Transition & { Type: 'Wait' } & ({ Seconds: number; SecondsPath?: never } | { SecondsPath: JsonPath; Seconds?: never });

type StringTest = { StringEquals: string } | { StringEqualsPath: JsonPath };
type NumericTest =
  | { NumericEquals: number }
  | { NumericGreaterThan: number }
  | { NumericGreaterThanPath: JsonPath }
  | { NumericLessThan: number };
type BooleanTest = { BooleanEquals: boolean };
// `IsPresent: false` never matches in aws-local-stepfunctions, so only `true` is writable here.
type PresenceTest = { IsPresent: true };

/** A condition on one variable, or a boolean combination of conditions. */
export type ChoiceCondition =
  | ({ Variable: JsonPath } & (StringTest | NumericTest | BooleanTest | PresenceTest))
  | { And: ChoiceCondition[] }
  | { Or: ChoiceCondition[] }
  | { Not: ChoiceCondition };

/** A Choice rule: a condition and where to go when it holds. */
export type ChoiceRule = ChoiceCondition & { Next: string };

/** A Choice state; it never ends the execution itself. */
export interface ChoiceState extends Common, InputOutput {
  Type: 'Choice';
  Choices: ChoiceRule[];
  Default: string;
}

/** How a Map runs its iterations: inline in the parent, or as child executions (DISTRIBUTED). */
export type ProcessorConfig = { Mode: 'INLINE' } | { Mode: 'DISTRIBUTED'; ExecutionType: 'STANDARD' | 'EXPRESS' };

/** A Map state over an array of the input. */
export type MapState = Common &
  InputOutput &
  Transition & {
    Type: 'Map';
    ItemsPath: JsonPath;
    ItemSelector?: PayloadTemplate;
    ItemProcessor: { ProcessorConfig: ProcessorConfig; StartAt: string; States: Record<string, State> };
    MaxConcurrency?: number;
    MaxConcurrencyPath?: JsonPath;
    ToleratedFailureCount?: number;
    ToleratedFailurePercentage?: number;
    ResultPath?: JsonPath | null;
    Label?: string;
    Retry?: Retrier[];
    Catch?: Catcher[];
  };

/** A Succeed state. */
export interface SucceedState extends Common, InputOutput {
  Type: 'Succeed';
}

/** A Fail state with a fixed error and either a fixed or a looked-up cause. */
export type FailState = Common & { Type: 'Fail'; Error: string } & (
    | { Cause?: string; CausePath?: never }
    | { CausePath: JsonPath; Cause?: never }
  );

/** Every state kind this project uses. */
export type State = TaskState | PassState | WaitState | ChoiceState | MapState | SucceedState | FailState;

/** A whole state machine definition. */
export interface StateMachineDefinition {
  Comment?: string;
  StartAt: string;
  States: Record<string, State>;
  TimeoutSeconds?: number;
}

/** One IAM policy statement a state needs; resources may be Terraform expressions. */
export interface PolicyStatement {
  Effect: 'Allow';
  Action: string[];
  Resource: string[];
}

/** States plus the IAM statements they need: the unit every helper returns and `graph` joins. */
export interface Fragment {
  states: Record<string, State>;
  statements: PolicyStatement[];
}
