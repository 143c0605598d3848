/**
 * One local migration run, from a resolved request to its outcome: the embedded demo or a table at
 * every endpoint, a checkpoint to resume from, the same bundle the stack deploys, the real definition.
 * The CLI turns flags into a request, calls `runMigration` once and renders what it returns.
 */
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { defaultMigrationFile } from '../bundle/lambda-bundle';
import type { Plan, SegmentProgress, Summary, Verification } from '../workflow/contract';
import { builtInTuning, resolveInput } from '../workflow/input';
import { conditionStyleOf } from './condition-style';
import { connectionConfig, dynamoDbClient, localConnection, MissingRegionError, resolveConnection, type Connection } from './connection';
import { DEMO_TABLE, seedDemoTable, verifyDemoTable, type DemoVerification } from './demo';
import { startEmbeddedDynamoDB } from './embedded-dynamodb';
import { ExecutionStoppedError } from './execution';
import { buildBundle, loadLambda } from './lambda-loader';
import { LiveProgress, type LiveSnapshot } from './live-progress';
import { localDefinition } from './local-deployment';
import { Checkpoint } from './resume';
import { RunLock, RunLockedError } from './run-lock';
import { retuneRecord, retuningFor } from './retune';
import { DEFAULT_LAMBDA_TIMEOUT_MS, progressInRecord, runWorkflowLocally, type LocalRunResult } from './runner';
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
  /** The execution input (unset fields take the defaults; on a resume, only the ones to change). */
  input: Record<string, unknown>;
  /** Continue the unfinished run of this table from its checkpoint. */
  resume: boolean;
  /** The Lambda's timeout: the time limit of each MigrateBatch call. */
  lambdaTimeoutMs?: number;
  /** Aborting it stops the run gracefully: batches return with exact progress, the checkpoint is kept. */
  stop?: AbortSignal;
}

/** What the run is, once it knows: for the header of its output. */
export interface RunDescription {
  table: string;
  /** The endpoint, or `AWS (<region>)`. */
  where: string;
  migrationFile: string;
  migrationId: string;
  dryRun: boolean;
  /** A verification run (mode "verify"): reads only. */
  verifying: boolean;
  resumed: boolean;
  /** Settings a resume changed, in words. */
  retuned: string[];
}

/** What a run reports while it goes. */
export interface RunObserver {
  /** As soon as the connection is settled: the stand-ins it had to assume (credentials, region), in words. */
  assuming?(assumed: string[]): void;
  /** Before the workflow starts: what runs where. */
  starting?(run: RunDescription): void;
  /** Before anything is scanned: the plan, and how many items to expect (0: unknown). */
  planned?(plan: Plan, expectedItems: number): void;
  /** A batch returned: a segment's exact progress. */
  progress?(segment: number, progress: SegmentProgress): void;
  /** About twice a second while the workflow runs: the figures so far. */
  live?(snapshot: LiveSnapshot): void;
  /** One line of information (e.g. the demo being seeded). */
  note?(line: string): void;
}

/** How a run ended. */
export interface RunOutcome {
  result: LocalRunResult;
  /** The execution's output, or the same shape with status FAILED and the totals so far (a verification run: its plan's zeros). */
  summary: Summary;
  /** A verification run's output (mode "verify"), when it finished. */
  verified?: Verification;
  /** The demo's check of every item (demo runs that migrated with the demo's migration). */
  verification?: DemoVerification;
  /** Where progress is saved when the run can be resumed. */
  resumeFrom?: string;
  /** The run was stopped on request (Ctrl-C). */
  stopped: boolean;
  seconds: number;
}

/** How often the observer gets live figures. */
const LIVE_INTERVAL_MS = 500;

/** Where a local run keeps its files for a table: one name per endpoint and table, in the working directory. */
function runFileBase(table: string, connection: Connection): string {
  const where = createHash('sha256').update(connection.endpoint ?? `aws:${connection.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'default'}`).digest('hex').slice(0, 8);
  return join(process.cwd(), '.ddb-migrate', `${table.replace(/[^A-Za-z0-9_.-]/g, '_')}-${where}`);
}

/** Where a local run's checkpoint lives. */
export const checkpointFile = (table: string, connection: Connection): string => `${runFileBase(table, connection)}.checkpoint.json`;

/** The lock a writing run holds while it runs, next to the checkpoint (local/run-lock.ts). */
export const lockFile = (table: string, connection: Connection): string => `${runFileBase(table, connection)}.lock`;

const whereOf = (connection: Connection): string => connection.endpoint ?? `AWS (${connection.region ?? 'the default region'})`;

