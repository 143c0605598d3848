/**
 * The CLI as a user runs it: the real binary in a child process, in a folder outside the repository,
 * with no AWS credentials or profile of this machine (a fresh HOME).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The binary under test. */
export const BIN = resolve(__dirname, '../../bin/ddb-item-migrate.js');

/** What a finished CLI process left. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A folder outside the repository to run the CLI in, with migration files written into it. */
export class CliWorkdir {
  readonly dir = mkdtempSync(join(tmpdir(), 'ddb-item-migrate-cli-'));
  readonly home = mkdtempSync(join(tmpdir(), 'ddb-item-migrate-home-'));

  /** The environment of a user with nothing configured: no credentials, no profile, no region. */
  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: this.home, FORCE_COLOR: '0', AWS_EC2_METADATA_DISABLED: 'true', ...extra };
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_DYNAMODB']) {
      if (!(name in extra)) delete env[name];
    }
    return env;
  }

  /** Writes a migration file into the folder and returns its path. */
  file(name: string, body: string): string {
    const file = join(this.dir, name);
    writeFileSync(file, body);
    return file;
  }

  /** A migration that appends '!' to every item's name (and leaves items that have one): written once, its path. */
  tagMigration(): string {
    return this.file(
      'tag.ts',
      `import { defineMigration } from 'ddb-item-migrate';
export default defineMigration({ id: 'tag', transform: (item) => (String(item.name).endsWith('!') ? undefined : { ...item, name: String(item.name) + '!' }) });
`,
    );
  }

  /** Runs the CLI to its end. */
  async run(args: string[], extraEnv: Record<string, string> = {}, timeout = 120_000): Promise<CliResult> {
    try {
      const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { cwd: this.dir, env: this.env(extraEnv), timeout });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }

  /** Starts the CLI and hands back the process, for signals and closed pipes. */
  spawn(args: string[], extraEnv: Record<string, string> = {}): ChildProcess {
    return spawn(process.execPath, [BIN, ...args], { cwd: this.dir, env: this.env(extraEnv), stdio: ['ignore', 'pipe', 'pipe'] });
  }
}

/** Resolves with the exit code (or 128 + signal) once the process ended. */
export const exited = (child: ChildProcess): Promise<number> =>
  new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? 128 + (signal === 'SIGKILL' ? 9 : signal === 'SIGINT' ? 2 : 15))));

/** Collects a stream's text as it comes; `text()` is what arrived so far. */
export function collect(stream: NodeJS.ReadableStream | null): { text(): string } {
  let text = '';
  stream?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { text: () => text };
}

/** Resolves once `check` holds on what the stream has written, or fails after `timeoutMs`. */
export async function waitFor(what: { text(): string }, check: (text: string) => boolean, timeoutMs = 60_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  while (!check(what.text())) {
    if (Date.now() > until) throw new Error(`timed out waiting; output so far:\n${what.text()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return what.text();
}
