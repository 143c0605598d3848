/**
 * AWS's limits, enforced on local runs the way Step Functions enforces them on deployed ones, and the
 * measure of how close a run came (`awsFit`), so a run that would die on AWS dies here first.
 */
import { payloadBytes, StepFunctionsLimits, type AwsFit } from '../asl/limits';

export type { AwsFit };

/**
 * An error that ends an execution at once: the interpreter honours `isRetryable`/`isCatchable`, and
 * Step Functions lets no Retry or Catch (not even States.ALL) handle these.
 */
export class TerminalStatesError extends Error {
  readonly isRetryable = false;
  readonly isCatchable = false;

  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** Limits a local run enforces; tests may lower them to reach them quickly. */
export type Limits = { payloadBytes: number; historyEvents: number };

/** Measures every payload and every execution's history of one run against the limits. */
export class LimitMeter {
  private largestPayload = 0;
  private mostHistory = 0;

  constructor(readonly limits: Limits = StepFunctionsLimits) {}

  /** Measures one payload; throws States.DataLimitExceeded (terminal) when it is over the limit. */
  payload(what: string, value: unknown): void {
    const bytes = payloadBytes(value);
    this.largestPayload = Math.max(this.largestPayload, bytes);
    if (bytes > this.limits.payloadBytes) {
      throw new TerminalStatesError(
        'States.DataLimitExceeded',
        `The ${what} is ${bytes} bytes, over Step Functions' limit of ${this.limits.payloadBytes} bytes. On AWS this execution fails here, and a redrive would fail the same way.`,
      );
    }
  }

  /** A counter for one execution's history; `add` throws (terminal) once it passes the limit. */
  history(execution: string): { add(events: number): void; readonly events: number } {
    let events = 0;
    return {
      add: (n) => {
        events += n;
        this.mostHistory = Math.max(this.mostHistory, events);
        if (events > this.limits.historyEvents) {
          throw new TerminalStatesError(
            'States.Runtime',
            `Execution ${execution} would pass ${this.limits.historyEvents} history events (a Step Functions quota); on AWS it fails here.`,
          );
        }
      },
      get events() {
        return events;
      },
    };
  }

  /** How close the run came. */
  fit(): AwsFit {
    return {
      largestPayloadBytes: this.largestPayload,
      payloadLimitBytes: this.limits.payloadBytes,
      mostHistoryEvents: this.mostHistory,
      historyEventLimit: this.limits.historyEvents,
    };
  }
}
