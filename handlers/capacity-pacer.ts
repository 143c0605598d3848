import type { CapacityBudget, Pace } from '../workflow/contract';
import { AdaptiveRate, type AdaptiveRateOptions } from './adaptive-rate';
import type { Charge } from './consumed-capacity';
import { NotSentError } from './deadline';
import { RateBucket } from './rate-bucket';
import { RecentCalls } from './recent-calls';

/** The calls a batch makes, each with its own cost estimate: Scan pages, consistent re-reads, and writes. */
export type CallKind = 'scan' | 'get' | 'write';

/** Read or write capacity. */
export type Side = 'read' | 'write';

/** Which capacity a kind of call draws on. */
export const sideOf = (kind: CallKind): Side => (kind === 'write' ? 'write' : 'read');

/** Units reserved for one call when it was let out, to be settled with what it really cost. */
export interface Ticket {
  kind: CallKind;
  reserved: Charge;
}

/** How a pacer is set up besides its budget. */
export interface CapacityPacerOptions {
  /** The back-off an earlier call of this segment ended with. */
  pace?: Pace;
  now?: () => number;
  /** Waits `ms`, or rejects as soon as `signal` aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  adaptive?: Omit<AdaptiveRateOptions, 'now'>;
  /** Told of every throttle after the pacer has reacted (the budget may be out of date). */
  onThrottle?: () => void;
}

/**
 * Seconds of unused budget a bucket keeps (see rate-bucket.ts): enough to ride out a late timer, and
 * small, since every running segment may spend it at once: 8 segments' second would be 20% more than
 * the budget in a 5-s window.
 */
const BURST_SECONDS = 0.2;
/** How fast estimates follow what calls really cost (an exponential moving average). */
const ESTIMATE_WEIGHT = 0.2;
/** The window over which the consumed rate and the throttled share are measured when a throttle cuts the rate. */
const MEASURE_MS = 2_000;
/** Waits are re-checked at least this often: a recovering rate may let a call out sooner. */
const MAX_SLEEP_MS = 250;

const zero = (): Charge => ({ total: 0, table: 0, indexes: {} });
const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);

