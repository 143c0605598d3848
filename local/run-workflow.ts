import './polyfills';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { StateMachine } from 'aws-local-stepfunctions';
import { taskStates } from '../asl/graph';
import type { StateMachineDefinition } from '../asl/types';
import type { Plan, PrepareResult, SegmentProgress, StepEvent, Summary } from '../workflow/contract';
import { migrationWorkflow } from '../workflow/definition';
import type { Checkpoint } from './checkpoint';
import type { LambdaHandler } from './lambda-loader';
import { createBackupOrCopy, describeBackupOrCopy } from './table-backup';

/** The ARNs the local definition is built with; nothing is ever called at them. */
const LOCAL_ACCOUNT = { region: 'us-east-1', account: '000000000000' } as const;
const localFunctionArn = `arn:aws:lambda:${LOCAL_ACCOUNT.region}:${LOCAL_ACCOUNT.account}:function:ddb-migrate-local`;

/** The very definition the stack deploys, with local names in place of the Terraform references. */
export function localDefinition(table: string, batchTimeoutSeconds = 900): StateMachineDefinition {
  const stateMachineArn = `arn:aws:states:${LOCAL_ACCOUNT.region}:${LOCAL_ACCOUNT.account}:stateMachine:ddb-migrate-local`;
  return migrationWorkflow({
    tableName: table,
    tableArn: `arn:aws:dynamodb:${LOCAL_ACCOUNT.region}:${LOCAL_ACCOUNT.account}:table/${table}`,
    functionArn: localFunctionArn,
    children: { stateMachineArn, executionsArn: `${stateMachineArn.replace(':stateMachine:', ':execution:')}/*` },
    batchTimeoutSeconds,
  }).definition;
}

/**
 * The time budget of one local MigrateBatch call (the deployed Lambda gets up to 900 s): long enough
 * that calls do real work on a busy laptop, short enough that a checkpoint is written every few seconds.
 */
export const DEFAULT_BATCH_BUDGET_MS = 15_000;

/** A local stand-in for one Task state's resource. */
export type TaskHandler = (input: never) => Promise<unknown>;

/** A Task state that has no local handler: running it would call real AWS. */
export class MissingLocalHandlerError extends Error {
  constructor(states: { name: string; resource: string }[]) {
    super(
      `Refusing to run: ${states.map((s) => `Task state '${s.name}' (${s.resource})`).join(', ')} has no local handler, ` +
        'and aws-local-stepfunctions would call the real AWS service for it. Add a local handler for that resource.',
    );
    this.name = 'MissingLocalHandlerError';
  }
}

/** Everything a local run needs. */
export interface LocalRunOptions {
  definition: StateMachineDefinition;
  lambda: LambdaHandler;
  client: DynamoDBClient;
  input: unknown;
  executionName: string;
  /** The time budget each MigrateBatch invocation gets (the Lambda's remaining time). */
  batchBudgetMs?: number;
  checkpoint?: Checkpoint;
  onPlan?: (plan: Plan) => void;
  onProgress?: (progress: SegmentProgress) => void;
  /** The function ARN the definition's Lambda tasks name, when it was not built by `localDefinition`. */
  functionArn?: string;
  /** Replaces the local stand-in of a Task state (tests use it to break the backup). */
  taskOverrides?: Record<string, TaskHandler>;
}

/** How a local run ended, in the shape of the execution output plus what the runner saw. */
export interface LocalRunResult {
  status: 'SUCCEEDED' | 'FAILED';
  summary?: Summary;
  error?: string;
  cause?: string;
  plan?: Plan;
  segments: SegmentProgress[];
  /** Event counts from the interpreter's log: state transitions, Lambda calls. */
  counts: { stateTransitions: number; lambdaInvocations: number; mapIterations: number };
}

/**
 * Runs the workflow definition with aws-local-stepfunctions. Lambda tasks call the given handler
 * in-process; backup tasks use CreateBackup where the endpoint has it and otherwise copy the table.
 * Waits and retry pauses are shortened; everything else runs as the definition says.
 */
