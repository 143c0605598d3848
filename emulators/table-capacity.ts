/**
 * One table's provisioned throughput as DescribeTable reports it, turned into token buckets: a read
 * and a write bucket for the table and for each global secondary index (each GSI has its own
 * provisioned throughput; local secondary indexes share the table's).
 */
import { TokenBucket } from './token-bucket';
import type { TableDescription, WireItem } from './wire';

/** A global secondary index: its key attributes and its buckets. */
export interface IndexCapacity {
  readonly keyNames: readonly string[];
  readonly read: TokenBucket;
  readonly write: TokenBucket;
}

/** How new buckets start: seconds of capacity saved up (0 = empty), and the clock. */
export interface BucketStart {
  initialBurstSeconds: number;
  now?: () => number;
}

/** The capacity model of one table. */
export class TableCapacity {
  readonly name: string;
  private onDemandNow: boolean;
  readonly read: TokenBucket;
  readonly write: TokenBucket;
  readonly indexes = new Map<string, IndexCapacity>();

  constructor(
    description: TableDescription,
    private readonly start: BucketStart,
  ) {
    this.name = description.TableName;
    this.onDemandNow = isOnDemand(description);
    this.read = this.bucket(description.ProvisionedThroughput?.ReadCapacityUnits);
    this.write = this.bucket(description.ProvisionedThroughput?.WriteCapacityUnits);
    this.update(description);
  }

  /** On-demand tables (PAY_PER_REQUEST) are never throttled by this emulator. */
  get onDemand(): boolean {
    return this.onDemandNow;
  }

  /** Applies a new description (after UpdateTable): rates change, saved capacity stays. */
  update(description: TableDescription): void {
    this.onDemandNow = isOnDemand(description);
    this.read.setRate(description.ProvisionedThroughput?.ReadCapacityUnits ?? 0);
    this.write.setRate(description.ProvisionedThroughput?.WriteCapacityUnits ?? 0);
    const seen = new Set<string>();
    for (const gsi of description.GlobalSecondaryIndexes ?? []) {
      seen.add(gsi.IndexName);
      const existing = this.indexes.get(gsi.IndexName);
      const keyNames = gsi.KeySchema.map((k) => k.AttributeName);
      if (existing) {
        existing.read.setRate(gsi.ProvisionedThroughput?.ReadCapacityUnits ?? 0);
        existing.write.setRate(gsi.ProvisionedThroughput?.WriteCapacityUnits ?? 0);
        this.indexes.set(gsi.IndexName, { ...existing, keyNames });
      } else {
        this.indexes.set(gsi.IndexName, {
          keyNames,
          read: this.bucket(gsi.ProvisionedThroughput?.ReadCapacityUnits),
          write: this.bucket(gsi.ProvisionedThroughput?.WriteCapacityUnits),
        });
      }
    }
    for (const name of [...this.indexes.keys()]) if (!seen.has(name)) this.indexes.delete(name);
  }

  /** The bucket a read draws from: the GSI's when it reads one, else the table's (LSIs included). */
  readBucket(indexName?: string): TokenBucket {
    return (indexName !== undefined && this.indexes.get(indexName)?.read) || this.read;
  }

  /** Names of the GSIs an item belongs to: those whose every key attribute it has. */
  indexesHolding(item: WireItem | undefined): string[] {
    if (!item) return [];
    return [...this.indexes].filter(([, index]) => index.keyNames.every((name) => item[name] !== undefined)).map(([name]) => name);
  }

  private bucket(rate: number | undefined): TokenBucket {
    return new TokenBucket(rate ?? 0, { initialSeconds: this.start.initialBurstSeconds, now: this.start.now });
  }
}

function isOnDemand(description: TableDescription): boolean {
  const t = description.ProvisionedThroughput;
  // A provisioned table has at least 1 unit each way; 0/0 is how on-demand tables describe themselves.
  return description.BillingModeSummary?.BillingMode === 'PAY_PER_REQUEST' || (!t?.ReadCapacityUnits && !t?.WriteCapacityUnits);
}
