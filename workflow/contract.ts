/**
 * The data that flows between the workflow's states and the Lambda, as zod schemas: one place, so the
 * definition, the handler, the local runner and its checkpoints cannot disagree about a field, and
 * every payload that crosses a seam is checked rather than cast.
 */
import { z } from 'zod';
import { tuningSchema } from './input';
import type { AwsFit } from '../asl/limits';
import { TOTALS_FIELDS, type Totals } from './totals';

/** An item key as reports show it: strings and exact numbers as they are, binary as `base64:...`. */
export const reportKeySchema = z.record(z.string(), z.union([z.string(), z.number()]));
export type ReportKey = z.infer<typeof reportKeySchema>;

/** One item the migration could not migrate, and why. */
export const itemFailureSchema = z.strictObject({ key: reportKeySchema, reason: z.string() });
export type ItemFailure = z.infer<typeof itemFailureSchema>;

/** A before/after sample of one item, kept in dry runs. */
export const itemChangeSchema = z.strictObject({
  key: reportKeySchema,
  action: z.enum(['update', 'delete']),
  set: z.record(z.string(), z.unknown()).optional(),
  remove: z.array(z.string()).optional(),
});
export type ItemChange = z.infer<typeof itemChangeSchema>;

/** Which pass over the table runs now: a migration pass (the first, or a catch-up) or a verification pass. */
export const passSchema = z.strictObject({ kind: z.enum(['migrate', 'verify']), number: z.number().int().min(1) });
export type Pass = z.infer<typeof passSchema>;
/**
 * The run's capacity budget in units per second, shared by the segments running at once (Prepare
 * resolves it from the input and the table's provisioned throughput). A dimension that limits
 * nothing is absent: `read` (Scan and re-reads), `write` (every write unit billed, the table's and
 * each index's), `tableWrite` (the table's own write units) and `indexWrites` (each GSI's).
 */
export const capacityBudgetSchema = z.strictObject({
  read: z.number().positive().optional(),
  write: z.number().positive().optional(),
  tableWrite: z.number().positive().optional(),
  indexWrites: z.record(z.string(), z.number().positive()).optional(),
});
export type CapacityBudget = z.infer<typeof capacityBudgetSchema>;

/** The validated, defaulted plan that Prepare returns and every later step reads. */
export const planSchema = tuningSchema.extend({
  table: z.string().min(1),
  migrationId: z.string().min(1),
  dryRun: z.boolean(),
  skipBackup: z.boolean(),
  versionAttribute: z.string().optional(),
  mode: z.enum(['migrate', 'verify']),
  verifyAfter: z.boolean(),
  catchUpPasses: z.number().int().min(0),
  pass: passSchema,
  keyAttributes: z.array(z.string()).min(1).max(2),
  itemEstimate: z.number().int().min(0),
  backupName: z.string(),
  /** The execution's name, so every later step's log lines say which run they belong to (absent in older plans). */
  executionName: z.string().min(1).optional(),
  /** Absent when the run has no capacity budget. */
  budget: capacityBudgetSchema.optional(),
});
export type Plan = z.infer<typeof planSchema>;

/**
 * What one write of ours leaves in the table, small enough to carry to the next call: a delete, or the
 * names an update sets (with a digest of their new values) and removes (see handlers/landing.ts).
 */
export const landingSchema = z.union([
  z.strictObject({ kind: z.literal('delete') }),
  z.strictObject({ kind: z.literal('update'), set: z.array(z.string()), remove: z.array(z.string()), digest: z.string() }),
]);
export type Landing = z.infer<typeof landingSchema>;

/**
 * An item after the cursor that the last call already dealt with (items finish out of order): done
 * (counted; the next call skips it), or with a write whose response never came (the next call
 * settles it before going on). Keys are encoded like cursors.
 */
export const aheadItemSchema = z.union([
  z.strictObject({ key: z.string(), done: z.literal(true) }),
  z.strictObject({ key: z.string(), landing: landingSchema }),
]);
export type AheadItem = z.infer<typeof aheadItemSchema>;

/**
 * The rates (units per second) a segment's adaptive back-off allows itself after throttling, carried
 * to its next call so that a throttle is not forgotten at a call boundary. Absent when not holding back.
 */
export const paceSchema = z.strictObject({ read: z.number().positive().optional(), write: z.number().positive().optional() });
export type Pace = z.infer<typeof paceSchema>;

/**
 * A segment's progress as it travels in the state: the cursor to go on from (absent when the segment
 * is done), how many MigrateBatch calls it took, its counters in wire order (workflow/totals.ts) and
 * its samples, the items it dealt with beyond the cursor and its back-off (each absent when empty,
 * and the last two when the segment is done, to keep the gathered Map output small).
 */
export const segmentProgressSchema = z.strictObject({
  cursor: z.string().min(1).optional(),
  ahead: z.array(aheadItemSchema).optional(),
  /** Verification passes: the segment's order-independent digest of its items so far (16 hex digits). */
  digest: z.string().regex(/^[0-9a-f]{16}$/).optional(),
  pace: paceSchema.optional(),
  calls: z.number().int().min(0),
  totals: z.array(z.number().min(0)),
  failures: z.array(itemFailureSchema).optional(),
  changes: z.array(itemChangeSchema).optional(),
});
export type SegmentProgress = z.infer<typeof segmentProgressSchema>;

/** The backup the run took, or 'skipped'. */
export const backupSchema = z.union([
  z.literal('skipped'),
  z.strictObject({ name: z.string(), arn: z.string(), status: z.string() }),
]);
export type Backup = z.infer<typeof backupSchema>;

/** What a verification pass found: its output on its own (mode "verify"), and part of a run's summary. */
export interface Verification {
  status: 'VERIFIED' | 'UNMIGRATED';
  checked: number;
  migrated: number;
  unmigrated: number;
  /** Unmigrated items (at most 25), with why each is not migrated. */
  samples: ItemFailure[];
  /** An order-independent digest of every item's key and values: the same for the same table content, whatever the segments. */
  digest: string;
}

const counter = z.number().min(0);
const totalsShape = Object.fromEntries(TOTALS_FIELDS.map((f) => [f, counter])) as Record<(typeof TOTALS_FIELDS)[number], typeof counter>;

/** One pass of a run, as the summary reports it: a migration pass's totals, or what a verification found. */
export const passReportSchema = z.union([
  z.strictObject({ kind: z.literal('migrate'), number: z.number().int().min(1), ...totalsShape }),
  z.strictObject({
    kind: z.literal('verify'),
    number: z.number().int().min(1),
    status: z.enum(['VERIFIED', 'UNMIGRATED']),
    checked: counter,
    migrated: counter,
    unmigrated: counter,
    digest: z.string(),
  }),
]);
export type PassReport = z.infer<typeof passReportSchema>;

/** The execution's output, and the JSON that `ddb-item-migrate run --json` prints. */
export interface Summary extends Totals {
  status: 'SUCCEEDED' | 'FAILED';
  migrationId: string;
  table: string;
  dryRun: boolean;
  backup: Backup;
  failures: ItemFailure[];
  changes: ItemChange[];
  /** Every pass over the table: the migration pass, catch-up passes, a verification pass. */
  passes?: PassReport[];
  /** The verification after the migration (`verifyAfter`). */
  verification?: Verification;
  error?: string;
  cause?: string;
  /** Local runs only: how close the run came to Step Functions' limits, as the local runner measured. */
  awsFit?: AwsFit;
}
