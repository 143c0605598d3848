import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

/** A dynalite server running in its own process, so its CPU and memory are not the runner's. */
export interface DynaliteProcess {
  endpoint: string;
  pid: number;
  /** Stops the server and waits for its process to exit. */
  stop(): Promise<void>;
}

// The child listens on port 0 (the OS picks a free port), prints it, and exits when its stdin closes,
// so a benchmark that dies never leaves a dynalite behind. Table creation and deletion are instant.
const serverScript = (dynaliteModule: string): string => `
const server = require(${JSON.stringify(dynaliteModule)})({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.listen(0, '127.0.0.1', (err) => {
  if (err) { console.error(err); process.exit(1); }
  console.log(JSON.stringify({ port: server.address().port }));
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`;

/** Starts dynalite 4 (in memory) as a child process on a free loopback port. */
export async function startDynaliteProcess(): Promise<DynaliteProcess> {
  const child: ChildProcess = spawn(process.execPath, ['-e', serverScript(require.resolve('dynalite'))], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const onExit = (code: number | null) => reject(new Error(`dynalite exited with code ${code} before it listened`));
    child.once('error', reject);
    child.once('exit', onExit);
    lines.once('line', (line) => {
      child.off('exit', onExit);
      lines.close();
      try {
        resolve((JSON.parse(line) as { port: number }).port);
      } catch (error) {
        reject(new Error(`dynalite printed ${JSON.stringify(line)} instead of its port`, { cause: error }));
      }
    });
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.stdin!.end();
      }),
  };
}

/** CPU milliseconds (user + system) a process has used so far, from /proc; undefined where there is none. */
export function processCpuMs(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // After "pid (comm) ", utime and stime are fields 12 and 13 (0-based), in clock ticks (100 Hz on Linux).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}
