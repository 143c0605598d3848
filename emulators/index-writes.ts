/**
 * What a write costs each global secondary index, for upstreams that report only table units
 * (dynalite; DynamoDB Local reports the per-index breakdown itself, and then it is used as is).
 *
 * DynamoDB: "the total provisioned throughput cost for a write consists of the sum of write capacity
 * units consumed by writing to the base table and those consumed by updating the global secondary
 * indexes"; an index is written when the item enters, changes in or leaves it, and "if an update to
 * the table changes the value of an indexed key attribute (from A to B), two writes are required"
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html#GSI.ThroughputConsiderations).
 *
 * Approximation used here: a write costs every GSI whose key attributes the item has before or after
 * the write the same units as the table write. It over-charges updates that change no projected
 * attribute (free on DynamoDB), under-charges key changes (two index writes there), and prices the
 * index write by the whole item rather than its projection.
 */
import { writeUnits } from './item-size';
import type { WriteOp } from './operations';
import type { TableCapacity } from './table-capacity';
import { updatedNames } from './update-expression';
import type { DataPlaneRequest, DataPlaneResponse, WireItem, WriteRequest } from './wire';

/** Write units per GSI name. */
export type IndexUnits = Record<string, number>;

/**
 * GSIs a single-item write touched, from the item before and/or after it: the proxy asks the
 * upstream for `ReturnValues` (ALL_OLD for PutItem and DeleteItem, ALL_NEW for UpdateItem) when the
 * client did not ask for other values. Where neither image is known, every GSI counts (conservative).
 */
function touchedBySingleWrite(op: WriteOp, request: DataPlaneRequest, response: DataPlaneResponse, table: TableCapacity): string[] {
  const all = [...table.indexes.keys()];
  const returned = response.Attributes;
  const holding = (item: WireItem | undefined) => new Set(table.indexesHolding(item));
  switch (op) {
    case 'PutItem':
      if (request.ReturnValues !== 'ALL_OLD') return all;
      return [...new Set([...holding(returned), ...holding(request.Item)])];
    case 'DeleteItem':
      return request.ReturnValues === 'ALL_OLD' ? [...holding(returned)] : all;
    case 'UpdateItem': {
      if (request.UpdateExpression === undefined) return all; // legacy AttributeUpdates: not parsed
      const { assigned, removed } = updatedNames(request.UpdateExpression, request.ExpressionAttributeNames);
      if (request.ReturnValues === 'ALL_NEW') {
        // In the index after, or (when the update removed one of its keys) probably in it before.
        const after = holding(returned);
        return all.filter((name) => after.has(name) || table.indexes.get(name)!.keyNames.some((key) => removed.has(key)));
      }
      if (request.ReturnValues === 'ALL_OLD') {
        const before = holding(returned);
        const hasAfter = (key: string) => assigned.has(key) || (returned?.[key] !== undefined && !removed.has(key));
        return all.filter((name) => before.has(name) || table.indexes.get(name)!.keyNames.every(hasAfter));
      }
      return all;
    }
    default:
      return all;
  }
}

/** Estimated GSI write units of one table's part of a successful write. */
export function estimateIndexWrites(
  op: WriteOp,
  request: DataPlaneRequest,
  response: DataPlaneResponse,
  table: TableCapacity,
  tableUnits: number,
): IndexUnits {
  const units: IndexUnits = {};
  const add = (name: string, n: number) => (units[name] = (units[name] ?? 0) + n);
  switch (op) {
    case 'BatchWriteItem': {
      // No item images come back from a batch: a put counts for the GSIs its new item belongs to,
      // a delete (old item unseen) for every GSI.
      const writes = (request.RequestItems?.[table.name] ?? []) as WriteRequest[];
      for (const write of writes) {
        if (write.PutRequest) for (const name of table.indexesHolding(write.PutRequest.Item)) add(name, writeUnits(write.PutRequest.Item));
        else for (const name of table.indexes.keys()) add(name, 1);
      }
      return units;
    }
    case 'TransactWriteItems':
      for (const name of table.indexes.keys()) add(name, tableUnits);
      return units;
    default:
      for (const name of touchedBySingleWrite(op, request, response, table)) add(name, tableUnits);
      return units;
  }
}
