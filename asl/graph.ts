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

/** Checks one level of states: the start exists, every transition lands, every state is reachable. */
function checkStates(where: string, startAt: string, states: Record<string, State>): void {
  if (!(startAt in states)) throw new Error(`${where}: StartAt '${startAt}' is not a state`);
  for (const [name, state] of Object.entries(states)) {
    for (const target of successors(state)) {
      if (!(target in states)) throw new Error(`${where}: state '${name}' goes to '${target}', which does not exist`);
    }
    if (state.Type === 'Map') checkStates(`${where} > ${name}`, state.ItemProcessor.StartAt, state.ItemProcessor.States);
  }
  const seen = new Set<string>();
  const queue = [startAt];
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    queue.push(...successors(states[name]!));
  }
  const unreachable = Object.keys(states).filter((name) => !seen.has(name));
  if (unreachable.length > 0) throw new Error(`${where}: unreachable states: ${unreachable.join(', ')}`);
}

/** A checked state machine definition and the IAM statements its tasks need. */
export interface BuiltStateMachine {
  definition: StateMachineDefinition;
  statements: PolicyStatement[];
}

/** Assembles and checks a whole state machine from fragments. */
export function stateMachine(props: { comment?: string; startAt: string; fragments: Fragment[] }): BuiltStateMachine {
  const { states, statements } = joinFragments(...props.fragments);
  checkStates('definition', props.startAt, states);
  return {
    definition: { ...(props.comment !== undefined && { Comment: props.comment }), StartAt: props.startAt, States: states },
    statements,
  };
}

/** Every Task state in a definition, including those inside Map processors, with its name. */
export function taskStates(definition: Pick<StateMachineDefinition, 'States'>): { name: string; resource: string }[] {
  return Object.entries(definition.States).flatMap(([name, state]) => {
    if (state.Type === 'Task') return [{ name, resource: state.Resource }];
    if (state.Type === 'Map') return taskStates(state.ItemProcessor);
    return [];
  });
}
