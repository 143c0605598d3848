/**
 * One Step Functions execution, run locally on aws-local-stepfunctions the way AWS would run it:
 * every payload and the history are measured against AWS's limits (local/aws-limits.ts), a
 * DISTRIBUTED Map runs its items as child executions of their own (local/map-run.ts), and where the
 * execution stands is kept in a record, so that a redrive starts from the state that failed.
 */
import './polyfills';
import { StateMachine } from 'aws-local-stepfunctions';
import { allStates } from '../asl/graph';
import { HistoryEventCost, stateHistoryEvents } from '../asl/history';
import type { Json, MapState, State, StateMachineDefinition, TaskState } from '../asl/types';
import type { LimitMeter } from './aws-limits';

/** A local stand-in for one Task state's resource. */
export type TaskHandler = (input: Json) => Promise<unknown>;

/** A state an execution entered, and the input it entered with: where a redrive starts. */
export interface StatePosition {
  state: string;
  input: Json;
}

/** What an execution remembers for a redrive: where it stands, its history so far, its Map Runs' children. */
export interface ExecutionRecord {
  at?: StatePosition;
  historyEvents: number;
  mapRuns: Record<string, ChildRecord[]>;
}

/** One child of a DISTRIBUTED Map Run: its output once it succeeded, else its input and its own record. */
export type ChildRecord = { status: 'SUCCEEDED'; output: Json } | { status: 'UNFINISHED'; input: Json; record: ExecutionRecord };

/** A record for an execution that has not started. */
export const freshRecord = (): ExecutionRecord => ({ historyEvents: 0, mapRuns: {} });

/** How an execution ended. */
export type ExecutionOutcome =
  | { status: 'SUCCEEDED'; output: Json }
  | { status: 'FAILED'; error: string; cause: string }
  | { status: 'ABORTED' };

/** A Task state that has no local handler: running it would call real AWS. */
export class MissingLocalHandlerError extends Error {
  constructor(states: { name: string; resource: string }[]) {
    super(
      `Refusing to run: ${states.map((s) => `Task state '${s.name}' (${s.resource})`).join(', ')} has no local handler, ` +
        'and aws-local-stepfunctions would call the real AWS service for it. Add a local handler for that resource.',
    );
    this.name = 'MissingLocalHandlerError';
  }
}

/**
 * The run was stopped (Ctrl-C): like `stop-execution` on AWS, no new task starts, but unlike it, the
 * execution ends at a state boundary, so its record holds every finished batch's progress and a
 * redrive continues exactly where it stopped.
 */
export class ExecutionStoppedError extends Error {
  static readonly errorName = 'ExecutionStopped';
  constructor() {
    super('The run was stopped before this state could run; its progress is saved.');
    this.name = ExecutionStoppedError.errorName;
  }
}

/** What every execution of one local run shares. */
export interface RunEnvironment {
  /** The local handler for a Task state's resource, if there is one. */
  taskHandler(task: { name: string; resource: string }): TaskHandler | undefined;
  /** Runs a DISTRIBUTED Map state's items as child executions (local/map-run.ts). */
  mapRun(props: {
    mapName: string;
    state: MapState;
    input: Json;
    /** The children of the Map Run being redriven, or undefined for a new Map Run. */
    children: ChildRecord[] | undefined;
    /** Keeps the Map Run's children in the execution's record as soon as they are known. */
    keep(children: ChildRecord[]): void;
    parent: string;
    stateMachineArn: string;
    signal: AbortSignal;
  }): Promise<Json>;
  meter: LimitMeter;
  /** Milliseconds every Wait state and every retry pause takes locally. */
  waitMs: number;
  retryMs: number;
  /**
   * A retry that waits at least as long as its task may run (so that other calls have finished)
   * waits, locally, as long as a local call may run.
   */
  callTimeoutMs: number;
  /** Called whenever a record changed (a checkpoint saves it). */
  onRecordChange(): void;
  /** Counts across every execution of the run. */
  counts: { stateTransitions: number; childExecutions: number; inlineMapIterations: number };
  /** Once aborted, no task or child execution starts from then on (the run is being stopped). */
  stop?: AbortSignal;
}

/** One execution to run. */
export interface ExecutionProps {
  /** The execution's name, as `$$.Execution.Name` and in messages. */
  name: string;
  arn: string;
  /** The state machine the execution belongs to (`$$.StateMachine.Id`). */
  stateMachineArn: string;
  definition: Pick<StateMachineDefinition, 'StartAt' | 'States'>;
  input: Json;
  /** Updated as the execution runs; when it holds a position, the run is a redrive from there. */
  record: ExecutionRecord;
  env: RunEnvironment;
  /** Aborts the execution (a Map Run that failed aborts its running children). */
  signal?: AbortSignal;
}

const isDistributedMap = (state: State): state is MapState => state.Type === 'Map' && state.ItemProcessor.ProcessorConfig.Mode === 'DISTRIBUTED';

