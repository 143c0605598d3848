/**
 * Test data shaped like the AWS sample's (web access log lines with CLF timestamps) and migrations
 * that make "migrated exactly once" visible in the item itself.
 */
import { demoTimestamp } from '../../local/demo';
import { defineMigration, type Item, type Migration } from '../../migrations/define';
import { clfToEpochSeconds } from '../../migrations/examples/clf-to-epoch';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { canonical, createTable, putItems, uniqueTableName, type RawItem } from './dynamo';

/** The key of seeded item `i`. */
export const itemKey = (i: number): string => `item-${String(i).padStart(6, '0')}`;

/** The index a seeded key was made from, or undefined for keys not made by `itemKey`. */
export const indexOfKey = (key: string): number | undefined => (/^item-(\d{6})$/.test(key) ? Number(key.slice(5)) : undefined);

/** Seeded item `i`: a log line with a CLF timestamp, an application counter and a note. */
export function accessLogItem(i: number): RawItem {
  return {
    pk: { S: itemKey(i) },
    timestamp: { S: demoTimestamp(i) },
    host: { S: `10.0.${i % 256}.${(i * 13) % 256}` },
    bytes: { N: String(100 + ((i * 37) % 5000)) },
    counter: { N: '0' },
    note: { S: 'seeded' },
  };
}

/** A new table holding `count` seeded items; returns its name. */
export async function seededAccessLogTable(client: DynamoDBClient, count: number, prefix = 'access-log'): Promise<string> {
  const table = uniqueTableName(prefix);
  await createTable(client, table);
  await putItems(client, table, accessLogItems(count));
  return table;
}

/** `count` seeded items. */
export const accessLogItems = (count: number, from = 0): RawItem[] => Array.from({ length: count }, (_, i) => accessLogItem(from + i));

/** The Unix time seeded item `i`'s timestamp converts to. */
export const expectedEpoch = (i: number): string => String(clfToEpochSeconds(demoTimestamp(i)));

/**
 * A deliberately NOT idempotent migration: converts a CLF `timestamp` to Unix seconds and adds 1
 * to `applied` every time it runs on an item. An item with `applied` = 1 was migrated exactly
 * once; 2 means the migration's effect landed twice. `calls` counts transform invocations per key.
 * Seeded items whose index matches `deleteWhen` are deleted instead.
 */
export function countingMigration(
  options: { id?: string; deleteWhen?: (index: number) => boolean } = {},
): Migration & { calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const migration = defineMigration({
    id: options.id ?? 'clf-to-epoch-counted',
    transform(item: Item) {
      const key = String(item.pk);
      calls.set(key, (calls.get(key) ?? 0) + 1);
      const index = indexOfKey(key);
      if (index !== undefined && options.deleteWhen?.(index)) return null;
      const applied = typeof item.applied === 'number' ? item.applied : 0;
      const timestamp = typeof item.timestamp === 'string' ? clfToEpochSeconds(item.timestamp) : item.timestamp!;
      return { ...item, timestamp, applied: applied + 1 };
    },
  });
  return { ...migration, calls };
}

/** How many times the migration's effect landed on an item (0 when never). */
export const appliedCount = (item: RawItem | undefined): number => Number(item?.applied?.N ?? 0);

/**
 * Checks a migrated table of `count` seeded items: items the migration deletes are gone, every other
 * item carries the migration's effect exactly once with its other attributes as seeded, and the
 * `untouched` keys are byte-identical to their seeded form. Returns one line per wrong item.
 */
export function migratedExactlyOnce(
  final: Map<string, RawItem>,
  count: number,
  options: { deleteWhen?: (index: number) => boolean; untouched?: Set<string> } = {},
): string[] {
  const problems: string[] = [];
  for (let i = 0; i < count; i++) {
    const key = itemKey(i);
    const item = final.get(key);
    const seeded = accessLogItem(i);
    if (options.untouched?.has(key)) {
      if (canonical(item) !== canonical(seeded)) problems.push(`${key}: should be untouched, is ${JSON.stringify(item)}`);
    } else if (options.deleteWhen?.(i)) {
      if (item) problems.push(`${key}: should be deleted, is ${JSON.stringify(item)}`);
    } else if (
      !item ||
      appliedCount(item) !== 1 ||
      item.timestamp?.N !== expectedEpoch(i) ||
      ['host', 'bytes', 'counter', 'note'].some((a) => JSON.stringify(item[a]) !== JSON.stringify(seeded[a]))
    ) {
      problems.push(`${key}: should be migrated once, is ${JSON.stringify(item)}`);
    }
  }
  return problems;
}
