/**
 * The time of one MigrateBatch call. A Lambda that outlives its timeout is killed mid-page, and the
 * work of that call is lost to the totals; so nothing here may outlive it: no item or page starts
 * after the soft deadline, every call still in flight is abandoned at the hard deadline (the SDK's
 * own backoff included), and what is left settles before the call returns.
 */
import { setMaxListeners } from 'node:events';

/** A call was abandoned because the batch's time was up; whether it reached DynamoDB is unknown. */
export class InterruptedError extends Error {
  constructor() {
    super('the batch ran out of time before this call finished');
    this.name = 'InterruptedError';
  }
}

/** The deadlines of one call, in epoch milliseconds. */
export interface BatchClock {
  /** No new item or page starts after this. */
  softDeadline: number;
  /** Aborts at the hard deadline: calls still in flight are abandoned. */
  signal: AbortSignal;
  /** Settling (re-reading items whose write was abandoned) must be done by this. */
  settleDeadline: number;
  /** Aborts when the invocation is killed (local runs): every deadline has passed at once. */
  killed: AbortSignal;
  /** Clears the timer once the call is done. */
  dispose(): void;
}

/** How often a clock re-reads the invocation's remaining time. */
const FOLLOW_INTERVAL_MS = 100;

/**
 * Deadlines for a call with `remainingMs()` left and `marginMs` kept for returning (at most 40% of
 * what is left, so a short time limit still leaves time to work): work until remaining - margin,
 * abandon calls at remaining - 0.6 margin, settle until remaining - 0.3 margin. The clock follows the
 * remaining time when it moves earlier: on Lambda it never does; a local run being stopped (Ctrl-C)
 * shortens it, and the batch then returns at once with exact progress, as it would at its timeout.
 */
export function batchClock(remainingMs: () => number, requestedMarginMs: number, killed: AbortSignal = noDeadline, now = Date.now()): BatchClock {
  const controller = new AbortController();
  // Every call in flight listens to it: a batch has many at once.
  setMaxListeners(0, controller.signal);
  let end = Infinity;
  let timer: NodeJS.Timeout | undefined;
  const clock: BatchClock = { softDeadline: 0, signal: controller.signal, settleDeadline: 0, killed, dispose: () => undefined };
  const setDeadlines = (left: number, at: number) => {
    end = at + left;
    const marginMs = Math.min(requestedMarginMs, 0.4 * left);
    clock.softDeadline = end - marginMs;
    clock.settleDeadline = end - 0.3 * marginMs;
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(), Math.max(0, left - 0.6 * marginMs));
  };
  setDeadlines(remainingMs(), now);
  const follower = setInterval(() => {
    const at = Date.now();
    const left = remainingMs();
    if (at + left < end - FOLLOW_INTERVAL_MS) setDeadlines(Math.max(0, left), at);
  }, FOLLOW_INTERVAL_MS);
  const kill = () => {
    setDeadlines(0, Date.now());
    controller.abort();
  };
  if (killed.aborted) kill();
  else killed.addEventListener('abort', kill, { once: true });
  clock.dispose = () => {
    clearTimeout(timer);
    clearInterval(follower);
    killed.removeEventListener('abort', kill);
  };
  return clock;
}

/** A signal that never aborts, for calls without a deadline (many wait on it at once). */
export const noDeadline: AbortSignal = new AbortController().signal;
setMaxListeners(0, noDeadline);

/** Resolves with `work`, or fails with InterruptedError as soon as `signal` aborts (not when `work` notices). */
export function within<T>(signal: AbortSignal, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  if (signal.aborted) return Promise.reject(new InterruptedError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new InterruptedError());
    signal.addEventListener('abort', onAbort, { once: true });
    work(signal).then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(signal.aborted ? new InterruptedError() : error);
      },
    );
  });
}

/**
 * A call that the batch's time or capacity budget did not let out: it was never sent, so (unlike an
 * interrupted call) it cannot have changed anything.
 */
export class NotSentError extends InterruptedError {
  constructor() {
    super();
    this.message = 'the batch ran out of time before this call could be sent within its capacity budget';
    this.name = 'NotSentError';
  }
}
