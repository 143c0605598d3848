import { ALL_ERRORS } from './retry';
import type { Fragment, PolicyStatement, State, StateMachineDefinition } from './types';

/** Joins fragments into one; two states with the same name are a mistake, not an override. */
export function joinFragments(...fragments: Fragment[]): Fragment {
  const states: Record<string, State> = {};
  for (const fragment of fragments) {
    for (const [name, state] of Object.entries(fragment.states)) {
      if (name in states) throw new Error(`State name '${name}' is used twice; state names must be unique`);
      states[name] = state;
    }
  }
  return { states, statements: mergeStatements(fragments.flatMap((f) => f.statements)) };
}

/** Folds statements with the same actions together and drops repeats, keeping first-seen order. */
export function mergeStatements(statements: PolicyStatement[]): PolicyStatement[] {
  const byActions = new Map<string, PolicyStatement>();
  for (const statement of statements) {
    const key = [...statement.Action].sort().join(',');
    const existing = byActions.get(key);
    if (!existing) byActions.set(key, { Effect: 'Allow', Action: [...statement.Action], Resource: [...statement.Resource] });
    else for (const r of statement.Resource) if (!existing.Resource.includes(r)) existing.Resource.push(r);
  }
  return [...byActions.values()];
}

/** The names a state can go to next. */
export function successors(state: State): string[] {
  const next: string[] = [];
  if ('Next' in state && state.Next !== undefined) next.push(state.Next);
  if (state.Type === 'Choice') next.push(...state.Choices.map((c) => c.Next), state.Default);
  if ((state.Type === 'Task' || state.Type === 'Map') && state.Catch) next.push(...state.Catch.map((c) => c.Next));
  return next;
}

/** One state of a definition, wherever it sits: `scope` lists the Map states it is nested in. */
export interface PlacedState {
  name: string;
  state: State;
  scope: string[];
}

/** Every state of a definition, Map processors included, parents before their children. */
export function allStates(definition: Pick<StateMachineDefinition, 'States'>, scope: string[] = []): PlacedState[] {
  return Object.entries(definition.States).flatMap(([name, state]) => [
    { name, state, scope },
    ...(state.Type === 'Map' ? allStates(state.ItemProcessor, [...scope, name]) : []),
  ]);
}

/** Every Task state of a definition, Map processors included, with its name and resource. */
export function taskStates(definition: Pick<StateMachineDefinition, 'States'>): { name: string; resource: string }[] {
  return allStates(definition).flatMap(({ name, state }) => (state.Type === 'Task' ? [{ name, resource: state.Resource }] : []));
}

/** `States.ALL` must stand alone and last in a Retry or Catch list, or Step Functions rejects it. */
function checkErrorLists(where: string, lists: { ErrorEquals: string[] }[] | undefined): void {
  (lists ?? []).forEach((entry, i, all) => {
    if (!entry.ErrorEquals.includes(ALL_ERRORS)) return;
    if (entry.ErrorEquals.length > 1) throw new Error(`${where}: ${ALL_ERRORS} must stand alone, got ${JSON.stringify(entry.ErrorEquals)}`);
    if (i !== all.length - 1) throw new Error(`${where}: ${ALL_ERRORS} must be the last entry`);
  });
}

/** Checks one level of states: the start exists, every transition lands, every state is reachable. */
function checkLevel(where: string, startAt: string, states: Record<string, State>): void {
  if (!(startAt in states)) throw new Error(`${where}: StartAt '${startAt}' is not a state`);
  for (const [name, state] of Object.entries(states)) {
    for (const target of successors(state)) {
      if (!(target in states)) throw new Error(`${where}: state '${name}' goes to '${target}', which does not exist`);
    }
    if (state.Type === 'Task' || state.Type === 'Map') {
      checkErrorLists(`${where}: state '${name}' Retry`, state.Retry);
      checkErrorLists(`${where}: state '${name}' Catch`, state.Catch);
    }
    if (state.Type === 'Map') checkLevel(`${where} > ${name}`, state.ItemProcessor.StartAt, state.ItemProcessor.States);
  }
  const seen = new Set<string>();
  const queue = [startAt];
  for (let name = queue.pop(); name !== undefined; name = queue.pop()) {
    if (seen.has(name)) continue;
    seen.add(name);
    const state = states[name];
    if (state) queue.push(...successors(state));
  }
  const unreachable = Object.keys(states).filter((name) => !seen.has(name));
  if (unreachable.length > 0) throw new Error(`${where}: unreachable states: ${unreachable.join(', ')}`);
}

/** State names must be unique across the whole graph, Map processors included. */
function checkUniqueNames(definition: Pick<StateMachineDefinition, 'States'>): void {
  const where = new Map<string, string[]>();
  for (const { name, scope } of allStates(definition)) {
    const earlier = where.get(name);
    if (earlier) throw new Error(`State name '${name}' is used twice (in ${[earlier, scope].map((s) => (s.length ? s.join(' > ') : 'the top level')).join(' and ')}); state names must be unique in the whole definition`);
    where.set(name, scope);
  }
}

/** A checked state machine definition and the IAM statements its tasks need. */
export interface BuiltStateMachine {
  definition: StateMachineDefinition;
  statements: PolicyStatement[];
}

/** Assembles and checks a whole state machine from fragments. */
export function stateMachine(props: { comment?: string; startAt: string; fragments: Fragment[] }): BuiltStateMachine {
  const { states, statements } = joinFragments(...props.fragments);
  const definition: StateMachineDefinition = {
    ...(props.comment !== undefined && { Comment: props.comment }),
    StartAt: props.startAt,
    States: states,
  };
  checkUniqueNames(definition);
  checkLevel('definition', props.startAt, states);
  return { definition, statements };
}
