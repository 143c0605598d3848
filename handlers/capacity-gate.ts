import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import { chargeOf } from './consumed-capacity';
import { InterruptedError, NotSentError, within } from './deadline';
import { sideOf, type CallKind, type CapacityPacer, type Side } from './capacity-pacer';
import type { CallEffort, Track } from './call-effort';
import { isThrottlingError } from './sdk-errors';

/**
 * The door every DynamoDB data call of a batch goes through: it waits for the segment's capacity
 * budget (capacity-pacer.ts), sends the call within the batch's time, charges what the response says
 * it consumed, and counts the call's attempts so the pacer hears of every throttled one as it happens
 * (handlers/call-effort.ts). A call that is
 * still throttled when the SDK's attempts are used up is not a failure: it waits for the budget and
 * is sent again, for as long as the batch has time (then it is interrupted, and the next call of the
 * segment does it), so throttling slows a migration down but never fails an item.
 */
export class CapacityGate {
  private readonly scopes: Record<Side, CallEffort>;
  /**
   * No call is let out (waiting for budget) past this time, epoch ms: the batch's soft deadline
   * while items are worked, moved by the batch to its settle deadline for the final re-reads.
   */
  notAfter: number;

  constructor(
    private readonly pacer: CapacityPacer,
    effort: CallEffort,
    notAfter: number,
  ) {
    this.notAfter = notAfter;
    this.scopes = { read: effort.within(() => pacer.throttled('read')), write: effort.within(() => pacer.throttled('write')) };
  }

  /**
   * Sends `request` (which must ask for ConsumedCapacity to be charged exactly) once the budget lets
   * it out. Rejects with NotSentError when it never went out, InterruptedError when the batch's time
   * ran out after it did, or the call's own error when that is not throttling.
   */
  async send<T extends { ConsumedCapacity?: ConsumedCapacity }>(
    kind: CallKind,
    signal: AbortSignal,
    request: (abortSignal: AbortSignal, track: Track) => Promise<T>,
  ): Promise<T> {
    const scope = this.scopes[sideOf(kind)];
    const track: Track = (command) => scope.track(command);
    for (let sent = false; ; sent = true) {
      let ticket;
      try {
        ticket = await this.pacer.admit(kind, { signal, notAfter: this.notAfter });
      } catch (error) {
        // A throttled attempt did not apply, but an earlier attempt of the same call may have (a timeout).
        if (sent && error instanceof NotSentError) throw new InterruptedError();
        throw error;
      }
      try {
        const response = await within(signal, (abortSignal) => request(abortSignal, track));
        this.pacer.settle(ticket, chargeOf(response.ConsumedCapacity) ?? 'unknown');
        return response;
      } catch (error) {
        // The pacer heard of every throttled attempt as it happened (this.scopes).
        if (isThrottlingError(error) && !signal.aborted) {
          this.pacer.settle(ticket, 'throttled');
          continue;
        }
        this.pacer.settle(ticket, 'unknown');
        throw error;
      }
    }
  }
}
