import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { defaultMigrationFile } from '../bundle/lambda-bundle';
import { Checkpoint } from '../local/checkpoint';
import { DEMO_TABLE, seedDemoTable, verifyDemoTable, type DemoVerification } from '../local/demo';
import { clientConfig, dynamoDbClient, startEmbeddedDynamoDB, type Connection } from '../local/embedded-dynamodb';
import { buildBundle, loadLambda } from '../local/lambda-loader';
import { localDefinition, runWorkflowLocally } from '../local/run-workflow';
import type { Summary } from '../workflow/contract';
import { builtInTuning, resolveInput } from '../workflow/input';
import { executionInputFrom, type RunFlags } from './options';
import { lineReporter, silentReporter, terminalReporter, type ProgressReporter } from './progress';
import { resultObject, summaryTable } from './report';

/** A problem with what the user asked for; printed as one paragraph, without a stack trace. */
export class UserError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UserError';
  }
}

/** Where a local run's checkpoint lives: one file per endpoint and table, in the working directory. */
export function checkpointFile(table: string, connection: Connection): string {
  const where = createHash('sha256').update(connection.endpoint ?? `aws:${connection.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'default'}`).digest('hex').slice(0, 8);
  return join(process.cwd(), '.ddb-migrate', `${table.replace(/[^A-Za-z0-9_.-]/g, '_')}-${where}.checkpoint.json`);
}

/** Checks, before anything is bundled or written, that the endpoint answers and the table exists. */
async function checkTable(table: string, connection: Connection): Promise<void> {
  const probe = new DynamoDBClient(clientConfig(connection, 2));
  try {
    await probe.send(new DescribeTableCommand({ TableName: table }));
  } catch (error) {
    const name = (error as Error).name;
    const code = (error as { code?: string }).code ?? '';
    const where = connection.endpoint ?? `AWS (${connection.region ?? process.env.AWS_REGION ?? 'the default region'})`;
    if (name === 'ResourceNotFoundException') {
      throw new UserError(`Table '${table}' does not exist at ${where}. Check --table, --endpoint and --region; nothing was written.`);
    }
    if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT'].includes(code) || /ECONNREFUSED|ENOTFOUND|connect/i.test(String((error as Error).message))) {
      throw new UserError(`Cannot reach DynamoDB at ${where} (${code || (error as Error).message}). Start it or fix --endpoint; nothing was written.`);
    }
    throw new UserError(`Cannot describe table '${table}' at ${where}: ${name}: ${(error as Error).message}. Nothing was written.`);
  } finally {
    probe.destroy();
  }
}

/** What `ddb-migrate run` ended with. */
export interface RunOutcome {
  exitCode: number;
  summary: Summary;
  verification?: DemoVerification;
}

/**
 * `ddb-migrate run`: the deployable workflow, run locally. Without --table: an embedded DynamoDB
 * with seeded demo data, the AWS sample's migration, and a verification of every item.
 */
