import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SegmentProgress } from '../workflow/contract';
import type { BackupDetails } from './table-backup';

/** What a local run remembers so `ddb-migrate run --resume` can continue it after a failure. */
export interface CheckpointData {
  version: 1;
  table: string;
  migrationId: string;
  /** The migration module the run was started with; a resume uses the same one. */
  migrationFile: string;
  input: Record<string, unknown>;
  backup?: BackupDetails;
  /** Each segment's progress after its last completed MigrateBatch call. */
  segments: Record<string, SegmentProgress>;
}

/** A checkpoint file, rewritten atomically after every completed batch. */
export class Checkpoint {
  private constructor(
    /** Undefined keeps the checkpoint in memory only (the embedded demo starts fresh every time). */
    readonly file: string | undefined,
    readonly data: CheckpointData,
  ) {}

  /** A new checkpoint for a run that starts from scratch; nothing is written until there is progress. */
  static start(file: string | undefined, data: Omit<CheckpointData, 'version' | 'segments'>): Checkpoint {
    return new Checkpoint(file, { version: 1, ...data, segments: {} });
  }

  /** The checkpoint a failed run left, or undefined when there is none. */
  static load(file: string): Checkpoint | undefined {
    if (!existsSync(file)) return undefined;
    let data: CheckpointData;
    try {
      data = JSON.parse(readFileSync(file, 'utf8')) as CheckpointData;
    } catch (error) {
      throw new Error(`The checkpoint ${file} is not valid JSON; delete it to start the migration over.`, { cause: error });
    }
    if (data.version !== 1 || typeof data.segments !== 'object') {
      throw new Error(`The checkpoint ${file} was not written by this version of ddb-migrate; delete it to start over.`);
    }
    return new Checkpoint(file, data);
  }

  segment(segment: number): SegmentProgress | undefined {
    return this.data.segments[String(segment)];
  }

  recordSegment(progress: SegmentProgress): void {
    this.data.segments[String(progress.segment)] = progress;
    this.save();
  }

  /** Whether the run got far enough to leave something worth resuming. */
  get hasProgress(): boolean {
    return this.data.backup !== undefined || Object.keys(this.data.segments).length > 0;
  }

  recordBackup(backup: BackupDetails): void {
    this.data.backup = backup;
    this.save();
  }

  /** Removes the file once the run has succeeded. */
  clear(): void {
    if (this.file) rmSync(this.file, { force: true });
  }

  private save(): void {
    if (!this.file) return;
    mkdirSync(dirname(this.file), { recursive: true });
    const temporary = `${this.file}.tmp`;
    writeFileSync(temporary, JSON.stringify(this.data));
    renameSync(temporary, this.file);
  }
}
