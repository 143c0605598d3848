import type { State } from './types';

/**
 * How many events Step Functions writes to an execution's history, by what happens in it (per the
 * history event types of the Step Functions API): the execution itself 2 (ExecutionStarted, and
 * Succeeded or Failed); a Task state 5 (StateEntered, TaskScheduled, TaskStarted, TaskSucceeded,
 * StateExited); a Map state 4 (StateEntered, MapStateStarted or MapRunStarted, the matching
 * Succeeded, StateExited); every other state 2 (Entered, Exited); an INLINE Map iteration 2 (its
 * Started and Succeeded; a DISTRIBUTED Map's children have histories of their own); each Task retry
 * 3 (TaskFailed, TaskScheduled, TaskStarted). The 25,000-event quota applies to this count.
 */
export const HistoryEventCost = { execution: 2, task: 5, map: 4, otherState: 2, inlineMapIteration: 2, retry: 3 } as const;

/** The events entering (and leaving) one state of this type writes. */
export const stateHistoryEvents = (type: State['Type']): number =>
  type === 'Task' ? HistoryEventCost.task : type === 'Map' ? HistoryEventCost.map : HistoryEventCost.otherState;

/** The history events of one execution from how often it entered each kind of state. */
export function estimateHistoryEvents(counts: {
  taskEntries: number;
  mapEntries: number;
  otherEntries: number;
  mapIterations: number;
  retries: number;
}): number {
  const c = HistoryEventCost;
  return c.execution + c.task * counts.taskEntries + c.map * counts.mapEntries + c.otherState * counts.otherEntries + c.inlineMapIteration * counts.mapIterations + c.retry * counts.retries;
}
