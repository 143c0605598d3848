import type { Landing } from '../workflow/contract';
import { attributesDigest, type RawItem } from './attribute-values';

export type { Landing };

/**
 * What a write leaves in the table (workflow/contract.ts `Landing`): checked against the item as it
 * is now, it tells whether a write whose response never came had landed. Here: the landing of an
 * update that sets `set` and removes `remove`, or of a delete.
 */
export function landingOf(write: { kind: 'delete' } | { kind: 'update'; set: RawItem; remove: string[] }): Landing {
  if (write.kind === 'delete') return { kind: 'delete' };
  const names = Object.keys(write.set);
  return { kind: 'update', set: names, remove: write.remove, digest: attributesDigest(write.set, names) ?? '' };
}

/**
 * Whether the table holds what the write would leave: for a delete, no item; for an update, every set
 * attribute with its new value and every removed one gone. Only written attributes are compared, so
 * a concurrent change to another attribute does not hide a write that landed.
 */
export function hasLanded(now: RawItem | undefined, landing: Landing): boolean {
  if (landing.kind === 'delete') return now === undefined;
  return now !== undefined && attributesDigest(now, landing.set) === landing.digest && landing.remove.every((name) => now[name] === undefined);
}