/** Waits `ms`; a NotSentError as soon as `signal` aborts. */
function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new NotSentError());
    const onAbort = () => {
      clearTimeout(timer);
      reject(new NotSentError());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * One segment's capacity budget at work: before a call it waits until every budget the call draws
 * on has room (reads; all write units; the table's write units; each GSI's) and reserves the call's
 * estimated cost, and when the call answers it charges what DynamoDB reports it consumed instead.
 * Throttles cut the read or write rate (adaptive-rate.ts). Calls of a side are let out in order, so
 * waiting calls do not all wake at once.
 */
export class CapacityPacer {
  private budget: CapacityBudget;
  private readonly adaptive: Record<Side, AdaptiveRate>;
  private readonly buckets = new Map<string, RateBucket>();
  private readonly estimates: Record<CallKind, Charge>;
  /** Calls answered (with what they consumed) and attempts throttled lately, per side. */
  private readonly recent: Record<Side, RecentCalls>;
  private readonly queues: Record<Side, Promise<unknown>> = { read: Promise.resolve(), write: Promise.resolve() };
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly onThrottle: () => void;
  /** Units consumed so far, as DynamoDB reported them (estimated where it reported nothing). */
  readonly consumed: Record<Side, number> = { read: 0, write: 0 };

  /** `budget`: this segment's share of the run's budget (capacity-budget.ts). */
  constructor(budget: CapacityBudget, options: CapacityPacerOptions = {}) {
    this.budget = budget;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? sleepUnlessAborted;
    this.recent = { read: new RecentCalls(MEASURE_MS, this.now), write: new RecentCalls(MEASURE_MS, this.now) };
    this.onThrottle = options.onThrottle ?? (() => undefined);
    const adaptive = { ...options.adaptive, now: this.now };
    this.adaptive = {
      read: new AdaptiveRate(this.ceiling('read'), options.pace?.read, adaptive),
      write: new AdaptiveRate(this.ceiling('write'), options.pace?.write, adaptive),
    };
    const indexes = Object.fromEntries(Object.keys(budget.indexWrites ?? {}).map((name) => [name, 1]));
    this.estimates = {
      scan: { total: 1, table: 1, indexes: {} },
      get: { total: 1, table: 1, indexes: {} },
      write: { total: 1 + Object.keys(indexes).length, table: 1, indexes },
    };
  }

  /** A new budget (the table's provisioned capacity changed). */
  setBudget(budget: CapacityBudget): void {
    this.budget = budget;
    this.adaptive.read.setCeiling(this.ceiling('read'));
    this.adaptive.write.setCeiling(this.ceiling('write'));
  }

  /**
   * Resolves when a call of `kind` may be sent, with its estimated cost reserved. Rejects with
   * NotSentError when it could not be let out before `notAfter` (epoch ms) or before `signal` aborts.
   */
  async admit(kind: CallKind, until: { signal: AbortSignal; notAfter: number }): Promise<Ticket> {
    const side = sideOf(kind);
    if (this.limits(side).length === 0) return this.reserve(kind);
    const turn = this.queues[side].then(async () => {
      await this.waitForRoom(side, until);
      return this.reserve(kind);
    });
    this.queues[side] = turn.catch(() => undefined);
    return turn;
  }

  /**
   * Charges a call's real cost in place of its reservation: what DynamoDB reported, nothing for a
   * throttled call (DynamoDB refused it), or the estimate when the cost is unknown (a failed
   * conditional write is billed but reports nothing).
   */
  settle(ticket: Ticket, cost: Charge | 'throttled' | 'unknown'): void {
    const side = sideOf(ticket.kind);
    const charge = cost === 'throttled' ? zero() : cost === 'unknown' ? ticket.reserved : cost;
    for (const [key, rate] of this.limits(side)) this.bucket(key, rate).take(part(key, charge) - part(key, ticket.reserved));
    if (typeof cost === 'object') this.learn(ticket.kind, cost);
    this.consumed[side] += charge.total;
    if (cost !== 'throttled') this.recent[side].add({ units: charge.total, throttled: false });
  }

  /**
   * An attempt of `side` was throttled (told by the SDK's retry strategy as it happens): the adaptive
   * rate cuts by the share of recent calls that were throttled, at most once per reaction time. While
   * the window holds too few calls to tell a rate (a batch that has just started), the cut starts
   * from the limit in force, or not at all when there is none.
   */
  throttled(side: Side): void {
    const recent = this.recent[side];
    recent.add({ units: 0, throttled: true });
    this.adaptive[side].throttled({ rate: recent.telling ? recent.rate() : Number.NaN, throttledShare: recent.throttledShare(), peakRate: recent.peakRate });
    this.onThrottle();
  }

  /** Units per second consumed lately. */
  measuredRate(side: Side): number {
    return this.recent[side].rate();
  }

  /** The back-off to carry to the segment's next call; empty when not holding back. */
  pace(): Pace {
    const held = (side: Side) => (this.adaptive[side].holdingBack ? this.adaptive[side].limit() : undefined);
    const read = held('read');
    const write = held('write');
    return { ...(read !== undefined && { read }), ...(write !== undefined && { write }) };
  }

  /** The most a side may use: its budget (writes: also the table's and every GSI's together). */
  private ceiling(side: Side): number {
    if (side === 'read') return this.budget.read ?? Infinity;
    const perIndex = this.budget.tableWrite !== undefined ? this.budget.tableWrite + sum(Object.values(this.budget.indexWrites ?? {})) : Infinity;
    return Math.min(this.budget.write ?? Infinity, perIndex);
  }

  /** The finite rates (units per second) that limit a side now, by bucket key. */
  private limits(side: Side): [string, number][] {
    const all: [string, number][] =
      side === 'read'
        ? [['read', this.adaptive.read.limit()]]
        : [
            ['write', this.adaptive.write.limit()],
            ['write:table', this.budget.tableWrite ?? Infinity],
            ...Object.entries(this.budget.indexWrites ?? {}).map(([name, rate]): [string, number] => [`write:index:${name}`, rate]),
          ];
    return all.filter(([, rate]) => Number.isFinite(rate));
  }

  private bucket(key: string, rate: number): RateBucket {
    let bucket = this.buckets.get(key);
    if (!bucket) this.buckets.set(key, (bucket = new RateBucket(rate, BURST_SECONDS, this.now)));
    else bucket.setRate(rate);
    return bucket;
  }

  private async waitForRoom(side: Side, until: { signal: AbortSignal; notAfter: number }): Promise<void> {
    for (;;) {
      if (until.signal.aborted) throw new NotSentError();
      const wait = Math.max(0, ...this.limits(side).map(([key, rate]) => this.bucket(key, rate).msUntilAvailable()));
      if (wait <= 0) return;
      if (this.now() + wait > until.notAfter) throw new NotSentError();
      await this.sleep(Math.min(wait, MAX_SLEEP_MS), until.signal);
    }
  }

  private reserve(kind: CallKind): Ticket {
    const estimate = this.estimates[kind];
    const reserved: Charge = { total: estimate.total, table: estimate.table, indexes: { ...estimate.indexes } };
    for (const [key, rate] of this.limits(sideOf(kind))) this.bucket(key, rate).take(part(key, reserved));
    return { kind, reserved };
  }

  private learn(kind: CallKind, cost: Charge): void {
    const estimate = this.estimates[kind];
    const follow = (was: number, now: number) => was + ESTIMATE_WEIGHT * (now - was);
    estimate.total = follow(estimate.total, cost.total);
    estimate.table = follow(estimate.table, cost.table);
    for (const name of new Set([...Object.keys(estimate.indexes), ...Object.keys(cost.indexes)])) {
      estimate.indexes[name] = follow(estimate.indexes[name] ?? 0, cost.indexes[name] ?? 0);
    }
  }
}

/** The part of a charge a bucket draws: all of it ('read', 'write'), the table's, or one GSI's. */
function part(key: string, charge: Charge): number {
  if (key === 'read' || key === 'write') return charge.total;
  if (key === 'write:table') return charge.table;
  return charge.indexes[key.slice('write:index:'.length)] ?? 0;
}
