/**
 * ConsumedCapacity three ways: as the upstream reported it, completed with the per-GSI breakdown the
 * upstream left out, charged to the buckets, and rendered the way the client asked for it
 * (INDEXES: the breakdown; TOTAL: table name and total; nothing asked: no ConsumedCapacity at all).
 */
import type { TableCapacity } from './table-capacity';
import type { TokenBucket } from './token-bucket';
import type { Capacity, ConsumedCapacity, ReturnConsumedCapacity } from './wire';

/** The entries of a response's ConsumedCapacity (single operations send one, batches a list). */
export function entriesOf(value: ConsumedCapacity | ConsumedCapacity[] | undefined): ConsumedCapacity[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

const units = (capacity: Capacity | undefined): number => capacity?.CapacityUnits ?? 0;
const sum = (byIndex: Record<string, Capacity> | undefined): number => Object.values(byIndex ?? {}).reduce((total, c) => total + units(c), 0);

/**
 * The entry with its full breakdown. `estimateIndexes` supplies GSI units from the table units when
 * the upstream gave none (it is not called when the upstream gave its own breakdown).
 */
export function completeEntry(entry: ConsumedCapacity, estimateIndexes: (tableUnits: number) => Record<string, number>): ConsumedCapacity {
  const breakdown = entry.Table !== undefined || entry.GlobalSecondaryIndexes !== undefined || entry.LocalSecondaryIndexes !== undefined;
  const tableUnits = breakdown ? units(entry.Table) : units(entry);
  const estimated = entry.GlobalSecondaryIndexes === undefined ? estimateIndexes(tableUnits) : {};
  const gsis =
    entry.GlobalSecondaryIndexes ??
    (Object.keys(estimated).length > 0
      ? Object.fromEntries(Object.entries(estimated).map(([name, n]) => [name, { CapacityUnits: n }]))
      : undefined);
  return {
    TableName: entry.TableName,
    CapacityUnits: tableUnits + sum(gsis) + sum(entry.LocalSecondaryIndexes),
    Table: { CapacityUnits: tableUnits },
    ...(gsis && { GlobalSecondaryIndexes: gsis }),
    ...(entry.LocalSecondaryIndexes && { LocalSecondaryIndexes: entry.LocalSecondaryIndexes }),
  };
}

/** What a completed entry costs each bucket: LSIs draw on the table's capacity, GSIs on their own. */
export function chargesOf(entry: ConsumedCapacity, table: TableCapacity, write: boolean): [TokenBucket, number][] {
  if (table.onDemand) return [];
  const charges: [TokenBucket, number][] = [[write ? table.write : table.read, units(entry.Table) + sum(entry.LocalSecondaryIndexes)]];
  for (const [name, capacity] of Object.entries(entry.GlobalSecondaryIndexes ?? {})) {
    const index = table.indexes.get(name);
    if (index) charges.push([write ? index.write : index.read, units(capacity)]);
  }
  return charges;
}

/** ConsumedCapacity for the client's response, or undefined when it did not ask for it. */
export function renderFor(
  asked: ReturnConsumedCapacity | undefined,
  entries: ConsumedCapacity[],
  single: boolean,
): ConsumedCapacity | ConsumedCapacity[] | undefined {
  if (asked !== 'INDEXES' && asked !== 'TOTAL') return undefined;
  const shown = asked === 'INDEXES' ? entries : entries.map((e) => ({ TableName: e.TableName, CapacityUnits: e.CapacityUnits }));
  return single ? shown[0] : shown;
}
