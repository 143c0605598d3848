import '../local/polyfills';
import { Command, Option } from 'commander';
import { toMermaid } from '../asl/mermaid';
import { BIN_NAME, PACKAGE_NAME, PACKAGE_VERSION } from '../bundle/package-layout';
import { MigrationModuleError } from '../local/lambda-loader';
import { localDefinition } from '../local/local-deployment';
import { RunRequestError, runMigration } from '../local/run-migration';
import { DEFAULT_LAMBDA_TIMEOUT_MS } from '../local/runner';
import { builtInTuning, limits } from '../workflow/input';
import { EXIT, EXIT_CODES_HELP } from './exit-codes';
import { endpointUrl, inFlagTerms, integerIn, resumeCommand, runRequestFrom, verifyRequestFrom, type RunFlags, type VerifyFlags } from './options';
import { safeOutput, type Output } from './output';
import { reporterFor } from './progress';
import { renderOutcome, renderVerification } from './report';
import { stopOnSignal } from './stop-signal';

const range = (name: keyof typeof limits): string => `${limits[name].min}-${limits[name].max.toLocaleString('en-US')}`;

const RUN_EXAMPLES = `
Examples:
  $ ${BIN_NAME} run                                   # the embedded demo: 3,000 items, verified
  $ ${BIN_NAME} run --endpoint http://localhost:8000 --table orders --migration ./backfill.ts --dry-run
  $ ${BIN_NAME} run --region eu-west-1 --table orders --migration ./backfill.ts --segments 16 --concurrency 8
  $ ${BIN_NAME} run --endpoint http://localhost:8000 --table orders --resume --max-items-per-second 500

Environment:
  AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL   endpoint when --endpoint is not given
  AWS_REGION, AWS_PROFILE, AWS_ACCESS_KEY_ID,   region and credentials: the AWS SDK's usual chain, for every
  AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN       endpoint (DynamoDB Local keeps tables per access key and region)
  MIGRATION_LOG=on                              the Lambda's JSON log lines on stdout (off locally by default)

A migration file imports defineMigration from '${PACKAGE_NAME}'; TypeScript files are type-checked first.
Progress goes to stderr, the summary to stdout. Ctrl-C stops after the writes in flight and saves progress.

${EXIT_CODES_HELP}
`;

const VERIFY_EXAMPLES = `
Examples:
  $ ${BIN_NAME} verify --endpoint http://localhost:8000 --table orders --migration ./backfill.ts
  $ ${BIN_NAME} verify --table orders --migration ./backfill.ts --json --max-read-units-per-second 200

Exit codes:
  0    every item is migrated (VERIFIED)
  1    some items are not (UNMIGRATED; the output lists up to 25 with why), or the check failed
  2    usage or setup error (bad flag, missing table or file, type error)
  130  stopped by Ctrl-C
`;

/** Where the table is and which migration: the same for run and verify. */
function connectionOptions(command: Command, migrationHelp: string): void {
  command
    .addOption(new Option('--endpoint <url>', 'DynamoDB endpoint, e.g. http://localhost:8000 for DynamoDB Local (default: AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL, else AWS)').argParser(endpointUrl))
    .option('--region <region>', "AWS region (default: the SDK's chain: AWS_REGION, your profile; a local endpoint without one uses us-east-1, and says so)")
    .option('--migration <file>', `migration module (.ts or .js) whose default export is defineMigration({...}); ${migrationHelp}`);
}

/** How the table is scanned and how fast: the same for run and verify. */
function scanOptions(command: Command, verb: 'migrated' | 'checked'): void {
  command
    .addOption(new Option('--segments <n>', `scan segments, ${range('totalSegments')} (default: ${builtInTuning.totalSegments})`).argParser(integerIn(limits.totalSegments)))
    .addOption(new Option('--concurrency <n>', `segments ${verb} at once, ${range('maxConcurrency')} (default: ${builtInTuning.maxConcurrency})`).argParser(integerIn(limits.maxConcurrency)))
    .addOption(new Option('--page-size <n>', `items per Scan page, ${range('pageSize')} (default: ${builtInTuning.pageSize})`).argParser(integerIn(limits.pageSize)))
    .addOption(new Option('--max-items-per-second <n>', `overall item rate, ${range('maxItemsPerSecond')}; 0 = unlimited (default: ${builtInTuning.maxItemsPerSecond})`).argParser(integerIn(limits.maxItemsPerSecond)))
    .addOption(new Option('--max-read-units-per-second <n>', `overall read capacity units a second, ${range('maxReadUnitsPerSecond')}; 0 = unlimited (default: ${builtInTuning.maxReadUnitsPerSecond})`).argParser(integerIn(limits.maxReadUnitsPerSecond)))
    .addOption(new Option('--read-capacity-percent <n>', `share of the table's provisioned read capacity, 1-${limits.readCapacityPercent.max}; provisioned tables only (default: none)`).argParser(integerIn(limits.readCapacityPercent)));
}

