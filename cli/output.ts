/**
 * The CLI's output streams, safe to close early: when the reader goes away (`| head`), writes end
 * quietly (EPIPE is not an error of the run) and the migration carries on to a saved, consistent end.
 */

/** A stream the CLI writes to. */
export interface Output {
  write(text: string): void;
  /** Whether it is a terminal (progress is redrawn in place there). */
  readonly isTTY: boolean;
  /** Columns of the terminal, if it is one. */
  readonly columns: number;
}

/** Wraps a process stream: write errors after the reader left (EPIPE) silence it instead of crashing. */
export function safeOutput(stream: NodeJS.WriteStream): Output {
  let closed = false;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') closed = true;
    else throw error;
  });
  return {
    write(text) {
      if (closed || stream.destroyed) return;
      stream.write(text);
    },
    get isTTY() {
      return stream.isTTY === true;
    },
    get columns() {
      return stream.columns ?? 80;
    },
  };
}
