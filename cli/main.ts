import '../local/polyfills';
import { Command, Option } from 'commander';
import { toMermaid } from '../asl/mermaid';
import { MigrationModuleError } from '../local/lambda-loader';
import { localDefinition } from '../local/local-deployment';
import { RunRequestError, runMigration } from '../local/run-migration';
import { DEFAULT_LAMBDA_TIMEOUT_MS } from '../local/runner';
import { limits } from '../workflow/input';
import { endpointUrl, integerIn, runRequestFrom, type RunFlags } from './options';
import { reporterFor } from './progress';
import { renderOutcome } from './report';

/** The `ddb-migrate` program: `run` and `graph`. */
export function program(): Command {
  const cli = new Command('ddb-migrate')
    .description('Migrate every item of a DynamoDB table with the Step Functions workflow this project deploys, run locally.')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  cli
    .command('run')
    .description('Run the migration workflow locally. Without --table: the embedded demo (in-process DynamoDB, seeded data, verified result).')
    .option('--table <name>', 'table to migrate (omit for the embedded demo)')
    .addOption(new Option('--endpoint <url>', 'DynamoDB endpoint, e.g. http://localhost:8000 for DynamoDB Local').argParser(endpointUrl))
    .option('--region <region>', 'AWS region (default: AWS_REGION, else us-east-1)')
    .option('--migration <file>', 'migration module (.ts or .js) whose default export is defineMigration({...}); default: the CLF-to-epoch example')
    .addOption(new Option('--segments <n>', `scan segments (${limits.totalSegments.min}-${limits.totalSegments.max})`).argParser(integerIn(limits.totalSegments)))
    .addOption(new Option('--concurrency <n>', `segments migrated at once (${limits.maxConcurrency.min}-${limits.maxConcurrency.max})`).argParser(integerIn(limits.maxConcurrency)))
    .addOption(new Option('--page-size <n>', `items per Scan page (${limits.pageSize.min}-${limits.pageSize.max})`).argParser(integerIn(limits.pageSize)))
    .addOption(new Option('--max-items-per-second <n>', 'overall item rate limit, 0 = unlimited').argParser(integerIn(limits.maxItemsPerSecond)))
    .addOption(new Option('--max-write-units-per-second <n>', 'overall write capacity units per second, table and indexes together, 0 = unlimited').argParser(integerIn(limits.maxWriteUnitsPerSecond)))
    .addOption(new Option('--max-read-units-per-second <n>', 'overall read capacity units per second, 0 = unlimited').argParser(integerIn(limits.maxReadUnitsPerSecond)))
    .addOption(new Option('--write-capacity-percent <n>', `share of the provisioned write capacity of the table and each GSI (1-${limits.writeCapacityPercent.max}; provisioned tables only)`).argParser(integerIn(limits.writeCapacityPercent)))
    .addOption(new Option('--read-capacity-percent <n>', `share of the table's provisioned read capacity (1-${limits.readCapacityPercent.max}; provisioned tables only)`).argParser(integerIn(limits.readCapacityPercent)))
    .addOption(new Option('--tolerated-failures <n>', 'failed items tolerated before the run fails').argParser(integerIn(limits.toleratedFailures)))
    .option('--version-attribute <name>', 'attribute marking migrated items, so re-runs skip them')
    .option('--dry-run', 'transform and report, write nothing')
    .option('--skip-backup', 'do not back up the table first')
    .option('--resume', 'continue the last failed run of this table from its checkpoint')
    .option('--json', 'print exactly one JSON object (the execution output) on stdout')
    .addOption(new Option('--items <n>', 'demo only: how many items to seed').argParser(integerIn({ min: 1, max: 1_000_000 })).default(3000))
    .addOption(new Option('--batch-seconds <n>', 'time budget of one MigrateBatch call (the Lambda timeout)').argParser(integerIn({ min: 1, max: 900 })).default(DEFAULT_LAMBDA_TIMEOUT_MS / 1000))
    .action(async (flags: RunFlags) => {
      const request = runRequestFrom(flags);
      const reporter = reporterFor(flags.json === true, process.stdout, process.stderr);
      try {
        const outcome = await runMigration(request, reporter);
        reporter.stop();
        process.stdout.write(renderOutcome(outcome, flags.json === true));
        process.exitCode = outcome.result.status === 'SUCCEEDED' && (outcome.verification?.problems.length ?? 0) === 0 ? 0 : 1;
      } finally {
        reporter.stop();
      }
    });

  cli
    .command('graph')
    .description('Print the state machine as a Mermaid flowchart, generated from the definition.')
    .option('--table <name>', 'table name to show in the definition', 'my-table')
    .action((flags: { table: string }) => {
      process.stdout.write(toMermaid(localDefinition(flags.table)));
    });

  return cli;
}

/** Runs the CLI; user errors become one paragraph on stderr and exit code 2. */
export async function main(argv: string[]): Promise<void> {
  try {
    await program().parseAsync(argv);
  } catch (error) {
    const e = error as Error & { exitCode?: number; code?: string };
    if (e.code?.startsWith('commander.')) {
      // commander has already printed its message (or the help); keep its exit code.
      process.exitCode = e.exitCode ?? 2;
      return;
    }
    const userError = e instanceof RunRequestError || e instanceof MigrationModuleError;
    process.stderr.write(userError ? `ddb-migrate: ${e.message}\n` : `ddb-migrate: unexpected error: ${e.stack ?? e.message}\n`);
    // --json promises one JSON object on stdout, also when the run could not start.
    if (argv.includes('--json')) process.stdout.write(`${JSON.stringify({ status: 'FAILED', error: e.name, cause: e.message })}\n`);
    process.exitCode = userError ? 2 : 1;
  }
}

if (require.main === module) void main(process.argv);
