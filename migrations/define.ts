// The class lib-dynamodb hands out, by its own small declaration: importing lib-dynamodb's types
// would pull the whole SDK's into every check of a user's migration (seconds instead of one).
import type { NumberValue } from '@aws-sdk/util-dynamodb/dist-types/NumberValue';

/**
 * An attribute value as plain JavaScript: string, number, boolean, null, Uint8Array (binary),
 * Set (string/number/binary set), array (list) or object (map). Numbers that a JS number cannot
 * hold exactly (e.g. 38 significant digits) arrive as lib-dynamodb's `NumberValue` and are written
 * back exactly as long as the transform leaves them alone or returns a `NumberValue`.
 */
export type AttributeValue =
  | string
  | number
  | boolean
  | null
  | NumberValue
  | Uint8Array
  | Set<string>
  | Set<number | NumberValue>
  | Set<Uint8Array>
  | AttributeValue[]
  | { [name: string]: AttributeValue };

/** One item, attribute name to value. */
export type Item = { [name: string]: AttributeValue };

/**
 * What a transform returns: the new item (only changed attributes are written), the same item or
 * `undefined` for "leave it as it is", or `null` for "delete this item".
 */
export type TransformResult = Item | undefined | null;

/** A migration: a stable id (used for the backup name and the version marker) and a transform. */
export interface Migration {
  /** Letters, digits, `-`, `_` and `.`; at most 64 characters. */
  id: string;
  description?: string;
  transform(item: Item): TransformResult | Promise<TransformResult>;
  /**
   * Whether an item is already in its migrated shape, for verification. Without it, an item counts
   * as migrated when the transform leaves it unchanged (or, with a version marker, when it has it).
   * Return true when it is; false, or a reason, when it is not.
   */
  isMigrated?(item: Item): boolean | string | Promise<boolean | string>;
}

const MIGRATION_ID = /^[A-Za-z0-9_.-]{1,64}$/;

/** Declares a migration; checks it eagerly so a bad module fails at load, not mid-run. */
export function defineMigration(migration: Migration): Migration {
  if (migration === null || typeof migration !== 'object') {
    throw new TypeError(`defineMigration expects an object with an id and a transform, got: ${String(migration)}`);
  }
  if (typeof migration.id !== 'string' || !MIGRATION_ID.test(migration.id)) {
    throw new TypeError(
      `defineMigration: id must be 1-64 letters, digits, '-', '_' or '.', got: ${JSON.stringify(migration.id)}`,
    );
  }
  if (typeof migration.transform !== 'function') {
    throw new TypeError(`defineMigration '${migration.id}': transform must be a function, got: ${typeof migration.transform}`);
  }
  if (migration.isMigrated !== undefined && typeof migration.isMigrated !== 'function') {
    throw new TypeError(`defineMigration '${migration.id}': isMigrated must be a function when given, got: ${typeof migration.isMigrated}`);
  }
  return Object.freeze({ ...migration });
}

/** True when `value` looks like what `defineMigration` returns. */
export function isMigration(value: unknown): value is Migration {
  if (value === null || typeof value !== 'object') return false;
  const candidate = value as Partial<Migration>;
  return typeof candidate.id === 'string' && MIGRATION_ID.test(candidate.id) && typeof candidate.transform === 'function';
}
