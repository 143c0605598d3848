/**
 * The step protocol: what each Lambda step is invoked with and returns. The Lambda is one function
 * whose event's `step` says which runs; the schemas check every event at the handler's door.
 */
import { z } from 'zod';
import { backupSchema, passReportSchema, planSchema, segmentProgressSchema, type Backup, type PassReport, type Plan, type SegmentProgress, type Summary, type Verification } from './contract';

/** Every step's event. */
export const stepEventSchema = z.discriminatedUnion('step', [
  z.strictObject({
    step: z.literal('prepare'),
    input: z.unknown(),
    executionName: z.string().min(1),
    /** This execution and its state machine, so Prepare can see other runs of the same stack. */
    executionArn: z.string().min(1),
    stateMachineArn: z.string().min(1),
  }),
  z.strictObject({ step: z.literal('migrateBatch'), plan: planSchema, segment: z.number().int().min(0), progress: segmentProgressSchema }),
  z.strictObject({
    step: z.literal('summarize'),
    plan: planSchema,
    backup: backupSchema,
    segments: z.array(z.number().int().min(0)),
    /** The pass's gathered segment results. */
    results: z.array(segmentProgressSchema),
    /** The passes before this one. */
    passes: z.array(passReportSchema),
  }),
]);
export type StepEvent = z.infer<typeof stepEventSchema>;

/** The names of the steps. */
export type StepName = StepEvent['step'];

/** The event of step `S`. */
export type EventOf<S extends StepName> = Extract<StepEvent, { step: S }>;

/** What each step returns. */
export interface StepResults {
  prepare: { plan: Plan; segments: number[]; passes: PassReport[] };
  migrateBatch: SegmentProgress;
  /**
   * After a pass: the state for the next one (`next` says which), or the run's end (`next` 'done'):
   * the output, and how the execution ends.
   */
  summarize: {
    plan: Plan;
    backup: Backup;
    segments: number[];
    passes: PassReport[];
    next: 'pass' | 'done';
    output?: Summary | Verification;
    outcome?: 'succeeded' | 'tooManyFailures' | 'notFullyMigrated';
    failureCause?: string;
  };
}

/** The result of step `S`. */
export type ResultOf<S extends StepName> = StepResults[S];

/** The part of the Lambda context the steps use. */
export interface InvocationContext {
  getRemainingTimeInMillis(): number;
  /** The Lambda request id; local runs have none. */
  awsRequestId?: string;
  /** Local runs only: aborts when the local Lambda service kills the invocation at its timeout (a dead process sends nothing more). */
  killed?: AbortSignal;
}

/** Runs every step: the Lambda handler, and what local runs and tests invoke. */
export type StepHandler = <S extends StepName>(event: EventOf<S>, context: InvocationContext) => Promise<ResultOf<S>>;