/**
 * How long a Task without TimeoutSeconds may run locally. Step Functions sets it no timeout ("By
 * default, the Amazon States Language doesn't specify timeouts",
 * https://docs.aws.amazon.com/step-functions/latest/dg/sfn-stuck-execution.html); the interpreter
 * would fail it with States.Timeout after 60 s. The longest a Node timer can wait (2^31 - 1 ms).
 */
export const UNTIMED_TASK_SECONDS = 2_147_483;

const withAwsTaskTimeout = (state: State): State =>
  state.Type === 'Task' && state.TimeoutSeconds === undefined ? { ...state, TimeoutSeconds: UNTIMED_TASK_SECONDS } : state;

/** A DISTRIBUTED Map becomes a Task whose local handler runs the Map Run; a Task keeps AWS's timeout; everything else stays. */
export function interpreterStates(states: Record<string, State>): Record<string, State> {
  return Object.fromEntries(
    Object.entries(states).map(([name, state]) => {
      if (!isDistributedMap(state)) return [name, withAwsTaskTimeout(state)];
      const task: TaskState = {
        Type: 'Task',
        // Every ARN-shaped resource will do: the Map-Run task has a local handler, never a remote one.
        Resource: `arn:aws:states:us-east-1:000000000000:mapRun:${name.replace(/[^A-Za-z0-9_-]/g, '')}`,
        ...(state.InputPath !== undefined && { InputPath: state.InputPath }),
        ...(state.ResultPath !== undefined && { ResultPath: state.ResultPath }),
        ...(state.OutputPath !== undefined && { OutputPath: state.OutputPath }),
        ...(state.Retry && { Retry: state.Retry }),
        ...(state.Catch && { Catch: state.Catch }),
        ...(state.Next !== undefined ? { Next: state.Next } : { End: true as const }),
        // A Map Run has no timeout on AWS either.
        TimeoutSeconds: UNTIMED_TASK_SECONDS,
      };
      return [name, task];
    }),
  );
}

/** The interpreter wraps a failure in ExecutionError; report the error that made it fail. */
function rootCause(error: unknown): { error: string; cause: string } {
  let current = error as { name?: string; message?: string; cause?: unknown } | undefined;
  while (current?.name === 'ExecutionError' && current.cause && typeof current.cause === 'object') {
    current = current.cause as typeof current;
  }
  const failState = /^Execution has failed with the following error: (.*)$/s.exec(current?.message ?? '');
  return { error: current?.name ?? 'Error', cause: failState ? (failState[1] ?? '') : (current?.message ?? String(error)) };
}

/** What running a definition needs that does not change between its executions, built once per definition. */
interface PreparedDefinition {
  /** The states with DISTRIBUTED Maps as Map-Run tasks. */
  states: Record<string, State>;
  /** Each state's type for the history count (a Map-Run task counts as the Map it is). */
  types: Map<string, State['Type']>;
  /** The states this execution runs itself: its own and those of INLINE Maps, not DISTRIBUTED children. */
  runnable: { name: string; state: State }[];
  /** Interpreter instances by start state, reused by every execution of the definition. */
  machines: Map<string, StateMachine>;
}

const prepared = new WeakMap<object, PreparedDefinition>();

function prepare(definition: Pick<StateMachineDefinition, 'StartAt' | 'States'>): PreparedDefinition {
  const known = prepared.get(definition);
  if (known) return known;
  const runnable = (level: Record<string, State>): { name: string; state: State }[] =>
    Object.entries(level).flatMap(([name, state]) => [
      { name, state },
      ...(state.Type === 'Map' && state.ItemProcessor.ProcessorConfig.Mode !== 'DISTRIBUTED' ? runnable(state.ItemProcessor.States) : []),
    ]);
  const made: PreparedDefinition = {
    states: interpreterStates(definition.States),
    types: new Map(allStates(definition).map(({ name, state }) => [name, isDistributedMap(state) ? ('Map' as const) : state.Type])),
    runnable: runnable(definition.States),
    machines: new Map(),
  };
  prepared.set(definition, made);
  return made;
}

/**
 * The interpreter for `definition` starting at `startAt`. The interpreter's own validation is off:
 * it takes a quarter of a second per instance, a redrive starts where earlier states look unreachable
 * to it, and definitions are checked where they are built (asl/graph.ts) and by asl-validator in the tests.
 */
function machineFor(definition: Pick<StateMachineDefinition, 'StartAt' | 'States'>, startAt: string): StateMachine {
  const p = prepare(definition);
  let machine = p.machines.get(startAt);
  if (!machine) {
    machine = new StateMachine({ StartAt: startAt, States: p.states } as never, { validationOptions: { noValidate: true } });
    p.machines.set(startAt, machine);
  }
  return machine;
}

