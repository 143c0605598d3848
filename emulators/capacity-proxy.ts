/**
 * A DynamoDB capacity emulator for tests and benchmarks: an HTTP proxy in front of a DynamoDB
 * endpoint without throttling (dynalite, DynamoDB Local) that throttles like provisioned throughput.
 *
 * - Every data-plane request is charged what the upstream reports it consumed (the proxy asks for
 *   ConsumedCapacity INDEXES), against a read and a write token bucket per table and per GSI, sized
 *   from DescribeTable and refilled at the provisioned rate with 300 seconds of burst.
 * - A request whose bucket is empty is answered, without forwarding, with DynamoDB's HTTP 400
 *   ProvisionedThroughputExceededException; batches get UnprocessedItems/Keys for what does not fit.
 * - On-demand tables and control-plane operations are never throttled; UpdateTable is followed by a
 *   re-read of the table's capacity.
 * - Optional latency per request, and per-client accounting by the signing access key id.
 *
 * Not modelled: partitions (3,000 RCU / 1,000 WCU each), adaptive capacity, auto scaling, on-demand
 * limits, the cost of a failed conditional write beyond 1 unit. Buckets start empty unless
 * `initialBurstSeconds` says otherwise: a test's budget arithmetic then starts from zero, where a
 * real table's saved-up burst would be unknown.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { CapacityStats, clientIdOf } from './client-stats';
import { meter } from './metering';
import { dataPlaneOp, tablesOf, targetOperation } from './operations';
import type { TableCapacity } from './table-capacity';
import { TableRegistry } from './table-registry';
import { Upstream } from './upstream';
import type { DataPlaneRequest, TableDescription } from './wire';

/** Added delay per request: fixed milliseconds, or by operation name (e.g. "PutItem"). */
export type Latency = number | ((op: string) => number);

/** Options of the capacity emulator. */
export interface CapacityProxyOptions {
  /** The DynamoDB endpoint to forward to, e.g. dynalite's `http://127.0.0.1:4567`. */
  upstream: string;
  /** Delay added before each request is handled (throttled ones included); default none. */
  latencyMs?: Latency;
  /** Seconds of capacity each bucket holds when the proxy first sees its table; default 0 (empty), at most 300. */
  initialBurstSeconds?: number;
  /** Port to listen on (loopback); default a free one. */
  port?: number;
}

/** A running capacity emulator. */
export interface CapacityProxy {
  /** Point DynamoDB clients here. */
  readonly endpoint: string;
  /** Per-client requests, throttles and consumed units. */
  readonly stats: CapacityStats;
  /** Changes the added latency from now on. */
  setLatency(latency: Latency): void;
  /** Re-reads the provisioned throughput of every table seen so far (saved capacity is kept). */
  refresh(): Promise<void>;
  /** Stops listening and drops connections. */
  close(): Promise<void>;
}

// Hop-by-hop and framing headers are the proxy's own business on each side.
const NOT_FORWARDED = new Set(['host', 'connection', 'keep-alive', 'content-length', 'transfer-encoding', 'expect']);

function forwardable(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name, value]) => !NOT_FORWARDED.has(name) && value !== undefined));
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** Sends a body with DynamoDB's framing headers: length and the CRC32 DynamoDB puts on every answer. */
function reply(response: ServerResponse, status: number, headers: IncomingHttpHeaders | OutgoingHttpHeaders, body: Buffer): void {
  const kept = Object.fromEntries(Object.entries(headers).filter(([name]) => !NOT_FORWARDED.has(name) && name !== 'x-amz-crc32'));
  response.writeHead(status, {
    'x-amzn-requestid': randomUUID(),
    ...kept,
    'content-length': String(body.length),
    'x-amz-crc32': String(crc32(body)),
  });
  response.end(body);
}

function parseJson<T>(body: Buffer): T | undefined {
  try {
    return JSON.parse(body.toString('utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Starts the capacity emulator in front of `options.upstream`. */
export async function startCapacityProxy(options: CapacityProxyOptions): Promise<CapacityProxy> {
  const upstream = new Upstream(options.upstream);
  const stats = new CapacityStats();
  let latency: Latency = options.latencyMs ?? 0;

  const describe = async (table: string, headers: OutgoingHttpHeaders): Promise<TableDescription | undefined> => {
    const answer = await upstream.request(
      'POST',
      '/',
      { ...headers, 'x-amz-target': 'DynamoDB_20120810.DescribeTable', 'content-type': 'application/x-amz-json-1.0' },
      Buffer.from(JSON.stringify({ TableName: table })),
    );
    return answer.status === 200 ? (JSON.parse(answer.body.toString('utf8')) as { Table: TableDescription }).Table : undefined;
  };
  const registry = new TableRegistry(describe, { initialBurstSeconds: options.initialBurstSeconds ?? 0 });

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const raw = await readBody(request);
    const target = request.headers['x-amz-target'];
    const op = targetOperation(Array.isArray(target) ? target[0] : target) ?? '';
    const delay = typeof latency === 'function' ? latency(op) : latency;
    if (delay > 0) await sleep(delay);
    const headers = forwardable(request.headers);
    const passThrough = (body: Buffer) => upstream.request(request.method ?? 'POST', request.url ?? '/', headers, body);

    const dataOp = dataPlaneOp(op);
    const parsed = dataOp && parseJson<DataPlaneRequest>(raw);
    if (!dataOp || !parsed) {
      const answer = await passThrough(raw);
      const tableName = parseJson<{ TableName?: string }>(raw)?.TableName;
      if (answer.status === 200 && tableName !== undefined) {
        if (op === 'UpdateTable') await registry.refresh(tableName, headers).catch(() => undefined);
        if (op === 'CreateTable' || op === 'DeleteTable') registry.forget(tableName);
      }
      return reply(response, answer.status, answer.headers, answer.body);
    }

    const tables = new Map<string, TableCapacity>();
    for (const name of tablesOf(dataOp, parsed)) {
      const capacity = await registry.get(name, headers);
      if (capacity) tables.set(name, capacity);
    }
    // Admission happens at once inside meter(): this is when the request draws on the buckets.
    const admittedAt = performance.now();
    const answer = await meter(dataOp, parsed, tables, passThrough);
    stats.record(clientIdOf(request.headers.authorization), answer.usage, admittedAt);
    reply(response, answer.status, answer.headers, answer.body);
  };

  const server = http.createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      // The upstream is unreachable or answered nonsense: a server-side fault the SDK will retry.
      const body = Buffer.from(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: `capacity proxy: ${String(error)}` }));
      if (!response.headersSent) reply(response, 500, { 'content-type': 'application/x-amz-json-1.0' }, body);
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });

  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stats,
    setLatency(next: Latency) {
      latency = next;
    },
    refresh: () => registry.refreshAll(),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        upstream.close();
      }),
  };
}
