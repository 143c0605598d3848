/**
 * One writing run per table and endpoint on this machine: a lock file next to the checkpoint, made
 * with an exclusive create so two runs starting at once cannot both get it. On AWS, Prepare refuses
 * a second writer by listing the state machine's running executions; locally every run is its own
 * process, so the file is what they share. A lock whose process is gone (kill -9, a crash) is stale
 * and taken over.
 */
import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';

/** Who holds a lock. */
export interface LockHolder {
  pid: number;
  host: string;
  /** The local execution's name. */
  executionName: string;
  startedAt: string;
  /** What it runs: the migration file, or the resumed run's. */
  migration: string;
}

/** Another run holds the lock: the message names it and says how to stop it. */
export class RunLockedError extends Error {
  constructor(
    readonly holder: LockHolder,
    readonly file: string,
  ) {
    const where = holder.host === hostname() ? `process ${holder.pid}` : `process ${holder.pid} on host ${holder.host}`;
    super(
      `Another run is migrating this table: ${holder.migration} (execution ${holder.executionName}, ${where}, started ${holder.startedAt}). ` +
        `Wait for it to finish, or stop it with Ctrl-C in its terminal (or kill -INT ${holder.pid}): it saves its progress, and --resume continues it. ` +
        `A verification (the verify command) may run alongside. If no such run exists, delete ${file}.`,
    );
    this.name = 'RunLockedError';
  }
}

/** Whether a process of this host is still running. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(file: string): LockHolder | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LockHolder;
  } catch {
    return undefined;
  }
}

/** A held lock; `release` gives it up (only if it is still this run's). */
export class RunLock {
  private constructor(
    readonly file: string,
    readonly holder: LockHolder,
  ) {}

  /** Takes the lock at `file`, or throws RunLockedError naming the run that holds it. */
  static take(file: string, holder: Omit<LockHolder, 'pid' | 'host' | 'startedAt'>): RunLock {
    mkdirSync(dirname(file), { recursive: true });
    const mine: LockHolder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), ...holder };
    for (let attempt = 0; ; attempt++) {
      try {
        const fd = openSync(file, 'wx');
        try {
          writeSync(fd, `${JSON.stringify(mine, null, 2)}\n`);
        } finally {
          closeSync(fd);
        }
        return new RunLock(file, mine);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const other = readHolder(file);
      // A lock of a process that is gone on this host is stale; one we cannot read is being written, or broken.
      const stale = other !== undefined && other.host === hostname() && !alive(other.pid);
      if (attempt === 0 && (stale || other === undefined)) {
        if (other === undefined) continue;
        rmSync(file, { force: true });
        continue;
      }
      throw new RunLockedError(other ?? { pid: 0, host: 'unknown', executionName: 'unknown', startedAt: 'unknown', migration: 'unknown' }, file);
    }
  }

  release(): void {
    const now = readHolder(this.file);
    if (now && now.pid === this.holder.pid && now.host === this.holder.host && now.startedAt === this.holder.startedAt) rmSync(this.file, { force: true });
  }
}
