/**
 * Ctrl-C for a run: the first SIGINT (or SIGTERM) stops it gracefully, so the writes in flight
 * finish and the checkpoint holds every finished batch; a second one quits at once, leaving the
 * checkpoint as of the last finished batch.
 */

import { EXIT } from './exit-codes';

/** A stop signal for the run; `dispose` restores the default signal handling. */
export interface StopOnSignal {
  signal: AbortSignal;
  dispose(): void;
}

/** Listens for SIGINT and SIGTERM; `onStopping` says what is happening, once. */
export function stopOnSignal(onStopping: () => void): StopOnSignal {
  const controller = new AbortController();
  const handle = () => {
    if (controller.signal.aborted) process.exit(EXIT.stopped);
    onStopping();
    controller.abort();
  };
  process.on('SIGINT', handle);
  process.on('SIGTERM', handle);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', handle);
      process.off('SIGTERM', handle);
    },
  };
}
