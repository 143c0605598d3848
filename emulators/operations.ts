/**
 * The DynamoDB operations that consume read or write capacity, and the tables each one touches.
 * Everything else (CreateTable, DescribeTable, UpdateTable, ListTables, PartiQL, ...) is control
 * plane or out of scope and passes through the capacity emulator untouched.
 */
import type { DataPlaneRequest } from './wire';

const READS = ['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems'] as const;
const WRITES = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems'] as const;

/** An operation that reads items. */
export type ReadOp = (typeof READS)[number];
/** An operation that writes items. */
export type WriteOp = (typeof WRITES)[number];
/** An operation that consumes capacity. */
export type DataPlaneOp = ReadOp | WriteOp;

/** The operation if it consumes capacity, else undefined. */
export function dataPlaneOp(op: string): DataPlaneOp | undefined {
  return (READS as readonly string[]).includes(op) || (WRITES as readonly string[]).includes(op) ? (op as DataPlaneOp) : undefined;
}

/** Whether the operation consumes write capacity. */
export const isWrite = (op: DataPlaneOp): op is WriteOp => (WRITES as readonly string[]).includes(op);

/** The operation name in `X-Amz-Target: DynamoDB_20120810.<Op>`, or undefined for other services. */
export function targetOperation(target: string | undefined): string | undefined {
  const match = /^DynamoDB_20120810\.(\w+)$/.exec(target ?? '');
  return match?.[1];
}

/** Every table a request reads or writes. */
export function tablesOf(op: DataPlaneOp, request: DataPlaneRequest): string[] {
  switch (op) {
    case 'BatchGetItem':
    case 'BatchWriteItem':
      return Object.keys(request.RequestItems ?? {});
    case 'TransactGetItems':
    case 'TransactWriteItems': {
      const names = (request.TransactItems ?? []).map(
        (action) => (action.Put ?? action.Update ?? action.Delete ?? action.ConditionCheck ?? action.Get)?.TableName,
      );
      return [...new Set(names.filter((name): name is string => name !== undefined))];
    }
    default:
      return request.TableName === undefined ? [] : [request.TableName];
  }
}
