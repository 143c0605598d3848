/**
 * What a local run keeps on disk so that `ddb-item-migrate run --resume` can continue it: the run's
 * request and its execution record (local/execution.ts), rewritten atomically as the run goes. A
 * resume is a redrive of that record, so it continues exactly as `redrive-execution` would on AWS.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { ChildRecord, ExecutionRecord } from './execution';

const positionSchema = z.strictObject({ state: z.string(), input: z.json() });
const childSchema: z.ZodType<ChildRecord> = z.lazy(() =>
  z.union([
    z.strictObject({ status: z.literal('SUCCEEDED'), output: z.json() }),
    z.strictObject({ status: z.literal('UNFINISHED'), input: z.json(), record: recordSchema }),
  ]),
);
const recordSchema: z.ZodType<ExecutionRecord> = z.lazy(() =>
  z.strictObject({ at: positionSchema.optional(), historyEvents: z.number().int().min(0), mapRuns: z.record(z.string(), z.array(childSchema)) }),
);

const checkpointSchema = z.strictObject({
  version: z.literal(2),
  table: z.string(),
  migrationId: z.string(),
  /** The migration module the run was started with; a resume uses the same one. */
  migrationFile: z.string(),
  /** The execution input the run was started with. */
  input: z.record(z.string(), z.unknown()),
  executionName: z.string(),
  record: recordSchema,
});

/** The content of a checkpoint file. */
export type CheckpointData = z.infer<typeof checkpointSchema>;

/** A checkpoint file; nothing is written until the run has progress worth keeping. */
export class Checkpoint {
  private constructor(
    readonly file: string,
    readonly data: CheckpointData,
  ) {}

  /** A checkpoint for a run that starts from scratch. */
  static start(file: string, data: Omit<CheckpointData, 'version'>): Checkpoint {
    return new Checkpoint(file, { version: 2, ...data });
  }

  /** The checkpoint an unfinished run left, or undefined when there is none. */
  static load(file: string): Checkpoint | undefined {
    if (!existsSync(file)) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new Error(`The checkpoint ${file} is not valid JSON; delete it to start the migration over.`, { cause: error });
    }
    const parsed = checkpointSchema.safeParse(json);
    if (!parsed.success) {
      throw new Error(`The checkpoint ${file} was not written by this version of ddb-item-migrate (${parsed.error.issues[0]?.message ?? 'unknown shape'}); delete it to start over.`);
    }
    return new Checkpoint(file, parsed.data);
  }

  /** Whether the run got far enough to leave something worth resuming. */
  get hasProgress(): boolean {
    return this.data.record.at !== undefined;
  }

  /** Writes the record as it stands now, atomically. */
  save(record: ExecutionRecord): void {
    this.data.record = record;
    mkdirSync(dirname(this.file), { recursive: true });
    const temporary = `${this.file}.tmp`;
    writeFileSync(temporary, JSON.stringify(this.data));
    renameSync(temporary, this.file);
  }

  /** Removes the file once there is nothing left to resume. */
  clear(): void {
    rmSync(this.file, { force: true });
  }
}