/** Checks, before anything is bundled or written, that the endpoint answers and the table exists. */
async function checkTable(table: string, connection: Connection): Promise<void> {
  const probe = new DynamoDBClient(connectionConfig(connection, 2));
  try {
    await probe.send(new DescribeTableCommand({ TableName: table }));
  } catch (error) {
    const name = (error as Error).name;
    const code = (error as { code?: string }).code ?? '';
    const where = whereOf(connection);
    if (name === 'ResourceNotFoundException') {
      const namespaces = connection.endpoint
        ? ` DynamoDB Local keeps tables per access key id and region: this run used region ${connection.region} and ${connection.credentials ? `access key id '${connection.credentials.accessKeyId}'` : 'your AWS credentials'}.`
        : '';
      throw new RunRequestError(`Table '${table}' does not exist at ${where}.${namespaces} Check --table, --endpoint and --region; nothing was written.`);
    }
    if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT'].includes(code) || /ECONNREFUSED|ENOTFOUND|connect/i.test(String((error as Error).message))) {
      throw new RunRequestError(`Cannot reach DynamoDB at ${where} (${code || (error as Error).message}). Start it or fix --endpoint; nothing was written.`);
    }
    throw new RunRequestError(`Cannot describe table '${table}' at ${where}: ${name}: ${(error as Error).message}. Nothing was written.`);
  } finally {
    probe.destroy();
  }
}

/** The connection for a table target: the SDK's chains, stand-ins only where a local endpoint needs them. */
async function tableConnection(connection: Connection): Promise<{ connection: Connection; assumed: string[] }> {
  try {
    return await resolveConnection(connection);
  } catch (error) {
    if (error instanceof MissingRegionError) throw new RunRequestError(error.message);
    throw error;
  }
}

