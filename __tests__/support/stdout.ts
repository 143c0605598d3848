/**
 * What code under test prints, as JSON lines: Powertools' Logger and Metrics write to stdout (and
 * warnings and errors to stderr) through a Console of their own; Lambda sends both to CloudWatch Logs.
 */

/** Runs `fn` and returns every JSON object it printed on stdout or stderr, in order (other output passes through). */
export async function jsonLinesPrinted(fn: () => unknown): Promise<Record<string, unknown>[]> {
  const lines: Record<string, unknown>[] = [];
  const spies = [process.stdout, process.stderr].map((stream) => {
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    return jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      const json = text.split('\n').filter((line) => line.startsWith('{'));
      for (const line of json) lines.push(JSON.parse(line) as Record<string, unknown>);
      return json.length > 0 ? true : write(chunk, ...rest);
    });
  });
  try {
    await fn();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return lines;
}
