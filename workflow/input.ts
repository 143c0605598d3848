import { z } from 'zod';
import { InvalidInputError } from './errors';

/** The ranges every tuning field accepts; shared by the execution input, the CLI and Terraform. */
export const limits = {
  totalSegments: { min: 1, max: 1000 },
  maxConcurrency: { min: 1, max: 1000 },
  pageSize: { min: 1, max: 1000 },
  maxItemsPerSecond: { min: 0, max: 1_000_000 },
  toleratedFailures: { min: 0, max: 1_000_000_000 },
  catchUpPasses: { min: 0, max: 10 },
  maxWriteUnitsPerSecond: { min: 0, max: 1_000_000 },
  maxReadUnitsPerSecond: { min: 0, max: 1_000_000 },
  writeCapacityPercent: { min: 0, max: 100 },
  readCapacityPercent: { min: 0, max: 100 },
} as const;

const bounded = (name: keyof typeof limits) =>
  z
    .number({ error: (issue) => (issue.input === undefined ? 'is required' : `must be a number, got ${describe(issue.input)}`) })
    .int({ error: (issue) => `must be a whole number, got ${describe(issue.input)}` })
    .min(limits[name].min, { error: (issue) => `must be at least ${limits[name].min}, got ${describe(issue.input)}` })
    .max(limits[name].max, { error: (issue) => `must be at most ${limits[name].max}, got ${describe(issue.input)}` });

const flag = z.boolean({ error: (issue) => `must be true or false, got ${describe(issue.input)}` });

/** The tuning fields that have stack-wide defaults (Terraform variables → Lambda environment). */
export const tuningSchema = z.strictObject({
  totalSegments: bounded('totalSegments'),
  maxConcurrency: bounded('maxConcurrency'),
  pageSize: bounded('pageSize'),
  maxItemsPerSecond: bounded('maxItemsPerSecond'),
  toleratedFailures: bounded('toleratedFailures'),
  /** Write units per second for the whole run, table and indexes together; 0 = no limit. */
  maxWriteUnitsPerSecond: bounded('maxWriteUnitsPerSecond'),
  /** Read units per second for the whole run; 0 = no limit. */
  maxReadUnitsPerSecond: bounded('maxReadUnitsPerSecond'),
  /** Share (1-100) of the table's and each GSI's provisioned write capacity; 0 = none. Provisioned tables only. */
  writeCapacityPercent: bounded('writeCapacityPercent'),
  /** Share (1-100) of the table's provisioned read capacity; 0 = none. Provisioned tables only. */
  readCapacityPercent: bounded('readCapacityPercent'),
});
export type Tuning = z.infer<typeof tuningSchema>;

/** The defaults when neither the execution input nor the stack says otherwise. */
export const builtInTuning: Tuning = {
  totalSegments: 8,
  maxConcurrency: 8,
  pageSize: 100,
  maxItemsPerSecond: 0,
  toleratedFailures: 0,
  maxWriteUnitsPerSecond: 0,
  maxReadUnitsPerSecond: 0,
  writeCapacityPercent: 0,
  readCapacityPercent: 0,
};

/** The execution input: every field optional; unknown fields are rejected, not ignored. */
export const executionInputSchema = tuningSchema.partial().extend({
  dryRun: flag.optional(),
  skipBackup: flag.optional(),
  versionAttribute: z
    .string({ error: (issue) => `must be an attribute name, got ${describe(issue.input)}` })
    .min(1, { error: 'must not be empty' })
    .max(255, { error: 'must be at most 255 characters long' })
    .optional(),
  mode: z.enum(['migrate', 'verify'], { error: (issue) => `must be "migrate" or "verify", got ${describe(issue.input)}` }).optional(),
  verifyAfter: flag.optional(),
  catchUpPasses: bounded('catchUpPasses').optional(),
});
export type ExecutionInput = z.infer<typeof executionInputSchema>;

/** Input with every default applied. */
export type ResolvedInput = Tuning & {
  dryRun: boolean;
  skipBackup: boolean;
  versionAttribute?: string;
  /** `verify` checks every item and writes nothing (no backup either). */
  mode: 'migrate' | 'verify';
  /** Verify after migrating, in the same execution; the run fails when items remain unmigrated. */
  verifyAfter: boolean;
  /** Further migration passes while the previous one changed anything (items written meanwhile in the old shape). */
  catchUpPasses: number;
};

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown, what: string, hint: string): T {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidInputError(`${what} must be a JSON object, got ${describe(value)}. ${hint}`, [`${what}: not an object`]);
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
    }
    const field = issue.path.join('.');
    const range = limits[field as keyof typeof limits];
    return `'${field}' ${issue.message}${range && !issue.message.includes('at ') ? ` (allowed: ${range.min} to ${range.max})` : ''}`;
  });
  throw new InvalidInputError(`${what} is not valid: ${problems.join('; ')}. ${hint}`, problems);
}

/** Validates execution input and fills in the defaults. */
export function resolveInput(input: unknown, defaults: Tuning): ResolvedInput {
  const parsed = parseWith(
    executionInputSchema,
    input ?? {},
    'The execution input',
    `Allowed fields: ${Object.keys(executionInputSchema.shape).join(', ')}; all are optional.`,
  );
  const resolved: ResolvedInput = {
    ...defaults,
    dryRun: false,
    skipBackup: false,
    mode: 'migrate',
    verifyAfter: false,
    catchUpPasses: 0,
    ...(Object.fromEntries(Object.entries(parsed).filter(([, v]) => v !== undefined)) as ExecutionInput),
  };
  // A dry run changes nothing, so it has nothing to catch up on or to verify afterwards.
  if (resolved.dryRun && (resolved.verifyAfter || resolved.catchUpPasses > 0 || resolved.mode === 'verify')) {
    throw new InvalidInputError(
      "The execution input is not valid: 'dryRun' cannot be combined with 'verifyAfter', 'catchUpPasses' or mode \"verify\" (a dry run writes nothing to catch up on or verify). Drop dryRun, or run the verification on its own with mode \"verify\".",
      ['dryRun: combined with a verification or catch-up'],
    );
  }
  if (resolved.mode === 'verify' && (resolved.verifyAfter || resolved.catchUpPasses > 0)) {
    throw new InvalidInputError(
      "The execution input is not valid: mode \"verify\" only checks; 'verifyAfter' and 'catchUpPasses' belong to a migration run. Drop them, or use mode \"migrate\".",
      ['mode: verify combined with migration options'],
    );
  }
  // A dry run writes nothing, so there is nothing to back up (on AWS a backup costs and lingers).
  if (resolved.dryRun) resolved.skipBackup = true;
  return resolved;
}

/** Validates the stack-wide defaults (read from the Lambda environment at load). */
export function parseTuning(value: unknown): Tuning {
  return parseWith(tuningSchema, value, 'The tuning defaults', 'Fix the Terraform variables or MIGRATION_DEFAULTS.');
}
