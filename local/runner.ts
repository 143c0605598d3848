/**
 * Runs the migration workflow's definition locally: the Lambda steps run the bundle in-process
 * through the local Lambda service, the backup steps use CreateBackup where the endpoint has it and
 * otherwise a real copy of the table, and the execution runs under AWS's limits (local/execution.ts).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { taskStates } from '../asl/graph';
import type { Json, StateMachineDefinition } from '../asl/types';
import { backupSchema, planSchema, segmentProgressSchema, type Backup, type Plan, type SegmentProgress, type Summary, type Verification } from '../workflow/contract';
import { stepEventSchema, type ResultOf } from '../workflow/steps';
import { LimitMeter, type AwsFit, type Limits } from './aws-limits';
import { createBackupOrCopy, describeBackupOrCopy } from './backup-stand-in';
import { freshRecord, MissingLocalHandlerError, runExecution, type ExecutionOutcome, type ExecutionRecord, type RunEnvironment, type TaskHandler } from './execution';
import { LocalLambdaService, type LambdaFaults, type LocalLambda } from './lambda-service';
import { LOCAL_FUNCTION_ARN, LOCAL_STATE_MACHINE } from './local-deployment';
import { runDistributedMap } from './map-run';
import { localStepFunctionsApi, registerRunning } from './step-functions-api';

/**
 * The time limit of one local Lambda invocation, and so of a MigrateBatch call (the deployed Lambda
 * gets up to 900 s): long enough that calls do real work on a busy laptop, short enough that a
 * checkpoint is written every few seconds.
 */
export const DEFAULT_LAMBDA_TIMEOUT_MS = 15_000;

/** What a running batch gets to finish its writes in flight and return when the run is stopped. */
export const STOP_GRACE_MS = 1_000;

/** Everything a local run needs. */
export interface LocalRunOptions {
  definition: StateMachineDefinition;
  /** The resource of the Task states that invoke the Lambda (the local definition's, unless given). */
  functionArn?: string;
  lambda: LocalLambda;
  /** The client for the runner's own calls (the backup stand-in). */
  client: DynamoDBClient;
  input: unknown;
  executionName: string;
  /** The Lambda's timeout: each invocation's time limit, after which it is killed. */
  lambdaTimeoutMs?: number;
  /** Lambda service faults to inject. */
  faults?: LambdaFaults;
  /** A record left by an earlier run of this execution: the run is then a redrive of it. */
  record?: ExecutionRecord;
  /** Called whenever the execution record changed (a checkpoint saves it). */
  onRecordChange?: (record: ExecutionRecord) => void;
  onPlan?: (plan: Plan) => void;
  onProgress?: (segment: number, progress: SegmentProgress) => void;
  /** Replaces the local stand-in of a Task state, by state name (tests use it to break the backup). */
  taskOverrides?: Record<string, TaskHandler>;
  /** AWS's limits, lowered by tests that need to reach them quickly. */
  limits?: Limits;
  /**
   * Stops the run gracefully when aborted: running batches return at once with exact progress, no
   * new task starts, and the result is FAILED with `ExecutionStopped` and a record to redrive.
   */
  stop?: AbortSignal;
}

/** How a local run ended, in the shape of the execution output plus what the runner saw. */
export interface LocalRunResult {
  status: 'SUCCEEDED' | 'FAILED';
  /** The output of a migration run that succeeded. */
  summary?: Summary;
  /** The output of a verification run (mode "verify") that succeeded. */
  verification?: Verification;
  error?: string;
  cause?: string;
  plan?: Plan;
  /** The backup the run took, once it has one. */
  backup?: Backup;
  /** Each segment's latest progress, in segment order (segments that never ran are absent). */
  segments: SegmentProgress[];
  counts: { stateTransitions: number; lambdaInvocations: number; mapIterations: number; lambdaTimeouts: number };
  /** How close the run came to AWS's limits. */
  awsFit: AwsFit;
  /** Where the execution stands: a redrive (`redrive()`, or `record` in a later run) continues from it. */
  record: ExecutionRecord;
  /** Redrives a failed run from the state that failed, as `aws stepfunctions redrive-execution` does. */
  redrive(): Promise<LocalRunResult>;
}

/** The segment progress a record holds: children's outputs, or the progress they were last given. */
export function progressInRecord(record: ExecutionRecord): Map<number, SegmentProgress> {
  const found = new Map<number, SegmentProgress>();
  for (const children of Object.values(record.mapRuns)) {
    children.forEach((child, segment) => {
      const candidate = child.status === 'SUCCEEDED' ? child.output : (child.record.at?.input as { progress?: unknown } | undefined)?.progress;
      const parsed = segmentProgressSchema.safeParse(candidate);
      if (parsed.success && parsed.data.calls > 0) found.set(segment, parsed.data);
    });
  }
  return found;
}

