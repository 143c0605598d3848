/**
 * One data-plane request through the capacity model: admit or throttle it, ask the upstream for the
 * consumed capacity (and, on tables with GSIs, for the item images the GSI estimate needs), charge
 * the buckets what it really cost, and answer the client as DynamoDB would: ConsumedCapacity only as
 * asked, unasked ReturnValues removed, held-back batch items in Unprocessed*.
 */
import { admit, type Reservation, type Unprocessed } from './admission';
import type { UsageEvent } from './client-stats';
import { chargesOf, completeEntry, entriesOf, renderFor } from './consumed-capacity';
import { estimateIndexWrites } from './index-writes';
import { isWrite, type DataPlaneOp } from './operations';
import type { TableCapacity } from './table-capacity';
import { throughputExceededResponse } from './throughput-exceeded';
import type { TokenBucket } from './token-bucket';
import type { UpstreamResponse } from './upstream';
import type { DataPlaneRequest, DataPlaneResponse, KeysAndAttributes, WriteRequest } from './wire';

/** The answer for the client, before HTTP framing, and what the request consumed. */
export interface MeteredAnswer {
  status: number;
  /** The upstream's headers, or the emulator's own when it answered without forwarding. */
  headers: UpstreamResponse['headers'];
  body: Buffer;
  usage: UsageEvent;
}

const BATCH_OR_TRANSACTION = new Set<DataPlaneOp>(['BatchGetItem', 'BatchWriteItem', 'TransactGetItems', 'TransactWriteItems']);

/**
 * The request as sent upstream: always with ReturnConsumedCapacity INDEXES; for single-item writes on
 * a table with GSIs and no ReturnValues of the client's own, with the item image the estimate needs.
 */
function upstreamRequest(op: DataPlaneOp, request: DataPlaneRequest, tables: ReadonlyMap<string, TableCapacity>) {
  const body: DataPlaneRequest = { ...request, ReturnConsumedCapacity: 'INDEXES' };
  const table = tables.get(request.TableName ?? '');
  const clientAskedNone = request.ReturnValues === undefined || request.ReturnValues === 'NONE';
  if (!table || table.indexes.size === 0 || !clientAskedNone) return { body, forcedReturnValues: false };
  if (op === 'PutItem' || op === 'DeleteItem') return { body: { ...body, ReturnValues: 'ALL_OLD' }, forcedReturnValues: true };
  if (op === 'UpdateItem') return { body: { ...body, ReturnValues: 'ALL_NEW' }, forcedReturnValues: true };
  return { body, forcedReturnValues: false };
}

/** Charges each bucket what the request cost beyond (or below) what admission reserved. */
function settle(reserved: Reservation, actual: [TokenBucket, number][]): void {
  const delta = new Map<TokenBucket, number>();
  for (const [bucket, units] of reserved) delta.set(bucket, -units);
  for (const [bucket, units] of actual) delta.set(bucket, (delta.get(bucket) ?? 0) + units);
  for (const [bucket, units] of delta) bucket.take(units);
}

function withUnprocessed(op: DataPlaneOp, response: DataPlaneResponse, held: Unprocessed): DataPlaneResponse {
  if (held.count === 0) return response;
  if (op === 'BatchWriteItem') {
    const items: Record<string, WriteRequest[]> = { ...response.UnprocessedItems };
    for (const [table, writes] of Object.entries(held.items)) items[table] = [...(items[table] ?? []), ...writes];
    return { ...response, UnprocessedItems: items };
  }
  const keys: Record<string, KeysAndAttributes> = { ...response.UnprocessedKeys };
  for (const [table, reads] of Object.entries(held.keys)) {
    keys[table] = { ...reads, Keys: [...(keys[table]?.Keys ?? []), ...reads.Keys] };
  }
  return { ...response, UnprocessedKeys: keys };
}

/** DynamoDB charges a failed conditional write too: the existing item's size, at least 1 unit (we charge 1). */
function failureCharges(op: DataPlaneOp, answer: UpstreamResponse, table: TableCapacity | undefined): [TokenBucket, number][] {
  const conditionFailed = answer.body.toString('utf8').includes('#ConditionalCheckFailedException');
  const single = op === 'PutItem' || op === 'UpdateItem' || op === 'DeleteItem';
  return conditionFailed && single && table && !table.onDemand ? [[table.write, 1]] : [];
}

/** Runs one data-plane request through admission, the upstream (`send`) and settlement. */
export async function meter(
  op: DataPlaneOp,
  request: DataPlaneRequest,
  tables: ReadonlyMap<string, TableCapacity>,
  send: (body: Buffer) => Promise<UpstreamResponse>,
): Promise<MeteredAnswer> {
  const write = isWrite(op);
  const usage = (units: number, unprocessed = 0): UsageEvent => ({
    throttled: false,
    unprocessed,
    readUnits: write ? 0 : units,
    writeUnits: write ? units : 0,
  });

  const admission = admit(op, request, tables);
  if (admission.throttled) {
    const throttle = throughputExceededResponse(admission.message);
    return { status: throttle.status, headers: throttle.headers, body: Buffer.from(throttle.body), usage: { ...usage(0), throttled: true } };
  }

  const { body, forcedReturnValues } = upstreamRequest(op, admission.request, tables);
  let answer: UpstreamResponse;
  try {
    answer = await send(Buffer.from(JSON.stringify(body)));
  } catch (error) {
    settle(admission.reserved, []);
    throw error;
  }

  if (answer.status !== 200) {
    const charges = failureCharges(op, answer, tables.get(request.TableName ?? ''));
    settle(admission.reserved, charges);
    return { status: answer.status, headers: answer.headers, body: answer.body, usage: usage(charges.reduce((s, [, u]) => s + u, 0)) };
  }

  let response: DataPlaneResponse;
  try {
    response = JSON.parse(answer.body.toString('utf8')) as DataPlaneResponse;
  } catch {
    // Not DynamoDB's JSON: hand it over untouched and give the reservation back.
    settle(admission.reserved, []);
    return { status: answer.status, headers: answer.headers, body: answer.body, usage: usage(0) };
  }
  const entries = entriesOf(response.ConsumedCapacity).map((entry) => {
    const table = tables.get(entry.TableName ?? '');
    return completeEntry(entry, (tableUnits) => (table && isWrite(op) ? estimateIndexWrites(op, body, response, table, tableUnits) : {}));
  });
  settle(
    admission.reserved,
    entries.flatMap((entry) => {
      const table = tables.get(entry.TableName ?? '');
      return table ? chargesOf(entry, table, write) : [];
    }),
  );

  const { ConsumedCapacity: _upstreamCapacity, ...rest } = withUnprocessed(op, response, admission.unprocessed);
  const rendered = renderFor(request.ReturnConsumedCapacity, entries, !BATCH_OR_TRANSACTION.has(op));
  const out: DataPlaneResponse = { ...rest, ...(rendered !== undefined && { ConsumedCapacity: rendered }) };
  if (forcedReturnValues) delete out.Attributes;
  return {
    status: 200,
    headers: answer.headers,
    body: Buffer.from(JSON.stringify(out)),
    usage: usage(
      entries.reduce((s, e) => s + (e.CapacityUnits ?? 0), 0),
      admission.unprocessed.count,
    ),
  };
}
