import { InvalidArgumentError } from 'commander';
import { RunRequestError, type RunRequest } from '../local/run-migration';

/** The flags of `ddb-migrate run`, as commander parses them. */
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
  json?: boolean;
  resume?: boolean;
  items: number;
  batchSeconds: number;
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

/** The execution input the flags stand for; unset flags are left out so the defaults apply. */
function executionInputFrom(flags: RunFlags): Record<string, unknown> {
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
  };
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
}


/** The run the flags ask for; combinations that cannot work are refused here, before anything runs. */
export function runRequestFrom(flags: RunFlags): RunRequest {
  const common = { input: executionInputFrom(flags), resume: flags.resume === true, lambdaTimeoutMs: flags.batchSeconds * 1000 };
  if (flags.table === undefined) {
    if (flags.endpoint) throw new RunRequestError('--endpoint needs --table: name the table to migrate at that endpoint.');
    return { target: { kind: 'demo', items: flags.items, ...(flags.migration && { migrationFile: flags.migration }) }, ...common };
  }
  if (!flags.migration && !flags.resume) {
    throw new RunRequestError('--table needs --migration: name the migration file to run on that table (the demo migration only runs on the demo).');
  }
  // One endpoint for the table check, the backup and the Lambda alike.
  const endpoint = flags.endpoint ?? process.env.AWS_ENDPOINT_URL_DYNAMODB ?? process.env.AWS_ENDPOINT_URL;
  return {
    target: {
      kind: 'table',
      table: flags.table,
      connection: { ...(endpoint && { endpoint }), ...(flags.region && { region: flags.region }) },
      ...(flags.migration && { migrationFile: flags.migration }),
    },
    ...common,
  };
}
