/**
 * A stand-in for the production application that owns the table: it puts small new items at a
 * steady rate while a migration runs, paced by the clock rather than by answers (like traffic from
 * users, it does not slow down because earlier writes are being retried), so the capacity emulator
 * can tell how much the migration hurt it.
 */
import { PutItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** A running application writer. */
export interface ApplicationWriter {
  /** Stops starting writes and waits for those in flight; says how many it started and how many failed for good. */
  stop(): Promise<{ started: number; failed: number }>;
}

/** Starts putting `perSecond` items a second into `table`; `item(n)` makes the n-th item (its key must be new). */
export function startApplicationWriter(client: DynamoDBClient, table: string, perSecond: number, item: (n: number) => Record<string, AttributeValue>): ApplicationWriter {
  let started = 0;
  let failed = 0;
  let stopped = false;
  const inFlight = new Set<Promise<void>>();
  const t0 = performance.now();
  const tick = (): void => {
    if (stopped) return;
    const due = Math.floor(((performance.now() - t0) / 1000) * perSecond);
    while (started < due) {
      const write: Promise<void> = client.send(new PutItemCommand({ TableName: table, Item: item(started++) })).then(
        () => undefined,
        () => {
          failed += 1;
        },
      );
      inFlight.add(write);
      void write.finally(() => inFlight.delete(write));
    }
    timer = setTimeout(tick, 5);
  };
  let timer = setTimeout(tick, 0);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await Promise.all([...inFlight]);
      return { started, failed };
    },
  };
}
