import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Plan } from '../workflow/contract';
import { resolveCapacityBudget, segmentBudget } from './capacity-budget';
import type { CapacityPacer } from './capacity-pacer';
import { within } from './deadline';

/**
 * How often a running batch re-reads the table's provisioned capacity when its budget is a share of
 * it, and how often a throttle may prompt a read of its own. DynamoDB asks callers not to
 * poll its control plane at short intervals (it throttles it at 2,500 requests per second,
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-control-plane.html): even at
 * 1,000 segments this stays at 100 DescribeTable calls a second while they are throttled, 17 otherwise.
 */
export const BUDGET_REFRESH_MS = { periodic: 60_000, onThrottle: 10_000 } as const;

/**
 * Keeps a percentage budget (writeCapacityPercent, readCapacityPercent) a share of the capacity the
 * table has now, not of what it had when the run started: auto scaling and operators change it. It
 * reads the table when the batch starts, every minute, and when a throttle hints that the capacity
 * went down; a failed read keeps the budget the pacer has.
 */
export class ProvisionedCapacityFollower {
  private timer?: NodeJS.Timeout;
  private lastThrottleReadAt = -Infinity;
  private reading?: Promise<void>;

  constructor(
    private readonly plan: Plan,
    private readonly client: DynamoDBClient,
    private readonly pacer: CapacityPacer,
    private readonly signal: AbortSignal,
  ) {}

  /** Whether the budget depends on the table's provisioned capacity at all. */
  get following(): boolean {
    return this.plan.writeCapacityPercent > 0 || this.plan.readCapacityPercent > 0;
  }

  /**
   * Reads the capacity now and then every minute, until `stop()`. The batch does not wait for the
   * first read: until it answers, the budget is the one the segment had (a throttle cuts it meanwhile).
   */
  start(): void {
    if (!this.following) return;
    void this.read();
    this.timer = setInterval(() => void this.read(), BUDGET_REFRESH_MS.periodic);
    this.timer.unref();
  }

  /** A call was throttled: the table may have less capacity than the budget assumes. */
  throttled(): void {
    if (!this.following || this.reading || Date.now() - this.lastThrottleReadAt < BUDGET_REFRESH_MS.onThrottle) return;
    this.lastThrottleReadAt = Date.now();
    void this.read();
  }

  /** Stops reading. */
  stop(): void {
    clearInterval(this.timer);
  }

  private read(): Promise<void> {
    this.reading ??= (async () => {
      try {
        // Not counted with the item calls' effort: not item work.
        const described = await within(this.signal, (abortSignal) => this.client.send(new DescribeTableCommand({ TableName: this.plan.table }), { abortSignal }));
        if (described.Table) this.pacer.setBudget(segmentBudget(resolveCapacityBudget(this.plan, described.Table), this.plan));
      } catch {
        // Throttled, interrupted, or the table turned on-demand meanwhile: the budget in force stays.
      } finally {
        this.reading = undefined;
      }
    })();
    return this.reading;
  }
}
