import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Pace, Plan, SegmentProgress } from '../workflow/contract';
import { ProvisionedCapacityFollower } from './budget-refresh';
import { segmentBudget } from './capacity-budget';
import { CapacityGate } from './capacity-gate';
import { CapacityPacer } from './capacity-pacer';
import { CallEffort, countAttemptsOn } from './call-effort';

/**
 * One batch's share of the run's capacity budget: the pacer (with the back-off the segment's previous
 * call handed over), the gate its DynamoDB calls go through, the effort that counts their retries and
 * throttles, and, for a percentage budget, the follower of the table's provisioned capacity.
 * Migration and verification batches pace the same way.
 */
export class SegmentCapacity {
  readonly effort = new CallEffort();
  readonly pacer: CapacityPacer;
  readonly gate: CapacityGate;
  private readonly follower: ProvisionedCapacityFollower;

  constructor(plan: Plan, previous: SegmentProgress, client: DynamoDBClient, deadlines: { softDeadline: number; signal: AbortSignal }) {
    this.pacer = new CapacityPacer(segmentBudget(plan.budget ?? {}, plan), {
      ...(previous.pace && { pace: previous.pace }),
      onThrottle: () => this.follower.throttled(),
    });
    this.follower = new ProvisionedCapacityFollower(plan, client, this.pacer, deadlines.signal);
    this.gate = new CapacityGate(this.pacer, this.effort, deadlines.softDeadline);
    countAttemptsOn(client);
    this.follower.start();
  }

  /** The back-off to hand to the segment's next call: none when the segment is finished (the gathered Map output stays small). */
  paceFor(cursor: string | undefined): { pace?: Pace } {
    const pace = this.pacer.pace();
    return cursor !== undefined && Object.keys(pace).length > 0 ? { pace } : {};
  }

  stop(): void {
    this.follower.stop();
  }
}
