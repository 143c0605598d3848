/**
 * One local migration run, from a resolved request to its outcome: the embedded demo or a table at
 * any endpoint, a checkpoint to resume from, the same bundle the stack deploys, the real definition.
 * The CLI turns flags into a request, calls `runMigration` once and renders what it returns.
 */
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { defaultMigrationFile } from '../bundle/lambda-bundle';
import type { Plan, SegmentProgress, Summary } from '../workflow/contract';
import { builtInTuning, resolveInput } from '../workflow/input';
import { connectionConfig, dynamoDbClient, type Connection } from './connection';
import { DEMO_TABLE, seedDemoTable, verifyDemoTable, type DemoVerification } from './demo';
import { startEmbeddedDynamoDB } from './embedded-dynamodb';
import { buildBundle, loadLambda } from './lambda-loader';
import { localDefinition } from './local-deployment';
import { Checkpoint } from './resume';
import { DEFAULT_LAMBDA_TIMEOUT_MS, runWorkflowLocally, type LocalRunResult } from './runner';
import { resultSummary } from './run-summary';

/** A problem with what the user asked for; the message says what to do, and nothing was written. */
export class RunRequestError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RunRequestError';
  }
}

/** What to migrate: the embedded demo, or a table at an endpoint (or AWS). */
export type RunTarget =
  | { kind: 'demo'; items: number; migrationFile?: string }
  | { kind: 'table'; table: string; connection: Connection; migrationFile?: string };

/** A fully resolved local run. */
export interface RunRequest {
  target: RunTarget;
  /** The execution input (unset fields take the defaults). */
  input: Record<string, unknown>;
  /** Continue the unfinished run of this table from its checkpoint. */
  resume: boolean;
  /** The Lambda's timeout: the time limit of each MigrateBatch call. */
  lambdaTimeoutMs?: number;
}

/** What a run reports while it goes. */
export interface RunObserver {
  /** Before anything is scanned: the plan, and how many items to expect. */
  planned?(plan: Plan, expectedItems: number): void;
  progress?(segment: number, progress: SegmentProgress): void;
  /** One line of information (e.g. the demo being seeded). */
  note?(line: string): void;
}

/** How a run ended. */
export interface RunOutcome {
  result: LocalRunResult;
  /** The execution's output, or the same shape with status FAILED and the totals so far. */
  summary: Summary;
  /** The demo's check of every item (demo runs that migrated with the demo's migration). */
  verification?: DemoVerification;
  /** Where progress is saved when the run can be resumed. */
  resumeFrom?: string;
  seconds: number;
}

/** Where a local run's checkpoint lives: one file per endpoint and table, in the working directory. */
export function checkpointFile(table: string, connection: Connection): string {
  const where = createHash('sha256').update(connection.endpoint ?? `aws:${connection.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'default'}`).digest('hex').slice(0, 8);
  return join(process.cwd(), '.ddb-migrate', `${table.replace(/[^A-Za-z0-9_.-]/g, '_')}-${where}.checkpoint.json`);
}

/** Checks, before anything is bundled or written, that the endpoint answers and the table exists. */
async function checkTable(table: string, connection: Connection): Promise<void> {
  const probe = new DynamoDBClient(connectionConfig(connection, 2));
  try {
    await probe.send(new DescribeTableCommand({ TableName: table }));
  } catch (error) {
    const name = (error as Error).name;
    const code = (error as { code?: string }).code ?? '';
    const where = connection.endpoint ?? `AWS (${connection.region ?? process.env.AWS_REGION ?? 'the default region'})`;
    if (name === 'ResourceNotFoundException') {
      throw new RunRequestError(`Table '${table}' does not exist at ${where}. Check --table, --endpoint and --region; nothing was written.`);
    }
    if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT'].includes(code) || /ECONNREFUSED|ENOTFOUND|connect/i.test(String((error as Error).message))) {
      throw new RunRequestError(`Cannot reach DynamoDB at ${where} (${code || (error as Error).message}). Start it or fix --endpoint; nothing was written.`);
    }
    throw new RunRequestError(`Cannot describe table '${table}' at ${where}: ${name}: ${(error as Error).message}. Nothing was written.`);
  } finally {
    probe.destroy();
  }
}