/** The execution's output, as the summary of a migration or the verification of a verify run. */
function outputOf(output: Json): { summary: Summary } | { verification: Verification } {
  const value = output as unknown as Summary | Verification;
  return 'migrationId' in value ? { summary: value } : { verification: value };
}

/** Runs (or redrives) the workflow's execution locally. */
export async function runWorkflowLocally(options: LocalRunOptions): Promise<LocalRunResult> {
  const { client } = options;
  // The bundled Lambda's Step Functions client (Prepare's look at other runs) talks to this process's local API.
  process.env.AWS_ENDPOINT_URL_SFN ??= (await localStepFunctionsApi()).endpoint;
  const service = new LocalLambdaService(options.lambda, {
    timeoutMs: options.lambdaTimeoutMs ?? DEFAULT_LAMBDA_TIMEOUT_MS,
    ...(options.faults && { faults: options.faults }),
  });
  const record = options.record ?? freshRecord();
  const segments = progressInRecord(record);
  const meter = new LimitMeter(options.limits);
  // A redrive does not run Prepare again: the plan is in the input of the state it starts from.
  const recorded = planSchema.safeParse((record.at?.input as { plan?: unknown } | undefined)?.plan);
  let plan: Plan | undefined = recorded.success ? recorded.data : undefined;

  const lambdaTask: TaskHandler = async (payload) => {
    const result = await service.invoke(payload);
    const event = stepEventSchema.safeParse(payload);
    if (event.success && event.data.step === 'prepare') {
      plan = (result as ResultOf<'prepare'>).plan;
      options.onPlan?.(plan);
    } else if (event.success && event.data.step === 'migrateBatch') {
      const progress = result as ResultOf<'migrateBatch'>;
      segments.set(event.data.segment, progress);
      options.onProgress?.(event.data.segment, progress);
    }
    return result;
  };
  const byResource: Record<string, TaskHandler> = {
    [options.functionArn ?? LOCAL_FUNCTION_ARN]: lambdaTask,
    'arn:aws:states:::aws-sdk:dynamodb:createBackup': (params) => createBackupOrCopy(client, params as { TableName: string; BackupName: string }),
    'arn:aws:states:::aws-sdk:dynamodb:describeBackup': (params) => describeBackupOrCopy(client, params as { BackupArn: string }),
  };

  // Refuse before anything runs, child executions' tasks included: the interpreter would call real AWS.
  const missing = taskStates(options.definition).filter((task) => !options.taskOverrides?.[task.name] && !byResource[task.resource]);
  if (missing.length > 0) throw new MissingLocalHandlerError(missing);

  const env: RunEnvironment = {
    taskHandler: (task) => options.taskOverrides?.[task.name] ?? byResource[task.resource],
    mapRun: (props) => runDistributedMap(props, env),
    meter,
    waitMs: 1,
    retryMs: 10,
    callTimeoutMs: options.lambdaTimeoutMs ?? DEFAULT_LAMBDA_TIMEOUT_MS,
    onRecordChange: () => options.onRecordChange?.(record),
    counts: { stateTransitions: 0, childExecutions: 0, inlineMapIterations: 0 },
    ...(options.stop && { stop: options.stop }),
  };
  options.stop?.addEventListener('abort', () => service.shortenRunning(STOP_GRACE_MS), { once: true });

  const run = async (): Promise<LocalRunResult> => {
    const stateMachineArn = LOCAL_STATE_MACHINE.stateMachineArn;
    const arn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${options.executionName}`;
    const unregister = registerRunning({ arn, name: options.executionName, stateMachineArn, input: options.input, startDate: new Date() });
    let outcome: ExecutionOutcome;
    try {
      outcome = await runExecution({ name: options.executionName, arn, stateMachineArn, definition: options.definition, input: options.input as Json, record, env });
    } finally {
      unregister();
      // Calls still running (an aborted child's Lambda goes on, as on AWS) finish before the result, so the table is final.
      await service.settled();
    }
    const backup = backupSchema.safeParse((record.at?.input as { backup?: unknown } | undefined)?.backup);
    const result: LocalRunResult = {
      status: outcome.status === 'SUCCEEDED' ? 'SUCCEEDED' : 'FAILED',
      ...(outcome.status === 'SUCCEEDED' && outputOf(outcome.output)),
      ...(outcome.status === 'FAILED' && { error: outcome.error, cause: outcome.cause }),
      ...(outcome.status === 'ABORTED' && { error: 'ExecutionAborted', cause: 'The execution was stopped.' }),
      ...(plan && { plan }),
      ...(backup.success && { backup: backup.data }),
      segments: [...segments.entries()].sort(([a], [b]) => a - b).map(([, p]) => p),
      counts: {
        stateTransitions: env.counts.stateTransitions,
        lambdaInvocations: service.invocations,
        mapIterations: env.counts.childExecutions,
        lambdaTimeouts: service.timeouts,
      },
      awsFit: meter.fit(),
      record,
      redrive: run,
    };
    return result;
  };
  return run();
}
