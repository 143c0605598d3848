/**
 * DynamoDB's provisioned throughput as a token bucket: refilled continuously at the provisioned rate,
 * holding at most 300 seconds of unused capacity ("DynamoDB currently retains up to 5 minutes
 * (300 seconds) of unused read and write capacity", AWS Knowledge Center,
 * https://repost.aws/knowledge-center/dynamodb-spiky-workloads-short-intervals).
 */

/** Seconds of unused capacity DynamoDB keeps for bursts. */
export const BURST_SECONDS = 300;

/** Options for a token bucket: how full it starts, and the clock (milliseconds) for tests. */
export interface TokenBucketOptions {
  /** Seconds of capacity in the bucket at creation (0 = empty); capped at BURST_SECONDS. */
  initialSeconds?: number;
  now?: () => number;
}

/** Capacity units that refill at `ratePerSecond`; spending may drive it negative (DynamoDB's debt). */
export class TokenBucket {
  private level: number;
  private refilledAt: number;
  private readonly now: () => number;

  constructor(
    private rate: number,
    options: TokenBucketOptions = {},
  ) {
    if (!(rate >= 0)) throw new Error(`Expected a capacity of 0 or more units per second, got: ${rate}`);
    this.now = options.now ?? (() => performance.now());
    this.refilledAt = this.now();
    this.level = Math.min(options.initialSeconds ?? 0, BURST_SECONDS) * rate;
  }

  /** Units per second the bucket refills at (the provisioned capacity). */
  get ratePerSecond(): number {
    return this.rate;
  }

  /** Units available now; negative after a request cost more than was left. */
  get tokens(): number {
    this.refill();
    return this.level;
  }

  /** DynamoDB admits a request while some capacity remains, whatever the request will cost. */
  hasCapacity(): boolean {
    return this.tokens > 0;
  }

  /** Spends units (a negative amount gives back an over-estimate), never above the burst cap. */
  take(units: number): void {
    this.refill();
    this.level = Math.min(this.level - units, this.max());
  }

  /** A new provisioned rate (UpdateTable): what was saved stays, up to the new burst cap. */
  setRate(rate: number): void {
    if (!(rate >= 0)) throw new Error(`Expected a capacity of 0 or more units per second, got: ${rate}`);
    this.refill();
    this.rate = rate;
    this.level = Math.min(this.level, this.max());
  }

  private max(): number {
    return this.rate * BURST_SECONDS;
  }

  private refill(): void {
    const at = this.now();
    this.level = Math.min(this.level + ((at - this.refilledAt) / 1000) * this.rate, this.max());
    this.refilledAt = at;
  }
}
