/**
 * Per-client accounting of the capacity emulator, so a test can check what each principal did to the
 * table: a client is the access key id that signed the request (`Credential=<AKID>/...`).
 * Units are totals as DynamoDB reports `CapacityUnits`: the table's plus its indexes'. Each request
 * counts at the moment it was admitted or refused (when it drew on the buckets), not when it finished.
 */

/** What one client did, summed. */
export interface UsageTotals {
  /** Data-plane requests (control-plane calls cannot be throttled and are not counted). */
  requests: number;
  /** Requests answered with ProvisionedThroughputExceededException. */
  throttled: number;
  /** Batch items and keys returned unprocessed for lack of capacity. */
  unprocessed: number;
  readUnits: number;
  writeUnits: number;
}

/** Usage in one time window; `startMs`/`endMs` count from the client's first request. */
export interface UsageWindow extends UsageTotals {
  startMs: number;
  endMs: number;
}

/** One request's outcome. */
export interface UsageEvent {
  throttled: boolean;
  unprocessed: number;
  readUnits: number;
  writeUnits: number;
}

/** One request's outcome and when it was admitted or refused (the stats clock, `performance.now()` by default). */
export interface TimedUsageEvent extends UsageEvent {
  atMs: number;
}

const emptyTotals = (): UsageTotals => ({ requests: 0, throttled: 0, unprocessed: 0, readUnits: 0, writeUnits: 0 });

function add(totals: UsageTotals, event: UsageEvent): void {
  totals.requests++;
  if (event.throttled) totals.throttled++;
  totals.unprocessed += event.unprocessed;
  totals.readUnits += event.readUnits;
  totals.writeUnits += event.writeUnits;
}

/** The access key id in a SigV4 Authorization header, or "anonymous". */
export function clientIdOf(authorization: string | undefined): string {
  return /Credential=([^/,\s]+)\//.exec(authorization ?? '')?.[1] ?? 'anonymous';
}

/** Requests, throttles and consumed units per client, with a time series. */
export class CapacityStats {
  private readonly byClient = new Map<string, TimedUsageEvent[]>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Records one data-plane request of `clientId`, admitted or refused at `atMs` (default: now). */
  record(clientId: string, event: UsageEvent, atMs: number = this.now()): void {
    let list = this.byClient.get(clientId);
    if (!list) this.byClient.set(clientId, (list = []));
    list.push({ ...event, atMs });
  }

  /** `clientId`'s requests in the order they were admitted or refused. */
  events(clientId: string): TimedUsageEvent[] {
    return [...(this.byClient.get(clientId) ?? [])].sort((a, b) => a.atMs - b.atMs);
  }

  /** Every client seen since the start or the last reset. */
  clients(): string[] {
    return [...this.byClient.keys()];
  }

  /** Everything `clientId` did. */
  totals(clientId: string): UsageTotals {
    const totals = emptyTotals();
    for (const event of this.byClient.get(clientId) ?? []) add(totals, event);
    return totals;
  }

  /** Throttled requests as a fraction of requests (0 when there were none). */
  throttleRate(clientId: string): number {
    const { requests, throttled } = this.totals(clientId);
    return requests === 0 ? 0 : throttled / requests;
  }

  /**
   * `clientId`'s usage in consecutive windows of `windowMs` from its first request to its last,
   * empty windows included; the last window ends at the last request, so it may be shorter.
   */
  windows(clientId: string, windowMs: number): UsageWindow[] {
    if (!(windowMs > 0)) throw new Error(`Expected a window of more than 0 ms, got: ${windowMs}`);
    const list = this.events(clientId);
    if (list.length === 0) return [];
    const first = list[0]!.atMs;
    const span = list[list.length - 1]!.atMs - first;
    const count = Math.floor(span / windowMs) + 1;
    const windows: UsageWindow[] = Array.from({ length: count }, (_, i) => ({
      ...emptyTotals(),
      startMs: i * windowMs,
      endMs: Math.min((i + 1) * windowMs, span),
    }));
    for (const event of list) add(windows[Math.min(Math.floor((event.atMs - first) / windowMs), count - 1)]!, event);
    return windows;
  }

  /** Forgets everything recorded so far. */
  reset(): void {
    this.byClient.clear();
  }
}