export async function runWorkflowLocally(options: LocalRunOptions): Promise<LocalRunResult> {
  const { definition, lambda, client, checkpoint } = options;
  const budgetMs = options.batchBudgetMs ?? DEFAULT_BATCH_BUDGET_MS;
  const functionArn = options.functionArn ?? localFunctionArn;
  const segments = new Map<number, SegmentProgress>(
    Object.values(checkpoint?.data.segments ?? {}).map((p) => [p.segment, p]),
  );
  let plan: Plan | undefined;

  // Once the execution has failed, no new Lambda call starts (the interpreter may still start queued
  // Map iterations), and the result is only returned after the calls in flight have finished.
  let ended = false;
  const inFlight = new Set<Promise<unknown>>();
  const invoke = (event: StepEvent) => {
    if (ended) return Promise.reject(new Error('The execution has already failed; this call was not made.'));
    const deadline = Date.now() + budgetMs;
    const call = lambda(event, { getRemainingTimeInMillis: () => deadline - Date.now() });
    inFlight.add(call);
    void call.catch(() => undefined).finally(() => inFlight.delete(call));
    return call;
  };

  const lambdaTask = async (event: StepEvent): Promise<unknown> => {
    if (event.step === 'prepare') {
      const result = (await invoke(event)) as PrepareResult;
      plan = result.plan;
      options.onPlan?.(plan);
      return result;
    }
    if (event.step !== 'migrateBatch') return invoke(event);
    let progress = event.progress;
    const saved = checkpoint?.segment(event.segment);
    // The first call of a segment in a resumed run continues from the checkpoint instead of the start.
    if (saved && progress.invocations === undefined) {
      if (!saved.cursor) return saved;
      progress = saved;
    }
    const result = (await invoke({ ...event, progress })) as SegmentProgress;
    segments.set(result.segment, result);
    checkpoint?.recordSegment(result);
    options.onProgress?.(result);
    return result;
  };

  const byResource: Record<string, TaskHandler> = {
    [functionArn]: lambdaTask as TaskHandler,
    'arn:aws:states:::aws-sdk:dynamodb:createBackup': (async (params: { TableName: string; BackupName: string }) => {
      if (checkpoint?.data.backup) return { BackupDetails: checkpoint.data.backup };
      const created = await createBackupOrCopy(client, params);
      if (created.BackupDetails.BackupStatus === 'AVAILABLE') checkpoint?.recordBackup(created.BackupDetails);
      return created;
    }) as TaskHandler,
    'arn:aws:states:::aws-sdk:dynamodb:describeBackup': (async (params: { BackupArn: string }) => {
      const described = await describeBackupOrCopy(client, params);
      // Only a backup that passed the gate is kept for a resume; a failed one must not be reused.
      if (described.BackupDescription.BackupDetails.BackupStatus === 'AVAILABLE') checkpoint?.recordBackup(described.BackupDescription.BackupDetails);
      return described;
    }) as TaskHandler,
  };

  const tasks = taskStates(definition);
  const handlers: Record<string, TaskHandler> = {};
  for (const task of tasks) {
    const handler = options.taskOverrides?.[task.name] ?? byResource[task.resource];
    if (handler) handlers[task.name] = handler;
  }
  const missing = tasks.filter((t) => !handlers[t.name]);
  if (missing.length > 0) throw new MissingLocalHandlerError(missing);

  const machine = new StateMachine(definition as never, { validationOptions: { checkArn: true, checkPaths: true } });
  const execution = machine.run(options.input as never, {
    overrides: {
      taskResourceLocalHandlers: handlers as never,
      waitTimeOverrides: Object.fromEntries(waitStates(definition).map((name) => [name, 20])),
      retryIntervalOverrides: Object.fromEntries(tasks.map((t) => [t.name, 10])),
    },
    context: {
      Execution: {
        Id: `arn:aws:states:${LOCAL_ACCOUNT.region}:${LOCAL_ACCOUNT.account}:execution:ddb-migrate-local:${options.executionName}`,
        Name: options.executionName,
        Input: options.input as never,
        StartTime: new Date().toISOString(),
      },
    },
  });

  const counts = { stateTransitions: 0, lambdaInvocations: 0, mapIterations: 0 };
  const lambdaStates = new Set(tasks.filter((t) => t.resource === functionArn).map((t) => t.name));
  const drained = (async () => {
    for await (const event of execution.eventLogs) {
      if (event.type === 'StateEntered') {
        counts.stateTransitions += 1;
        if (lambdaStates.has(event.state.name)) counts.lambdaInvocations += 1;
      } else if (event.type === 'MapIterationStarted') counts.mapIterations += 1;
    }
  })();

  const ordered = () => [...segments.values()].sort((a, b) => a.segment - b.segment);
  try {
    const summary = (await execution.result) as unknown as Summary;
    await drained;
    return { status: 'SUCCEEDED', summary, ...(plan && { plan }), segments: ordered(), counts };
  } catch (error) {
    ended = true;
    await Promise.allSettled([...inFlight]);
    await drained.catch(() => undefined);
    const { name, message } = rootCause(error);
    return { status: 'FAILED', error: name, cause: message, ...(plan && { plan }), segments: ordered(), counts };
  }
}

function waitStates(definition: Pick<StateMachineDefinition, 'States'>): string[] {
  return Object.entries(definition.States).flatMap(([name, s]) =>
    s.Type === 'Wait' ? [name] : s.Type === 'Map' ? waitStates(s.ItemProcessor) : [],
  );
}

/** The interpreter wraps a failure in ExecutionError; report the error that made it fail. */
function rootCause(error: unknown): { name: string; message: string } {
  let current = error as { name?: string; message?: string; cause?: unknown };
  while (current?.name === 'ExecutionError' && current.cause && typeof current.cause === 'object') {
    current = current.cause as typeof current;
  }
  const failState = /^Execution has failed with the following error: (.*)$/s.exec(current?.message ?? '');
  return { name: current?.name ?? 'Error', message: failState ? failState[1]! : (current?.message ?? String(error)) };
}