/** Runs the deployable workflow locally as `request` says. */
export async function runMigration(request: RunRequest, observer: RunObserver = {}): Promise<RunOutcome> {
  const { target } = request;
  try {
    resolveInput(request.input, builtInTuning);
  } catch (error) {
    throw new RunRequestError((error as Error).message);
  }
  if (target.kind === 'demo' && request.resume) throw new RunRequestError('--resume needs --table: the embedded demo starts from fresh data every time.');

  const embedded = target.kind === 'demo' ? await startEmbeddedDynamoDB() : undefined;
  const connection: Connection = embedded ? { endpoint: embedded.endpoint } : target.kind === 'table' ? target.connection : {};
  const table = target.kind === 'table' ? target.table : DEMO_TABLE;
  const client = dynamoDbClient(connection);
  try {
    if (target.kind === 'demo') {
      observer.note?.(`Embedded DynamoDB at ${connection.endpoint}: seeding ${target.items} demo items into '${table}'...`);
      await seedDemoTable(client, target.items, table);
    } else {
      await checkTable(table, connection);
    }

    const file = target.kind === 'table' ? checkpointFile(table, connection) : undefined;
    const previous = file ? Checkpoint.load(file) : undefined;
    if (request.resume && !previous) throw new RunRequestError(`There is no unfinished run of '${table}' to resume (no ${file}). Run without --resume.`);
    if (!request.resume && previous) {
      throw new RunRequestError(
        `A previous run of '${previous.data.migrationId}' on '${table}' did not finish (${file}). Continue it with --resume, or delete that file to start over.`,
      );
    }
    // A resumed run keeps the input and the migration it started with: segments and cursors only
    // mean something for one TotalSegments, and finishing with another migration would mix two.
    const input = previous?.data.input ?? request.input;
    const migrationFile = resolve(previous?.data.migrationFile ?? target.migrationFile ?? defaultMigrationFile);
    if (previous && target.migrationFile && resolve(target.migrationFile) !== migrationFile) {
      throw new RunRequestError(`The unfinished run of '${table}' was started with ${migrationFile}; resume it with that migration (or leave --migration out).`);
    }
    const lambda = loadLambda(buildBundle(migrationFile), table, connection, builtInTuning);
    if (previous && previous.data.migrationId !== lambda.migrationId) {
      throw new RunRequestError(
        `The unfinished run of '${table}' was migration '${previous.data.migrationId}', but ${migrationFile} is now '${lambda.migrationId}'. Restore that file, or delete ${file} to start over.`,
      );
    }
    const executionName = previous?.data.executionName ?? `local-${new Date().toISOString().replace(/[^0-9]/g, '').slice(0, 14)}`;
    const checkpoint = file
      ? (previous ?? Checkpoint.start(file, { table, migrationId: lambda.migrationId, migrationFile, input, executionName, record: { historyEvents: 0, mapRuns: {} } }))
      : undefined;

    const started = Date.now();
    const result = await runWorkflowLocally({
      definition: localDefinition(table),
      lambda,
      client,
      input,
      executionName,
      lambdaTimeoutMs: request.lambdaTimeoutMs ?? DEFAULT_LAMBDA_TIMEOUT_MS,
      ...(previous && { record: previous.data.record }),
      ...(checkpoint && { onRecordChange: (record) => checkpoint.save(record) }),
      onPlan: (plan) => observer.planned?.(plan, target.kind === 'demo' ? target.items : plan.itemEstimate),
      onProgress: (segment, progress) => observer.progress?.(segment, progress),
    });
    const seconds = (Date.now() - started) / 1000;
    const summary = resultSummary(result, table);

    let verification: DemoVerification | undefined;
    if (target.kind === 'demo' && result.status === 'SUCCEEDED' && !summary.dryRun && target.migrationFile === undefined) {
      verification = await verifyDemoTable(client, target.items, table);
    }
    // Nothing left to resume when it succeeded, never got going, or failed only on its tolerance.
    const resumable = result.status === 'FAILED' && checkpoint !== undefined && checkpoint.hasProgress && result.error !== 'ToleratedFailuresExceeded';
    if (checkpoint && !resumable) checkpoint.clear();
    return { result, summary, ...(verification && { verification }), ...(resumable && file && { resumeFrom: file }), seconds };
  } finally {
    client.destroy();
    await embedded?.close();
  }
}