export async function runCommand(flags: RunFlags, out: NodeJS.WriteStream, err: NodeJS.WriteStream): Promise<RunOutcome> {
  const demo = flags.table === undefined;
  if (demo && flags.endpoint) throw new UserError('--endpoint needs --table: name the table to migrate at that endpoint.');
  if (!demo && !flags.migration && !flags.resume) {
    throw new UserError('--table needs --migration: name the migration file to run on that table (the demo migration only runs on the demo).');
  }
  if (demo && flags.resume) throw new UserError('--resume needs --table: the embedded demo starts from fresh data every time.');
  const input = executionInputFrom(flags);
  try {
    resolveInput(input, builtInTuning);
  } catch (error) {
    throw new UserError((error as Error).message);
  }

  const embedded = demo ? await startEmbeddedDynamoDB() : undefined;
  // Resolved once, so the table check, the backup and the Lambda all talk to the same DynamoDB.
  const endpoint = embedded?.endpoint ?? flags.endpoint ?? process.env.AWS_ENDPOINT_URL_DYNAMODB ?? process.env.AWS_ENDPOINT_URL;
  const connection: Connection = { ...(endpoint && { endpoint }), ...(flags.region && { region: flags.region }) };
  const table = flags.table ?? DEMO_TABLE;
  const client = dynamoDbClient(connection);
  const reporter: ProgressReporter = flags.json ? silentReporter : out.isTTY ? terminalReporter(err) : lineReporter((l) => out.write(`${l}\n`));
  try {
    if (demo) {
      if (!flags.json) out.write(`Embedded DynamoDB at ${connection.endpoint}: seeding ${flags.items} demo items into '${table}'...\n`);
      await seedDemoTable(client, flags.items, table);
    } else {
      await checkTable(table, connection);
    }

    const file = demo ? undefined : checkpointFile(table, connection);
    const previous = file ? Checkpoint.load(file) : undefined;
    if (flags.resume && !previous) throw new UserError(`There is no unfinished run of '${table}' to resume (no ${file}). Run without --resume.`);
    if (!flags.resume && previous) {
      throw new UserError(
        `A previous run of '${previous.data.migrationId}' on '${table}' did not finish (${file}). Continue it with --resume, or delete that file to start over.`,
      );
    }
    // A resumed run keeps the input and the migration it started with: segments and cursors only
    // mean something for one TotalSegments, and finishing with another migration would mix two.
    const runInput = previous?.data.input ?? input;
    const migrationFile = resolve(previous?.data.migrationFile ?? flags.migration ?? defaultMigrationFile);
    if (previous && flags.migration && resolve(flags.migration) !== migrationFile) {
      throw new UserError(`The unfinished run of '${table}' was started with ${migrationFile}; resume it with that migration (or leave --migration out).`);
    }

    const lambda = loadLambda(buildBundle(migrationFile), table, connection, builtInTuning);
    if (previous && previous.data.migrationId !== lambda.migrationId) {
      throw new UserError(
        `The unfinished run of '${table}' was migration '${previous.data.migrationId}', but ${migrationFile} is now '${lambda.migrationId}'. Restore that file, or delete ${file} to start over.`,
      );
    }
    const checkpoint = previous ?? Checkpoint.start(file, { table, migrationId: lambda.migrationId, migrationFile, input: runInput });
    const started = Date.now();
    const result = await runWorkflowLocally({
      definition: localDefinition(table),
      lambda: lambda.handler,
      client,
      input: runInput,
      executionName: `local-${new Date().toISOString().replace(/[^0-9]/g, '').slice(0, 14)}`,
      batchBudgetMs: flags.batchSeconds * 1000,
      checkpoint,
      onPlan: (plan) => reporter.planned(plan, demo ? flags.items : plan.itemEstimate),
      onProgress: (p) => reporter.batch(p),
    });
    reporter.stop();
    const summary = resultObject(result, table, checkpoint.data.backup);
    const seconds = (Date.now() - started) / 1000;
    let verification: DemoVerification | undefined;
    if (demo && result.status === 'SUCCEEDED' && !summary.dryRun && flags.migration === undefined) {
      verification = await verifyDemoTable(client, flags.items, table);
    }
    // Nothing left to resume when it succeeded, never got going, or every segment already finished.
    const allSegmentsDone = result.plan !== undefined && result.segments.length === result.plan.totalSegments && result.segments.every((p) => !p.cursor);
    const resumable = result.status === 'FAILED' && checkpoint.hasProgress && !allSegmentsDone;
    if (!resumable) checkpoint.clear();

    if (flags.json) out.write(`${JSON.stringify(summary)}\n`);
    else {
      out.write(`\n${summaryTable(summary, seconds)}\n`);
      if (verification) {
        const ok = verification.correct === flags.items;
        out.write(
          `\nVerification: ${verification.correct}/${flags.items} items migrated correctly${ok ? '' : ` — problems: ${verification.problems.join('; ')}`}\n` +
            (verification.example ? `  example before: ${JSON.stringify(verification.example.before)}\n  example after:  ${JSON.stringify(verification.example.after)}\n` : ''),
        );
      }
      if (resumable && file) out.write(`\nProgress is saved in ${file}; fix the cause and run again with --resume.\n`);
    }
    const verified = !verification || verification.correct === flags.items;
    return { exitCode: result.status === 'SUCCEEDED' && verified ? 0 : 1, summary, ...(verification && { verification }) };
  } finally {
    reporter.stop();
    client.destroy();
    await embedded?.close();
  }
}
