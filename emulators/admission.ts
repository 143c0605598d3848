/**
 * Admission control, before a request reaches the upstream: DynamoDB admits a request while the
 * buckets it needs hold some capacity and lets the real cost drive them negative. The emulator
 * reserves an estimate at admission (so many requests in flight cannot all slip through one last
 * unit) and settles the difference when the upstream reports the real cost.
 *
 * Batches are admitted item by item, as DynamoDB does: what does not fit comes back in
 * UnprocessedItems / UnprocessedKeys, and only a batch of which nothing fits is throttled.
 */
import { writeUnits } from './item-size';
import { isWrite, type DataPlaneOp } from './operations';
import type { TableCapacity } from './table-capacity';
import { INDEX_THROUGHPUT_EXCEEDED, TABLE_THROUGHPUT_EXCEEDED } from './throughput-exceeded';
import type { TokenBucket } from './token-bucket';
import type { DataPlaneRequest, KeysAndAttributes, TransactItem, WriteRequest } from './wire';

/** Units taken from each bucket at admission. */
export type Reservation = Map<TokenBucket, number>;

/** Requests the emulator held back from a batch, in the shape DynamoDB returns them. */
export interface Unprocessed {
  items: Record<string, WriteRequest[]>;
  keys: Record<string, KeysAndAttributes>;
  count: number;
}

/** The outcome of admission: throttled as a whole, or forwarded (maybe as a smaller batch). */
export type Admission =
  | { throttled: true; message: string }
  | { throttled: false; request: DataPlaneRequest; reserved: Reservation; unprocessed: Unprocessed };

type Tables = ReadonlyMap<string, TableCapacity>;

const readUnits = (consistent: boolean | undefined): number => (consistent ? 1 : 0.5);

function writeBuckets(table: TableCapacity | undefined): TokenBucket[] {
  if (!table || table.onDemand) return [];
  return [table.write, ...[...table.indexes.values()].map((index) => index.write)];
}

function readBuckets(table: TableCapacity | undefined, indexName?: string): TokenBucket[] {
  return !table || table.onDemand ? [] : [table.readBucket(indexName)];
}

/** The bucket that holds the request back, if one does, and the message DynamoDB gives for it. */
function blocked(table: TableCapacity | undefined, buckets: TokenBucket[]): string | undefined {
  const empty = buckets.find((bucket) => !bucket.hasCapacity());
  if (!empty || !table) return undefined;
  const isIndexWrite = [...table.indexes.values()].some((index) => index.write === empty);
  return isIndexWrite ? INDEX_THROUGHPUT_EXCEEDED : TABLE_THROUGHPUT_EXCEEDED;
}

function reserve(reservation: Reservation, buckets: TokenBucket[], units: number): void {
  for (const bucket of buckets) {
    bucket.take(units);
    reservation.set(bucket, (reservation.get(bucket) ?? 0) + units);
  }
}

const noneUnprocessed = (): Unprocessed => ({ items: {}, keys: {}, count: 0 });

/** Decides whether `request` may go upstream now, reserving its estimated cost if so. */
export function admit(op: DataPlaneOp, request: DataPlaneRequest, tables: Tables): Admission {
  switch (op) {
    case 'BatchWriteItem':
      return admitBatchWrite(request, tables);
    case 'BatchGetItem':
      return admitBatchGet(request, tables);
    case 'TransactWriteItems':
    case 'TransactGetItems':
      return admitTransaction(request, tables);
    default: {
      const table = tables.get(request.TableName ?? '');
      const buckets = isWrite(op) ? writeBuckets(table) : readBuckets(table, request.IndexName);
      const message = blocked(table, buckets);
      if (message) return { throttled: true, message };
      const estimate = op === 'PutItem' && request.Item ? writeUnits(request.Item) : isWrite(op) ? 1 : readUnits(request.ConsistentRead);
      const reserved: Reservation = new Map();
      reserve(reserved, buckets, estimate);
      return { throttled: false, request, reserved, unprocessed: noneUnprocessed() };
    }
  }
}

function admitBatchWrite(request: DataPlaneRequest, tables: Tables): Admission {
  const reserved: Reservation = new Map();
  const unprocessed = noneUnprocessed();
  const admitted: Record<string, WriteRequest[]> = {};
  let message: string | undefined;
  for (const [name, writes] of Object.entries(request.RequestItems ?? {}) as [string, WriteRequest[]][]) {
    const table = tables.get(name);
    const buckets = writeBuckets(table);
    for (const write of writes) {
      const heldBack = blocked(table, buckets);
      if (heldBack) {
        message ??= heldBack;
        (unprocessed.items[name] ??= []).push(write);
        unprocessed.count++;
      } else {
        reserve(reserved, buckets, write.PutRequest ? writeUnits(write.PutRequest.Item) : 1);
        (admitted[name] ??= []).push(write);
      }
    }
  }
  if (Object.keys(admitted).length === 0 && message) return { throttled: true, message };
  return { throttled: false, request: { ...request, RequestItems: admitted }, reserved, unprocessed };
}

function admitBatchGet(request: DataPlaneRequest, tables: Tables): Admission {
  const reserved: Reservation = new Map();
  const unprocessed = noneUnprocessed();
  const admitted: Record<string, KeysAndAttributes> = {};
  let message: string | undefined;
  for (const [name, reads] of Object.entries(request.RequestItems ?? {}) as [string, KeysAndAttributes][]) {
    const table = tables.get(name);
    const buckets = readBuckets(table);
    for (const key of reads.Keys) {
      const heldBack = blocked(table, buckets);
      const into = heldBack ? unprocessed.keys : admitted;
      // The projection and consistency settings travel with the keys, as in DynamoDB's UnprocessedKeys.
      (into[name] ??= { ...reads, Keys: [] }).Keys.push(key);
      if (heldBack) {
        message ??= heldBack;
        unprocessed.count++;
      } else reserve(reserved, buckets, readUnits(reads.ConsistentRead));
    }
  }
  if (Object.keys(admitted).length === 0 && message) return { throttled: true, message };
  return { throttled: false, request: { ...request, RequestItems: admitted }, reserved, unprocessed };
}

/** A transaction is all or nothing; each action costs two units (transactional reads and writes). */
function admitTransaction(request: DataPlaneRequest, tables: Tables): Admission {
  const needs: { table: TableCapacity | undefined; buckets: TokenBucket[]; units: number }[] = (request.TransactItems ?? []).map(
    (action: TransactItem) => {
      const target = action.Put ?? action.Update ?? action.Delete ?? action.ConditionCheck ?? action.Get;
      const table = tables.get(target?.TableName ?? '');
      if (action.Get) return { table, buckets: readBuckets(table), units: 2 };
      return { table, buckets: writeBuckets(table), units: 2 * (action.Put ? writeUnits(action.Put.Item) : 1) };
    },
  );
  for (const need of needs) {
    const message = blocked(need.table, need.buckets);
    if (message) return { throttled: true, message };
  }
  const reserved: Reservation = new Map();
  for (const need of needs) reserve(reserved, need.buckets, need.units);
  return { throttled: false, request, reserved, unprocessed: noneUnprocessed() };
}
