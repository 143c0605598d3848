/**
 * New tuning for a resumed run. A resume is a redrive of the saved execution record, whose states
 * carry the plan that Prepare made; the settings that only say how fast or how tolerant the rest of
 * the run is are rewritten in every copy of that plan. The others cannot change mid-run: cursors
 * belong to one number of segments, and a dry run, the version marker or the backup choice would
 * make the finished and unfinished halves of one migration disagree.
 */
import type { ExecutionRecord } from './execution';

/** Execution input fields a resumed run may change. */
export const RETUNABLE_FIELDS = ['maxConcurrency', 'maxItemsPerSecond', 'pageSize', 'toleratedFailures'] as const;

/** Changes to the retunable fields. */
export type Retuning = Partial<Record<(typeof RETUNABLE_FIELDS)[number], number>>;

/** A field the resumed run was asked to change but cannot, with the value it keeps. */
export interface FixedField {
  field: string;
  saved: unknown;
  asked: unknown;
}

/** Splits what a resume asks for into the changes it can apply and the ones it must refuse. */
export function retuningFor(saved: Record<string, unknown>, asked: Record<string, unknown>, defaults: Record<string, unknown>): { changes: Retuning; refused: FixedField[] } {
  const changes: Retuning = {};
  const refused: FixedField[] = [];
  for (const [field, value] of Object.entries(asked)) {
    const before = saved[field] ?? defaults[field];
    if (value === before) continue;
    if ((RETUNABLE_FIELDS as readonly string[]).includes(field) && typeof value === 'number') changes[field as keyof Retuning] = value;
    else refused.push({ field, saved: before, asked: value });
  }
  return { changes, refused };
}

const isPlan = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) && 'migrationId' in value && 'totalSegments' in value;

/** Applies `changes` to every plan the record carries (the parent's position and every child's). */
export function retuneRecord(record: ExecutionRecord, changes: Retuning): void {
  const visit = (value: unknown): void => {
    if (value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) return value.forEach(visit);
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'plan' && isPlan(inner)) Object.assign(inner, changes);
      else visit(inner);
    }
  };
  visit(record);
}
