import { successors } from './graph';
import type { State, StateMachineDefinition } from './types';

/** How a Map runs its iterations, in words. */
const mapMode = (state: Extract<State, { Type: 'Map' }>): string =>
  state.ItemProcessor.ProcessorConfig.Mode === 'DISTRIBUTED' ? 'Map, a child execution per item' : 'Map, inline';

/** Renders a definition as a Mermaid flowchart; Map processors become subgraphs. */
export function toMermaid(definition: StateMachineDefinition): string {
  const ids = new Map<string, string>();
  const id = (scope: string, name: string): string => {
    const key = `${scope}/${name}`;
    const known = ids.get(key);
    if (known) return known;
    const fresh = `s${ids.size}`;
    ids.set(key, fresh);
    return fresh;
  };
  const label = (name: string, state: State): string => {
    const text = `${name}<br/><i>${state.Type}</i>`.replace(/"/g, "'");
    if (state.Type === 'Choice') return `{"${text}"}`;
    if (state.Type === 'Succeed' || state.Type === 'Fail') return `(["${text}"])`;
    return `["${text}"]`;
  };

  const lines = ['flowchart TD', '  start((start))'];
  const render = (scope: string, startAt: string, states: Record<string, State>, indent: string): void => {
    for (const [name, state] of Object.entries(states)) {
      if (state.Type === 'Map') {
        lines.push(`${indent}subgraph ${id(scope, name)} ["${name} (${mapMode(state)})"]`);
        render(`${scope}/${name}`, state.ItemProcessor.StartAt, state.ItemProcessor.States, `${indent}  `);
        lines.push(`${indent}end`);
      } else {
        lines.push(`${indent}${id(scope, name)}${label(name, state)}`);
      }
    }
    for (const [name, state] of Object.entries(states)) {
      for (const target of new Set(successors(state))) lines.push(`${indent}${id(scope, name)} --> ${id(scope, target)}`);
    }
    if (scope === '') lines.push(`${indent}start --> ${id(scope, startAt)}`);
  };
  render('', definition.StartAt, definition.States, '  ');
  return `${lines.join('\n')}\n`;
}
