/**
 * Adaptive back-off for one kind of capacity (reads or writes) of one segment: additive increase,
 * multiplicative decrease. A throttle means the table (or one of its partitions or indexes) has no
 * capacity left for what the application and the migration ask together; the migration is the one
 * that can wait, so it cuts its rate and then gives it back slowly, 5% of its budget a second, while
 * nothing is throttled. The cut is by half the share of its calls that were throttled lately (the
 * rule of DCTCP, RFC 8257): a table out of capacity throttles most calls and halves the rate, while
 * a stray throttle (a hot partition, a blip) barely slows the run; cutting by half at every throttle
 * would stall a run that meets a steady trickle of them. DynamoDB's own advice for
 * ProvisionedThroughputExceededException is "Reduce the frequency of requests and use exponential backoff" (API reference; see
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html#Programming.Errors.RetryAndBackoff):
 * the SDK's retries space out one request, this reduces the frequency of all of them.
 */

/** How the rate reacts to throttles. */
export interface AdaptiveRateOptions {
  /** The largest cut, when every call was throttled: the rate after it as a share of the rate before. */
  decrease?: number;
  /** Recovery per second without a throttle, as a share of the reference rate (the budget, or the rate when throttled). */
  recoveryPerSecond?: number;
  /**
   * Throttles within this long of a cut's start are answers to requests sent before it: they only
   * deepen that cut (a batch has many requests in flight, and the SDK retries each on its own).
   */
  reactionMs?: number;
  now?: () => number;
}

const DEFAULTS = { decrease: 0.5, recoveryPerSecond: 0.05, reactionMs: 1_000 } as const;

/**
 * The lowest rate it cuts to: 5% of the reference rate (low enough to let the table recover, high
 * enough to recover from in seconds), but not below one unit a second, the cost of one small call:
 * a segment whose Scan pages are throttled has a measured read rate of a unit or two a second, and 5%
 * of that would leave it waiting half a minute per page.
 */
const FLOOR_SHARE = 0.05;
const FLOOR_UNITS_PER_SECOND = 1;

/** A rate in units per second that is cut on throttling and recovers additively up to a ceiling. */
export class AdaptiveRate {
  private readonly decrease: number;
  private readonly recoveryPerSecond: number;
  private readonly reactionMs: number;
  private readonly now: () => number;
  /** Where the rate recovers from, and since when; undefined while at the ceiling. */
  private recovering?: { from: number; at: number; reference: number };
  /** The cut under way: the rate it cuts from, since when, and the reference rate. */
  private cut?: { from: number; at: number; reference: number };

  /**
   * `ceiling`: the budget (Infinity when none); `start`: a rate carried from an earlier call, when
   * that call ended holding back.
   */
  constructor(
    private ceiling: number,
    start?: number,
    options: AdaptiveRateOptions = {},
  ) {
    this.decrease = options.decrease ?? DEFAULTS.decrease;
    this.recoveryPerSecond = options.recoveryPerSecond ?? DEFAULTS.recoveryPerSecond;
    this.reactionMs = options.reactionMs ?? DEFAULTS.reactionMs;
    this.now = options.now ?? Date.now;
    if (start !== undefined && start < ceiling) {
      // The rate it was cut from is unknown here; at most, the cuts that led to `start` halved it.
      this.recovering = { from: start, at: this.now(), reference: Number.isFinite(ceiling) ? ceiling : start / this.decrease };
    }
  }

  /** The rate allowed now, in units per second (Infinity: no limit). */
  limit(): number {
    if (!this.recovering) return this.ceiling;
    const { from, at, reference } = this.recovering;
    const rate = from + ((this.now() - at) / 1000) * this.recoveryPerSecond * reference;
    if (rate >= this.ceiling) {
      this.recovering = undefined;
      return this.ceiling;
    }
    return rate;
  }

  /** Whether it is holding back below its ceiling. */
  get holdingBack(): boolean {
    return this.limit() < this.ceiling;
  }

  /** A new budget (the table's capacity changed); a rate recovering below it keeps recovering. */
  setCeiling(ceiling: number): void {
    const limit = this.limit();
    this.ceiling = ceiling;
    if (this.recovering) this.recovering.reference = Number.isFinite(ceiling) ? ceiling : this.recovering.reference;
    if (limit >= ceiling) this.recovering = undefined;
  }

  /**
   * A request was throttled while the segment consumed `measured.rate` units per second (NaN: too
   * few calls to tell) and `measured.throttledShare` (0 to 1) of its recent calls were throttled. The
   * first throttle after a reaction time starts a cut from the lower of the measured rate and the
   * current limit; throttles within the reaction time deepen that same cut as the throttled share
   * grows, down to `decrease` times it when every call is throttled. Returns whether the rate went
   * down. Without a limit or a measurement there is nothing to cut from.
   */
  throttled(measured: { rate: number; throttledShare: number; peakRate?: number }): boolean {
    const now = this.now();
    const limit = this.limit();
    if (!this.cut || now - this.cut.at >= this.reactionMs) {
      const base = Math.min(limit, measured.rate > 0 ? measured.rate : Infinity);
      if (!Number.isFinite(base)) return false;
      // Recovery steps and the floor are shares of the budget, or of the best rate seen: never of a rate already cut.
      const reference = Number.isFinite(this.ceiling) ? this.ceiling : Math.max(base, measured.peakRate ?? 0, this.recovering?.reference ?? 0, this.cut?.reference ?? 0);
      this.cut = { from: base, at: now, reference };
    }
    const share = Math.min(Math.max(measured.throttledShare, 0), 1);
    const { reference } = this.cut;
    const floor = Math.min(Math.max(FLOOR_SHARE * reference, FLOOR_UNITS_PER_SECOND), this.decrease * reference);
    const target = Math.max(this.cut.from * (1 - share * (1 - this.decrease)), floor);
    if (target >= limit) return false;
    this.recovering = { from: target, at: now, reference };
    return true;
  }
}