/** Runs one execution to its end (or, with a position in its record, redrives it from there). */
export async function runExecution(props: ExecutionProps): Promise<ExecutionOutcome> {
  const { env, record } = props;
  const redriveFrom = record.at;
  const { types, runnable } = prepare(props.definition);

  let terminal: Error | undefined;
  const history = env.meter.history(props.name);
  const controller = new AbortController();
  const failHard = (error: unknown): never => {
    terminal ??= error as Error;
    controller.abort();
    throw error;
  };

  const handlers: Record<string, TaskHandler> = {};
  const missing: { name: string; resource: string }[] = [];
  for (const { name, state } of runnable) {
    if (isDistributedMap(state)) {
      // A redrive from this Map reruns only its unfinished children; a later entry starts a new Map Run.
      let redriven = redriveFrom?.state === name ? record.mapRuns[name] : undefined;
      handlers[name] = async (input) => {
        if (env.stop?.aborted) failHard(new ExecutionStoppedError());
        const children = redriven;
        redriven = undefined;
        const keep = (kept: ChildRecord[]) => {
          record.mapRuns[name] = kept;
          env.onRecordChange();
        };
        let output: Json;
        try {
          output = await env.mapRun({ mapName: name, state, input, children, keep, parent: props.arn, stateMachineArn: props.stateMachineArn, signal: controller.signal });
        } catch (error) {
          // Stopped children fail the Map Run; the run stops here instead of retrying or catching it.
          if (env.stop?.aborted) failHard(new ExecutionStoppedError());
          throw error;
        }
        if (env.stop?.aborted) failHard(new ExecutionStoppedError());
        try {
          env.meter.payload(`gathered result of the Map state '${name}'`, output);
        } catch (error) {
          failHard(error);
        }
        return output;
      };
    } else if (state.Type === 'Task') {
      const handler = env.taskHandler({ name, resource: state.Resource });
      if (!handler) missing.push({ name, resource: state.Resource });
      else
        handlers[name] = async (input) => {
          if (terminal) throw terminal;
          // Past every Retry and Catch: a stopped run must not take a failure path.
          if (env.stop?.aborted) failHard(new ExecutionStoppedError());
          try {
            env.meter.payload(`input of the Task state '${name}'`, input);
          } catch (error) {
            failHard(error);
          }
          const result = await handler(input);
          try {
            env.meter.payload(`result of the Task state '${name}'`, result);
          } catch (error) {
            failHard(error);
          }
          return result;
        };
    }
  }
  if (missing.length > 0) throw new MissingLocalHandlerError(missing);

  const machine = machineFor(props.definition, redriveFrom?.state ?? props.definition.StartAt);
  const input = redriveFrom?.input ?? props.input;
  const waits = runnable.filter(({ state }) => state.Type === 'Wait');
  const retryable = runnable.filter(({ state }) => 'Retry' in state);
  const execution = machine.run(input as never, {
    overrides: {
      taskResourceLocalHandlers: handlers as never,
      waitTimeOverrides: Object.fromEntries(waits.map(({ name }) => [name, env.waitMs])),
      retryIntervalOverrides: Object.fromEntries(
        retryable.map(({ name, state }) => {
          const timeout = state.Type === 'Task' ? state.TimeoutSeconds : undefined;
          const retry = 'Retry' in state ? (state.Retry ?? []) : [];
          return [name, retry.map((r) => (timeout !== undefined && (r.IntervalSeconds ?? 1) >= timeout ? env.callTimeoutMs : env.retryMs))];
        }),
      ),
    },
    context: {
      Execution: { Id: props.arn, Name: props.name, Input: props.input as never, StartTime: new Date().toISOString() },
      StateMachine: { Id: props.stateMachineArn, Name: props.stateMachineArn.split(':').at(-1) },
    },
  });
  const abort = () => execution.abort();
  controller.signal.addEventListener('abort', abort);
  props.signal?.addEventListener('abort', abort);

  const count = (events: number): void => {
    record.historyEvents += events;
    history.add(events);
  };
  const observed = (async () => {
    for await (const event of execution.eventLogs) {
      try {
        if (event.type === 'ExecutionStarted' && !redriveFrom) count(HistoryEventCost.execution);
        else if (event.type === 'StateEntered') {
          env.counts.stateTransitions += 1;
          record.at = { state: event.state.name, input: event.state.input as Json };
          env.onRecordChange();
          count(stateHistoryEvents(types.get(event.state.name) ?? 'Pass'));
          env.meter.payload(`input of the state '${event.state.name}'`, event.state.input);
        } else if (event.type === 'StateExited') env.meter.payload(`output of the state '${event.state.name}'`, event.state.output);
        else if (event.type === 'StateRetried') count(HistoryEventCost.retry);
        else if (event.type === 'MapIterationStarted') {
          env.counts.inlineMapIterations += 1;
          count(HistoryEventCost.inlineMapIteration);
        }
      } catch (error) {
        terminal ??= error as Error;
        controller.abort();
      }
    }
  })();

  try {
    const output = (await execution.result) as Json;
    await observed;
    if (terminal) throw terminal;
    return { status: 'SUCCEEDED', output };
  } catch (error) {
    await observed.catch(() => undefined);
    if (terminal) return { status: 'FAILED', error: terminal.name, cause: terminal.message };
    if ((error as Error).name === 'ExecutionAbortedError') return { status: 'ABORTED' };
    return { status: 'FAILED', ...rootCause(error) };
  } finally {
    props.signal?.removeEventListener('abort', abort);
  }
}
