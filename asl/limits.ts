/**
 * Step Functions quotas that decide whether a deployed execution finishes. The local interpreter
 * enforces none of them, so the local runner does (local/aws-limits.ts).
 */
export const StepFunctionsLimits = {
  /**
   * Largest input or output of a state, task result or gathered Map result: 256 KiB of UTF-8 JSON.
   * Passing it fails the execution with States.DataLimitExceeded, which no Retry or Catch on
   * States.ALL catches. https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html
   */
  payloadBytes: 262_144,
  /**
   * Events in one execution's history (a DISTRIBUTED Map child is its own execution with its own
   * history); the event that would pass it fails the execution. Same page.
   */
  historyEvents: 25_000,
} as const;

/** How close a run came to Step Functions' limits: the largest over every state and every execution. */
export interface AwsFit {
  largestPayloadBytes: number;
  payloadLimitBytes: number;
  mostHistoryEvents: number;
  historyEventLimit: number;
}

/** The size of a value as Step Functions counts a payload: its UTF-8 JSON bytes. */
export const payloadBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