const batchSecondsOption = (): Option =>
  new Option('--batch-seconds <n>', 'time budget of one batch call (the Lambda timeout), 1-900').argParser(integerIn({ min: 1, max: 900 })).default(DEFAULT_LAMBDA_TIMEOUT_MS / 1000);

/** The `ddb-item-migrate` program: `run`, `verify` and `graph`. */
export function program(out: Output, err: Output): Command {
  const cli = new Command(BIN_NAME)
    .description('Migrate every item of a DynamoDB table with the Step Functions workflow this package deploys, run locally.')
    .version(PACKAGE_VERSION, '-V, --version', 'print the version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (text) => out.write(text), writeErr: (text) => err.write(text) })
    .addHelpText('after', `\n${EXIT_CODES_HELP}\n`)
    .exitOverride();

  const run = cli
    .command('run')
    .description('Run the migration workflow locally. Without --table: the embedded demo (in-process DynamoDB, seeded data, verified result).')
    .option('--table <name>', 'table to migrate (omit for the embedded demo)');
  connectionOptions(run, 'required with --table (the demo uses its CLF-to-epoch example)');
  scanOptions(run, 'migrated');
  run
    .addOption(new Option('--max-write-units-per-second <n>', `overall write capacity units a second, table and GSIs together, ${range('maxWriteUnitsPerSecond')}; 0 = unlimited (default: ${builtInTuning.maxWriteUnitsPerSecond})`).argParser(integerIn(limits.maxWriteUnitsPerSecond)))
    .addOption(new Option('--write-capacity-percent <n>', `share of the provisioned write capacity of the table and of each GSI, 1-${limits.writeCapacityPercent.max}; provisioned tables only (default: none)`).argParser(integerIn(limits.writeCapacityPercent)))
    .addOption(new Option('--tolerated-failures <n>', `failed items tolerated before the run fails, ${range('toleratedFailures')} (default: ${builtInTuning.toleratedFailures})`).argParser(integerIn(limits.toleratedFailures)))
    .option('--version-attribute <name>', 'attribute marking migrated items, so re-runs and resumes skip them (default: none)')
    .option('--dry-run', 'transform and report, write nothing: no backup, no checkpoint')
    .option('--skip-backup', 'do not back up the table first')
    .option('--verify', 'after migrating, check every item; the run fails (exit 1) when items remain unmigrated')
    .addOption(new Option('--catch-up <n>', `migrate again while the last pass changed items (written in the old shape during the run), ${range('catchUpPasses')} more passes (default: 0)`).argParser(integerIn(limits.catchUpPasses)))
    .option('--resume', 'continue the unfinished run of this table from its checkpoint; --concurrency, --max-items-per-second, --page-size and --tolerated-failures may change')
    .option('--json', 'print exactly one JSON object (the execution output) on stdout')
    .addOption(new Option('--items <n>', 'demo only: how many items to seed, 1-1,000,000').argParser(integerIn({ min: 1, max: 1_000_000 })).default(3000))
    .addOption(batchSecondsOption())
    .addHelpText('after', RUN_EXAMPLES)
    .action(async (flags: RunFlags) => {
      const json = flags.json === true;
      const reporter = reporterFor(json, err);
      const stop = stopOnSignal(() => {
        reporter.stop();
        err.write('\nStopping: finishing the writes in flight and saving progress (Ctrl-C again to quit at once)...\n');
      });
      try {
        const outcome = await runMigration(runRequestFrom(flags, stop.signal), reporter);
        reporter.stop();
        out.write(renderOutcome(outcome, json));
        if (outcome.stopped) {
          if (outcome.resumeFrom) {
            const batch = flags.batchSeconds * 1000 !== DEFAULT_LAMBDA_TIMEOUT_MS ? ` --batch-seconds ${flags.batchSeconds}` : '';
            err.write(`\nStopped. Progress is saved in ${outcome.resumeFrom}. Resume from this folder with:\n  ${resumeCommand(BIN_NAME, flags)}${batch}\n`);
          } else {
            const why = outcome.summary.dryRun
              ? 'It was a dry run: nothing was written and there is nothing to resume.'
              : flags.table === undefined
                ? 'The embedded demo starts from fresh data every time; there is nothing to resume.'
                : 'It stopped before it had progress worth saving; run it again to start over.';
            err.write(`\nStopped. ${why}\n`);
          }
          process.exitCode = EXIT.stopped;
          return;
        }
        if (outcome.resumeFrom) err.write(`\nProgress is saved in ${outcome.resumeFrom}; fix the cause and resume from this folder with:\n  ${resumeCommand(BIN_NAME, flags)}\n`);
        const succeeded = outcome.result.status === 'SUCCEEDED' && outcome.summary.failed === 0 && (outcome.verification?.problems.length ?? 0) === 0;
        process.exitCode = succeeded ? EXIT.ok : EXIT.failed;
      } finally {
        reporter.stop();
        stop.dispose();
      }
    });

  const verify = cli
    .command('verify')
    .description('Check that every item of a table is migrated, writing nothing: counts, a sample of the unmigrated items with reasons, and a digest of the table.')
    .requiredOption('--table <name>', 'table to check');
  connectionOptions(verify, 'required: the migration whose result to check (its isMigrated, or: the transform leaves the item unchanged)');
  scanOptions(verify, 'checked');
  verify
    .option('--version-attribute <name>', 'with a version marker, an item is migrated when it carries this migration id (default: none)')
    .option('--json', 'print exactly one JSON object on stdout: { status, checked, migrated, unmigrated, samples, digest }')
    .addOption(batchSecondsOption())
    .addHelpText('after', VERIFY_EXAMPLES)
    .action(async (flags: VerifyFlags) => {
      const json = flags.json === true;
      const reporter = reporterFor(json, err);
      const stop = stopOnSignal(() => reporter.stop());
      try {
        const outcome = await runMigration(verifyRequestFrom(flags, stop.signal), reporter);
        reporter.stop();
        out.write(renderVerification(outcome, json));
        process.exitCode = outcome.stopped ? EXIT.stopped : outcome.verified?.status === 'VERIFIED' ? EXIT.ok : EXIT.failed;
      } finally {
        reporter.stop();
        stop.dispose();
      }
    });

  cli
    .command('graph')
    .description('Print the state machine as a Mermaid flowchart, generated from the definition.')
    .option('--table <name>', 'table name to show in the definition', 'my-table')
    .action((flags: { table: string }) => {
      out.write(toMermaid(localDefinition(flags.table)));
    });

  return cli;
}

/** Runs the CLI; user errors become one paragraph on stderr and exit code 2 (see cli/exit-codes.ts). */
export async function main(argv: string[]): Promise<void> {
  // Stack traces of the user's transform name their own file and line (the bundle has a source map).
  process.setSourceMapsEnabled(true);
  const out = safeOutput(process.stdout);
  const err = safeOutput(process.stderr);
  try {
    await program(out, err).parseAsync(argv);
  } catch (error) {
    const e = error as Error & { exitCode?: number; code?: string };
    if (e.code?.startsWith('commander.')) {
      // commander has printed its message (or the help, or the version); every usage error is 2.
      process.exitCode = e.exitCode === 0 ? EXIT.ok : EXIT.usage;
      return;
    }
    const userError = e instanceof RunRequestError || e instanceof MigrationModuleError;
    const message = e instanceof RunRequestError ? inFlagTerms(e.message) : e.message;
    err.write(userError ? `${BIN_NAME}: ${message}\n` : `${BIN_NAME}: unexpected error: ${e.stack ?? e.message}\n`);
    // --json promises one JSON object on stdout, also when the run could not start.
    if (argv.includes('--json')) out.write(`${JSON.stringify({ status: 'FAILED', error: e.name, cause: message })}\n`);
    process.exitCode = userError ? EXIT.usage : EXIT.failed;
  }
}

if (require.main === module) void main(process.argv);
