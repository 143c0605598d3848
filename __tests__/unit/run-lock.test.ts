import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunLock, RunLockedError, type LockHolder } from '../../local/run-lock';

const lockIn = () => join(mkdtempSync(join(tmpdir(), 'run-lock-')), '.ddb-migrate', 't-1234.lock');
const holder = { executionName: 'local-1', migration: '/work/tag.ts' };

/** The pid of a process that has certainly ended. */
const deadPid = (): number => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString());

describe('GIVEN the lock of a writing run', () => {
  it('WHEN a second run takes it THEN it is refused with the holder named, and after release it can be taken again', () => {
    const file = lockIn();
    const first = RunLock.take(file, holder);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ pid: process.pid, host: hostname(), ...holder });

    let refused: unknown;
    try {
      RunLock.take(file, { executionName: 'local-2', migration: '/work/other.ts' });
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(RunLockedError);
    expect((refused as RunLockedError).holder).toMatchObject({ pid: process.pid, executionName: 'local-1' });
    expect((refused as Error).message).toContain(`kill -INT ${process.pid}`);

    first.release();
    expect(existsSync(file)).toBe(false);
    RunLock.take(file, holder).release();
  });

  it('WHEN its process is gone (kill -9) THEN the lock is stale and taken over', () => {
    const file = lockIn();
    RunLock.take(file, holder);
    const stale: LockHolder = { ...JSON.parse(readFileSync(file, 'utf8')), pid: deadPid() };
    writeFileSync(file, JSON.stringify(stale));
    const taken = RunLock.take(file, { executionName: 'local-2', migration: '/work/tag.ts' });
    expect(taken.holder.executionName).toBe('local-2');
  });

  it('WHEN it is held on another host THEN it is never taken over, whatever the pid', () => {
    const file = lockIn();
    RunLock.take(file, holder);
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), host: 'build-agent-7', pid: deadPid() }));
    expect(() => RunLock.take(file, holder)).toThrow(/on host build-agent-7/);
  });

  it('WHEN a lock that is no longer ours is released THEN it is left alone', () => {
    const file = lockIn();
    const mine = RunLock.take(file, holder);
    writeFileSync(file, JSON.stringify({ ...mine.holder, startedAt: 'later' }));
    mine.release();
    expect(existsSync(file)).toBe(true);
  });
});
