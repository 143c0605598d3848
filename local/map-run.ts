/**
 * A DISTRIBUTED Map Run as Step Functions runs one: every item is a child execution with its own
 * history; a child that fails fails the Map Run unless tolerated (ToleratedFailureCount or
 * ToleratedFailurePercentage), and then the other running children are aborted and no new ones
 * start; a redrive reruns only the children that did not succeed, each from where it stopped.
 * https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html
 * https://docs.aws.amazon.com/step-functions/latest/dg/redrive-map-run.html
 */
import './polyfills';
import { StateMachine } from 'aws-local-stepfunctions';
import { setMaxListeners } from 'node:events';
import pLimit from 'p-limit';
import type { Json, MapState, PayloadTemplate } from '../asl/types';
import { freshRecord, runExecution, type ChildRecord, type RunEnvironment } from './execution';

/** The error a Map state fails with when its Map Run had more failed children than it tolerates. */
export const MAP_RUN_FAILED = 'States.ExceedToleratedFailureThreshold';

const evaluators = new Map<string, StateMachine>();

/** Evaluates a Pass state's InputPath or Parameters with the interpreter itself, so paths and intrinsics behave exactly as in the run. */
async function evaluate(pass: { InputPath?: string; Parameters?: PayloadTemplate }, input: Json, context: Record<string, unknown> = {}): Promise<Json> {
  const definition = JSON.stringify({ StartAt: 'Evaluate', States: { Evaluate: { Type: 'Pass', ...pass, End: true } } });
  let machine = evaluators.get(definition);
  if (!machine) {
    machine = new StateMachine(JSON.parse(definition) as never, { validationOptions: { noValidate: true } });
    evaluators.set(definition, machine);
  }
  return (await machine.run(input as never, { context: context as never }).result) as Json;
}

/** Each item's child input, as ItemsPath and ItemSelector say. */
async function childInputs(state: MapState, input: Json): Promise<Json[]> {
  const items = await evaluate({ InputPath: state.ItemsPath }, input);
  if (!Array.isArray(items)) throw new Error(`The Map state's ItemsPath ${state.ItemsPath} did not select an array`);
  if (!state.ItemSelector) return items;
  const selector = state.ItemSelector;
  return Promise.all(items.map((value, index) => evaluate({ Parameters: selector }, input, { Map: { Item: { Index: index, Value: value } } })));
}

/** How many children may run at once: MaxConcurrency(Path), or AWS's default for a Distributed Map. */
async function concurrencyOf(state: MapState, input: Json): Promise<number> {
  const value = state.MaxConcurrencyPath ? await evaluate({ InputPath: state.MaxConcurrencyPath }, input) : state.MaxConcurrency;
  return typeof value === 'number' && value > 0 ? value : 10_000;
}

/** How many children may fail before the Map Run does. */
function toleratedFailures(state: MapState, children: number): number {
  if (state.ToleratedFailureCount !== undefined) return state.ToleratedFailureCount;
  if (state.ToleratedFailurePercentage !== undefined) return Math.floor((state.ToleratedFailurePercentage / 100) * children);
  return 0;
}

/** Runs (or redrives) one Map Run; resolves with the gathered output, or fails with States.ExceedToleratedFailureThreshold. */
export async function runDistributedMap(
  props: Parameters<RunEnvironment['mapRun']>[0],
  env: RunEnvironment,
): Promise<Json> {
  const { state, mapName } = props;
  const children: ChildRecord[] =
    props.children ?? (await childInputs(state, props.input)).map((input) => ({ status: 'UNFINISHED', input, record: freshRecord() }));
  props.keep(children);
  const tolerated = toleratedFailures(state, children.length);
  const limit = pLimit(await concurrencyOf(state, props.input));
  const aborter = new AbortController();
  setMaxListeners(0, aborter.signal);
  const abortAll = () => aborter.abort();
  props.signal.addEventListener('abort', abortAll);
  const failures: { index: number; error: string; cause: string }[] = [];

  const label = state.Label ?? mapName;
  await Promise.all(
    children.map((child, index) =>
      child.status === 'SUCCEEDED'
        ? undefined
        : limit(async () => {
            if (aborter.signal.aborted || env.stop?.aborted) return;
            env.counts.childExecutions += 1;
            const outcome = await runExecution({
              name: `${label}:${index}`,
              arn: `${props.parent}/${label}:${index}`,
              stateMachineArn: props.stateMachineArn,
              definition: state.ItemProcessor,
              input: child.input,
              record: child.record,
              env,
              signal: aborter.signal,
            });
            if (outcome.status === 'SUCCEEDED') children[index] = { status: 'SUCCEEDED', output: outcome.output };
            else if (outcome.status === 'FAILED') {
              failures.push({ index, error: outcome.error, cause: outcome.cause });
              // One failure too many: the Map Run fails and its running children are aborted; but a
              // run being stopped lets each child end at its next state, so none loses a batch's result.
              if (failures.length > tolerated && !env.stop?.aborted) aborter.abort();
            }
            env.onRecordChange();
          }),
    ),
  );
  props.signal.removeEventListener('abort', abortAll);

  if (failures.length > tolerated || props.signal.aborted || env.stop?.aborted) {
    const first = failures.sort((a, b) => a.index - b.index)[0];
    const error = new Error(
      `The Map Run of '${mapName}' failed: ${failures.length} of ${children.length} child executions failed (tolerated: ${tolerated})` +
        (first ? `; child ${first.index} failed with ${first.error}: ${first.cause}` : ''),
    );
    error.name = MAP_RUN_FAILED;
    throw error;
  }
  const output = children.map((child, index): Json => {
    if (child.status === 'SUCCEEDED') return child.output;
    const failure = failures.find((f) => f.index === index);
    return { Error: failure?.error ?? 'States.Runtime', Cause: failure?.cause ?? '' };
  });
  return output;
}
