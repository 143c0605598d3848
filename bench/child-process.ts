import { fork } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../bundle/lambda-bundle';
import type { Job, Measurement } from './jobs';

type ChildReply = { ok: true; result: Measurement } | { ok: false; error: string };

/**
 * Runs one measurement in a fresh Node process (TypeScript through tsx's loader) and returns what it
 * measured. The child's stdout goes to our stderr, so `--json` output stays one object.
 */
export function measureInChild(job: Job): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    const child = fork(join(__dirname, 'measure-child.ts'), [], {
      cwd: projectRoot,
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, MIGRATION_LOG: 'off' },
      stdio: ['ignore', 2, 2, 'ipc'],
    });
    let reply: ChildReply | undefined;
    child.once('message', (message: ChildReply) => {
      reply = message;
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (reply?.ok) resolve(reply.result);
      else if (reply) reject(new Error(`The ${job.contender} measurement failed: ${reply.error}`));
      else reject(new Error(`The ${job.contender} measurement process exited (code ${code}, signal ${signal}) without a result`));
    });
    child.send(job);
  });
}
