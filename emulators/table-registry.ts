/**
 * The capacity emulator's knowledge of tables: each table is described upstream on first use and
 * cached; UpdateTable (or `refresh()`) re-reads it. Tables are keyed by name alone: the emulator
 * models one account, whatever access key signs the request.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { TableCapacity, type BucketStart } from './table-capacity';
import type { TableDescription } from './wire';

/** Reads a table's description from the upstream, signed like `headers`; undefined if there is none. */
export type DescribeTable = (table: string, headers: OutgoingHttpHeaders) => Promise<TableDescription | undefined>;

interface Known {
  capacity: Promise<TableCapacity | undefined>;
  headers: OutgoingHttpHeaders;
}

const POLL_MS = 50;
const UPDATE_WAIT_MS = 30_000;

const isActive = (d: TableDescription): boolean =>
  (d.TableStatus ?? 'ACTIVE') === 'ACTIVE' && (d.GlobalSecondaryIndexes ?? []).every((i) => (i.IndexStatus ?? 'ACTIVE') === 'ACTIVE');

/** Cached capacity models of the tables requests have touched. */
export class TableRegistry {
  private readonly known = new Map<string, Known>();

  constructor(
    private readonly describe: DescribeTable,
    private readonly start: BucketStart,
  ) {}

  /** The capacity of `table`, described with the caller's credentials on first use; undefined if it does not exist. */
  async get(table: string, headers: OutgoingHttpHeaders): Promise<TableCapacity | undefined> {
    const cached = this.known.get(table);
    if (cached) return cached.capacity;
    const entry: Known = {
      capacity: this.describe(table, headers).then((d) => (d ? new TableCapacity(d, this.start) : undefined)),
      headers,
    };
    this.known.set(table, entry);
    const capacity = await entry.capacity.catch(() => undefined);
    // An unknown table is not remembered: it may be created next.
    if (!capacity && this.known.get(table) === entry) this.known.delete(table);
    return capacity;
  }

  /**
   * Re-reads capacity after a change. The first description is applied before this resolves; if the
   * table is still UPDATING, the new rates apply when it is ACTIVE again (as in DynamoDB), polled in
   * the background.
   */
  async refresh(table: string, headers?: OutgoingHttpHeaders): Promise<void> {
    const cached = this.known.get(table);
    if (!cached) return;
    const describeWith = headers ?? cached.headers;
    const first = await this.describe(table, describeWith);
    if (!first) {
      this.known.delete(table);
      return;
    }
    const capacity = await cached.capacity;
    if (isActive(first)) {
      capacity?.update(first);
      return;
    }
    void (async () => {
      for (const deadline = Date.now() + UPDATE_WAIT_MS; Date.now() < deadline; ) {
        await sleep(POLL_MS);
        const next = await this.describe(table, describeWith).catch(() => undefined);
        if (!next || isActive(next)) return next && capacity?.update(next);
      }
    })();
  }

  /** Re-reads every known table. */
  async refreshAll(): Promise<void> {
    await Promise.all([...this.known.keys()].map((table) => this.refresh(table)));
  }

  /** Drops a table (created or deleted meanwhile): the next request describes it afresh. */
  forget(table: string): void {
    this.known.delete(table);
  }
}
