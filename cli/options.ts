import { InvalidArgumentError } from 'commander';
import { RunRequestError, type RunRequest } from '../local/run-migration';

/** The flags of `run`, as commander parses them. */
export interface RunFlags {
  table?: string;
  endpoint?: string;
  region?: string;
  migration?: string;
  segments?: number;
  concurrency?: number;
  pageSize?: number;
  maxItemsPerSecond?: number;
  maxWriteUnitsPerSecond?: number;
  maxReadUnitsPerSecond?: number;
  writeCapacityPercent?: number;
  readCapacityPercent?: number;
  toleratedFailures?: number;
  versionAttribute?: string;
  dryRun?: boolean;
  skipBackup?: boolean;
  verify?: boolean;
  catchUp?: number;
  json?: boolean;
  resume?: boolean;
  items: number;
  batchSeconds: number;
}

/** The flags of `verify`: where, which migration, how to scan; nothing that writes. */
export type VerifyFlags = Pick<
  RunFlags,
  'table' | 'endpoint' | 'region' | 'migration' | 'segments' | 'concurrency' | 'pageSize' | 'maxItemsPerSecond' | 'maxReadUnitsPerSecond' | 'readCapacityPercent' | 'versionAttribute' | 'json' | 'batchSeconds'
>;

/** The flag that sets each execution input field (and the run request's own switches), for messages. */
export const FLAG_OF_FIELD: Record<string, string> = {
  totalSegments: '--segments',
  maxConcurrency: '--concurrency',
  pageSize: '--page-size',
  maxItemsPerSecond: '--max-items-per-second',
  maxWriteUnitsPerSecond: '--max-write-units-per-second',
  maxReadUnitsPerSecond: '--max-read-units-per-second',
  writeCapacityPercent: '--write-capacity-percent',
  readCapacityPercent: '--read-capacity-percent',
  toleratedFailures: '--tolerated-failures',
  verifyAfter: '--verify',
  catchUpPasses: '--catch-up',
  versionAttribute: '--version-attribute',
  dryRun: '--dry-run',
  skipBackup: '--skip-backup',
  resume: '--resume',
};

/** A message about execution input fields, in terms of the flags that set them ('field' quoted, or a bare camelCase name). */
export function inFlagTerms(message: string): string {
  const quoted = Object.keys(FLAG_OF_FIELD).join('|');
  const bare = Object.keys(FLAG_OF_FIELD).filter((name) => /[A-Z]/.test(name)).join('|');
  return message.replace(new RegExp(`'(${quoted})'|\\b(${bare})\\b`, 'g'), (_all, q: string | undefined, b: string | undefined) => FLAG_OF_FIELD[(q ?? b)!]!);
}

/** A parser for a whole-number flag within a range; the message names the allowed range. */
export function integerIn(range: { min: number; max: number }): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) {
      throw new InvalidArgumentError(`Expected a whole number from ${range.min} to ${range.max}, got '${value}'.`);
    }
    if (n < range.min || n > range.max) {
      throw new InvalidArgumentError(`Expected a number from ${range.min} to ${range.max}, got ${n}.`);
    }
    return n;
  };
}

/** A parser for an http(s) endpoint URL. */
export function endpointUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(`Expected a URL such as http://localhost:8000, got '${value}'.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidArgumentError(`Expected an http:// or https:// URL, got '${value}'.`);
  }
  return value.replace(/\/$/, '');
}

/** The execution input the flags stand for; unset flags are left out so the defaults (or a resumed run's settings) apply. */
function executionInputFrom(flags: Partial<RunFlags>): Record<string, unknown> {
  const input: Record<string, unknown> = {
    totalSegments: flags.segments,
    maxConcurrency: flags.concurrency,
    pageSize: flags.pageSize,
    maxItemsPerSecond: flags.maxItemsPerSecond,
    maxWriteUnitsPerSecond: flags.maxWriteUnitsPerSecond,
    maxReadUnitsPerSecond: flags.maxReadUnitsPerSecond,
    writeCapacityPercent: flags.writeCapacityPercent,
    readCapacityPercent: flags.readCapacityPercent,
    toleratedFailures: flags.toleratedFailures,
    versionAttribute: flags.versionAttribute,
    dryRun: flags.dryRun || undefined,
    skipBackup: flags.skipBackup || undefined,
    verifyAfter: flags.verify || undefined,
    catchUpPasses: flags.catchUp,
  };
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
}

/** The endpoint a table run uses: the flag, else the SDK's own environment variables. */
export const endpointFrom = (flags: Pick<RunFlags, 'endpoint'>): string | undefined => flags.endpoint ?? process.env.AWS_ENDPOINT_URL_DYNAMODB ?? process.env.AWS_ENDPOINT_URL;

/** The run the flags ask for; combinations that cannot work are refused here, before anything runs. */
export function runRequestFrom(flags: RunFlags, stop?: AbortSignal): RunRequest {
  const common = { input: executionInputFrom(flags), resume: flags.resume === true, lambdaTimeoutMs: flags.batchSeconds * 1000, ...(stop && { stop }) };
  if (flags.table === undefined) {
    if (flags.endpoint) throw new RunRequestError('--endpoint needs --table: name the table to migrate at that endpoint.');
    return { target: { kind: 'demo', items: flags.items, ...(flags.migration && { migrationFile: flags.migration }) }, ...common };
  }
  if (!flags.migration && !flags.resume) {
    throw new RunRequestError('--table needs --migration: name the migration file to run on that table (the demo migration only runs on the demo).');
  }
  return { target: tableTarget(flags.table, flags), ...common };
}

/** A table at the endpoint the flags name: one endpoint for the table check, the backup and the Lambda alike. */
function tableTarget(table: string, flags: Pick<RunFlags, 'endpoint' | 'region' | 'migration'>): RunRequest['target'] {
  const endpoint = endpointFrom(flags);
  return {
    kind: 'table',
    table,
    connection: { ...(endpoint && { endpoint }), ...(flags.region && { region: flags.region }) },
    ...(flags.migration && { migrationFile: flags.migration }),
  };
}

/** The verification the flags ask for: mode "verify", no backup, no checkpoint, no lock. */
export function verifyRequestFrom(flags: VerifyFlags, stop?: AbortSignal): RunRequest {
  if (flags.table === undefined || !flags.migration) {
    throw new RunRequestError('verify needs --table and --migration: name the table to check and the migration whose result to check.');
  }
  return {
    target: tableTarget(flags.table, flags),
    input: { ...executionInputFrom(flags), mode: 'verify' },
    resume: false,
    lambdaTimeoutMs: flags.batchSeconds * 1000,
    ...(stop && { stop }),
  };
}

/** Quotes a word for a POSIX shell when it needs it. */
const shellWord = (word: string): string => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);

/** The exact command that resumes the run these flags started. */
export function resumeCommand(bin: string, flags: RunFlags): string {
  const endpoint = endpointFrom(flags);
  const words = ['npx', bin, 'run', '--table', flags.table ?? '', ...(endpoint ? ['--endpoint', endpoint] : []), ...(flags.region ? ['--region', flags.region] : []), '--resume'];
  return words.map(shellWord).join(' ');
}