/** Runs the deployable workflow locally as `request` says. */
export async function runMigration(request: RunRequest, observer: RunObserver = {}): Promise<RunOutcome> {
  const { target } = request;
  let asked;
  try {
    asked = resolveInput(request.input, builtInTuning);
  } catch (error) {
    throw new RunRequestError((error as Error).message);
  }
  if (target.kind === 'demo' && request.resume) throw new RunRequestError("'resume' needs a table: the embedded demo starts from fresh data every time.");
  if (asked.dryRun && request.resume) throw new RunRequestError("'dryRun' and 'resume' do not go together: a dry run keeps no checkpoint, and a resumed run writes.");
  if (asked.mode === 'verify' && request.resume) throw new RunRequestError('A verification keeps no checkpoint, so there is nothing to resume: run it again.');
  // Dry runs and verifications write nothing: no checkpoint, no lock, and they may run beside a migration.
  const writes = asked.mode === 'migrate' && !asked.dryRun;

  const embedded = target.kind === 'demo' ? await startEmbeddedDynamoDB() : undefined;
  const { connection, assumed } = embedded ? { connection: localConnection(embedded.endpoint), assumed: [] } : await tableConnection(target.kind === 'table' ? target.connection : {});
  if (assumed.length > 0) observer.assuming?.(assumed);
  const table = target.kind === 'table' ? target.table : DEMO_TABLE;
  const client = dynamoDbClient(connection);
  let lock: RunLock | undefined;
  try {
    if (target.kind === 'demo') {
      observer.note?.(`Embedded DynamoDB at ${connection.endpoint}: seeding ${target.items} demo items into '${table}'...`);
      await seedDemoTable(client, target.items, table);
    } else {
      await checkTable(table, connection);
    }

    // A dry run writes nothing, so it keeps no checkpoint either: it can neither block nor be mistaken for a real run.
    const file = target.kind === 'table' && writes ? checkpointFile(table, connection) : undefined;
    // The lock first: a checkpoint of a run still going is not an unfinished run to resume.
    const executionName = `local-${new Date().toISOString().replace(/[^0-9]/g, '').slice(0, 14)}`;
    if (file) {
      try {
        lock = RunLock.take(lockFile(table, connection), { executionName, migration: target.migrationFile ? resolve(target.migrationFile) : 'the saved run, resumed' });
      } catch (error) {
        if (error instanceof RunLockedError) throw new RunRequestError(error.message);
        throw error;
      }
    }
    const previous = file ? Checkpoint.load(file) : undefined;
    if (request.resume && !previous) throw new RunRequestError(`There is no unfinished run of '${table}' to resume (no ${file}). Run without --resume.`);
    if (!request.resume && previous) {
      throw new RunRequestError(
        `A previous run of '${previous.data.migrationId}' on '${table}' did not finish (${file}). Continue it with --resume, or delete that file to start over.`,
      );
    }
    // A resumed run keeps the migration and the settings that shape its segments and writes; it may
    // change how fast and how tolerant the rest of it is (local/retune.ts).
    const retuned: string[] = [];
    if (previous) {
      const { changes, refused } = retuningFor(previous.data.input, request.input, builtInTuning);
      if (refused.length > 0) {
        const list = refused.map((r) => `'${r.field}' (the run keeps ${JSON.stringify(r.saved ?? 'unset')}, asked ${JSON.stringify(r.asked)})`).join(', ');
        throw new RunRequestError(`A resumed run cannot change ${list}: its saved cursors and writes depend on it. Leave it out, or delete ${file} to start over.`);
      }
      retuneRecord(previous.data.record, changes);
      Object.assign(previous.data.input, changes);
      retuned.push(...Object.entries(changes).map(([field, value]) => `'${field}' is now ${value}`));
    }
    const input = previous?.data.input ?? request.input;
    const migrationFile = resolve(previous?.data.migrationFile ?? target.migrationFile ?? defaultMigrationFile);
    if (previous && target.migrationFile && resolve(target.migrationFile) !== migrationFile) {
      throw new RunRequestError(`The unfinished run of '${table}' was started with ${migrationFile}; resume it with that migration (or leave --migration out).`);
    }
    const lambda = loadLambda(buildBundle(migrationFile), table, connection, builtInTuning, await conditionStyleOf(client, table, connection.endpoint));
    if (previous && previous.data.migrationId !== lambda.migrationId) {
      throw new RunRequestError(
        `The unfinished run of '${table}' was migration '${previous.data.migrationId}', but ${migrationFile} is now '${lambda.migrationId}'. Restore that file, or delete ${file} to start over.`,
      );
    }
    const checkpoint = file
      ? (previous ?? Checkpoint.start(file, { table, migrationId: lambda.migrationId, migrationFile, input, executionName, record: { historyEvents: 0, mapRuns: {} } }))
      : undefined;
    if (previous) previous.save(previous.data.record);

    observer.starting?.({ table, where: whereOf(connection), migrationFile, migrationId: lambda.migrationId, dryRun: asked.dryRun, verifying: asked.mode === 'verify', resumed: previous !== undefined, retuned });
    const live = new LiveProgress();
    live.observe(lambda.client);
    if (previous) for (const [segment, progress] of progressInRecord(previous.data.record)) live.batchReturned(segment, progress);
    const ticker = setInterval(() => observer.live?.(live.snapshot()), LIVE_INTERVAL_MS);
    const started = Date.now();
    let result: LocalRunResult;
    try {
      result = await runWorkflowLocally({
        definition: localDefinition(table),
        lambda: { handler: live.wrap(lambda.handler), client: lambda.client },
        client,
        input,
        executionName: previous?.data.executionName ?? executionName,
        lambdaTimeoutMs: request.lambdaTimeoutMs ?? DEFAULT_LAMBDA_TIMEOUT_MS,
        ...(previous && { record: previous.data.record }),
        ...(checkpoint && { onRecordChange: (record) => checkpoint.save(record) }),
        ...(request.stop && { stop: request.stop }),
        onPlan: (plan) => {
          const expected = target.kind === 'demo' ? target.items : plan.itemEstimate;
          live.planned(plan, expected);
          observer.planned?.(plan, expected);
        },
        onProgress: (segment, progress) => {
          live.batchReturned(segment, progress);
          observer.progress?.(segment, progress);
        },
      });
    } finally {
      clearInterval(ticker);
    }
    observer.live?.(live.snapshot());
    const seconds = (Date.now() - started) / 1000;
    const summary = resultSummary(result, table);

    let verification: DemoVerification | undefined;
    if (target.kind === 'demo' && result.status === 'SUCCEEDED' && !summary.dryRun && target.migrationFile === undefined) {
      verification = await verifyDemoTable(client, target.items, table);
    }
    const stopped = result.error === ExecutionStoppedError.errorName;
    // Nothing left to resume when it succeeded, never got going, or failed only on its tolerance.
    const resumable = result.status === 'FAILED' && checkpoint !== undefined && checkpoint.hasProgress && result.error !== 'ToleratedFailuresExceeded';
    if (checkpoint && !resumable) checkpoint.clear();
    return {
      result,
      summary,
      ...(result.verification && { verified: result.verification }),
      ...(verification && { verification }),
      ...(resumable && file && { resumeFrom: file }),
      stopped,
      seconds,
    };
  } finally {
    lock?.release();
    client.destroy();
    await embedded?.close();
  }
}
