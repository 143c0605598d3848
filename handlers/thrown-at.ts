/**
 * Where an error was thrown, as `file:line:column`: the first stack frame outside Node's internals
 * and node_modules, which is the user's transform (or what it called). With source maps enabled (the
 * local CLI enables them; on Lambda, NODE_OPTIONS=--enable-source-maps) it names the user's own file.
 */
export function thrownAt(error: unknown): string | undefined {
  const stack = error instanceof Error ? error.stack : undefined;
  if (typeof stack !== 'string') return undefined;
  for (const line of stack.split('\n').slice(1)) {
    const frame = /\(?((?:file:\/\/)?[^\s()]+):(\d+):(\d+)\)?$/.exec(line.trim());
    if (!frame) continue;
    const file = frame[1]!;
    if (file.startsWith('node:') || /[\\/]node_modules[\\/]/.test(file)) continue;
    return `${file.replace(/^file:\/\//, '')}:${frame[2]}:${frame[3]}`;
  }
  return undefined;
}
