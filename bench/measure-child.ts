/**
 * A child process that runs one measurement (see jobs.ts) and sends the result back over IPC.
 * Each measurement gets a fresh process, so peak RSS belongs to that run alone and no JIT or heap
 * state carries over from another contender. Started by `measureInChild` (child-process.ts).
 */
import '../local/polyfills';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadavg } from 'node:os';
import { builtInTuning } from '../workflow/input';
import type { InvocationContext, ResultOf, StepEvent, StepHandler } from '../workflow/steps';
import { unpackTotals } from '../workflow/totals';
import { isMigration, type Migration } from '../migrations/define';
import { dynamoDbClient, localConnection } from '../local/connection';
import { loadLambda } from '../local/lambda-loader';
import { localDefinition } from '../local/local-deployment';
import { runWorkflowLocally } from '../local/runner';
import { runSampleWorkflowLocally } from '../fixtures/aws-sample-workflow';
import type { Job, Measurement, OursJob, RawJob, SampleJob } from './jobs';
import { runRawLoop } from './raw-loop';

const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;
const peakRssMb = (): number => mb(process.resourceUsage().maxRSS * 1024);

type RunOutcome = Omit<Measurement, 'contender' | 'elapsedMs' | 'itemsPerSecond' | 'cpuMs' | 'loadAverage' | 'rssBeforeMb' | 'peakRssMb'>;

function loadMigration(file: string): Migration {
  const loaded = require(file) as { default?: unknown };
  if (!isMigration(loaded.default)) throw new Error(`${file} has no default export made with defineMigration`);
  return loaded.default;
}

/** Runs ours; wraps the Lambda to time each MigrateBatch call, which gives a segment's own item rate. */
function prepareOurs(job: OursJob, client: DynamoDBClient): () => Promise<RunOutcome> {
  const lambda = loadLambda(job.bundle, job.table, localConnection(job.endpoint), builtInTuning);
  let batchMs = 0;
  let batchItems = 0;
  const handler = lambda.handler as (event: StepEvent, context: InvocationContext) => Promise<unknown>;
  const timed = (async (event: StepEvent, context: InvocationContext) => {
    const started = performance.now();
    const result = await handler(event, context);
    if (event.step === 'migrateBatch') {
      batchMs += performance.now() - started;
      batchItems += unpackTotals((result as ResultOf<'migrateBatch'>).totals).scanned - unpackTotals(event.progress.totals).scanned;
    }
    return result;
  }) as StepHandler;
  return async () => {
    const run = await runWorkflowLocally({
      definition: localDefinition(job.table),
      lambda: { handler: timed, client: lambda.client },
      client,
      input: { skipBackup: true, totalSegments: job.totalSegments, maxConcurrency: job.maxConcurrency, ...job.input },
      executionName: `bench-${job.table}`,
      lambdaTimeoutMs: job.batchBudgetMs,
    });
    return {
      status: run.status,
      ...(run.error && { error: `${run.error}: ${run.cause ?? ''}` }),
      scanned: run.summary?.scanned ?? 0,
      updated: run.summary?.updated ?? 0,
      counts: run.counts,
      invocationsPerSegment: run.segments.map((s) => s.calls),
      itemsPerLambdaSecond: batchMs > 0 ? (batchItems / batchMs) * 1000 : 0,
    };
  };
}

function prepareRaw(job: RawJob, client: DynamoDBClient): () => Promise<RunOutcome> {
  const migration = loadMigration(job.migrationFile);
  return async () => {
    const totals = await runRawLoop({ client, migration, ...job });
    return { status: totals.failed === 0 ? 'SUCCEEDED' : 'FAILED', scanned: totals.scanned, updated: totals.updated };
  };
}

function prepareSample(job: SampleJob, client: DynamoDBClient): () => Promise<RunOutcome> {
  const migration = loadMigration(job.migrationFile);
  return async () => {
    const run = await runSampleWorkflowLocally({ client, table: job.table, migration, executionName: `bench-${job.table}` });
    // The sample reports no item totals; every Map iteration is one item scanned and written whole.
    return {
      status: run.status,
      ...(run.error && { error: `${run.error}: ${run.cause ?? ''}` }),
      scanned: run.counts.mapIterations,
      updated: run.counts.mapIterations,
      counts: run.counts,
    };
  };
}

async function measure(job: Job): Promise<Measurement> {
  const client = dynamoDbClient(localConnection(job.endpoint));
  const run =
    job.contender === 'ours' ? prepareOurs(job, client) : job.contender === 'raw' ? prepareRaw(job, client) : prepareSample(job, client);
  const rssBeforeMb = mb(process.memoryUsage().rss);
  const loadBefore = loadavg()[0]!;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const outcome = await run();
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  client.destroy();
  return {
    contender: job.contender,
    ...outcome,
    elapsedMs: Math.round(elapsedMs),
    itemsPerSecond: (outcome.scanned / elapsedMs) * 1000,
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    loadAverage: [loadBefore, loadavg()[0]!],
    rssBeforeMb,
    peakRssMb: peakRssMb(),
  };
}

process.once('message', (job: Job) => {
  measure(job).then(
    (result) => process.send!({ ok: true, result }, () => process.exit(0)),
    (error: unknown) => process.send!({ ok: false, error: error instanceof Error ? error.stack ?? error.message : String(error) }, () => process.exit(1)),
  );
});
