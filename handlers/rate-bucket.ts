/**
 * Capacity units that refill at a rate: the migration's own budget, kept the way DynamoDB keeps a
 * table's capacity (a token bucket that admits a request while it holds anything and lets the
 * request's real cost drive it into debt), so that pacing by consumed units matches what DynamoDB
 * charges. It holds at most `burstSeconds` of unused budget: after an idle stretch a segment may
 * catch up for that long, not for DynamoDB's 300 seconds, so that each few seconds stay within budget.
 */
export class RateBucket {
  private level = 0;
  private refilledAt: number;

  constructor(
    private rate: number,
    private readonly burstSeconds: number,
    private readonly now: () => number,
  ) {
    if (!(rate > 0)) throw new Error(`Expected a rate of more than 0 units per second, got: ${rate}`);
    this.refilledAt = now();
  }

  /** Units per second it refills at. */
  get ratePerSecond(): number {
    return this.rate;
  }

  /** Units it holds now (negative: in debt). */
  get units(): number {
    this.refill();
    return this.level;
  }

  /** A new rate from now on; what is held stays, up to the new burst cap. */
  setRate(rate: number): void {
    if (!(rate > 0)) throw new Error(`Expected a rate of more than 0 units per second, got: ${rate}`);
    if (rate === this.rate) return;
    this.refill();
    this.rate = rate;
    this.level = Math.min(this.level, this.cap());
  }

  /** Milliseconds until it holds more than nothing; 0 when it does now. */
  msUntilAvailable(): number {
    const units = this.units;
    return units > 0 ? 0 : (-units / this.rate) * 1000 + 0.1;
  }

  /** Spends units (a negative amount gives back an over-estimate); the level never passes the burst cap. */
  take(units: number): void {
    this.refill();
    this.level = Math.min(this.level - units, this.cap());
  }

  private cap(): number {
    return this.rate * this.burstSeconds;
  }

  private refill(): void {
    const at = this.now();
    this.level = Math.min(this.level + ((at - this.refilledAt) / 1000) * this.rate, this.cap());
    this.refilledAt = at;
  }
}
