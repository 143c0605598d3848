/**
 * The application, simulated: writers that keep changing the table while a migration runs, each
 * keeping an exact record of what it did, so the final table can be checked against it.
 * Every loop is bounded (at most `maxOps` operations) and also stops when told to.
 */
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { RawItem } from './dynamo';
import { seededRandom } from './faults';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The writer's record of one key it updated: how many increments DynamoDB accepted and the last note. */
export interface UpdateRecord {
  increments: number;
  lastNote: string;
}

/** What the writers did, exactly. */
export interface WriterLog {
  updates: Map<string, UpdateRecord>;
  deleted: Set<string>;
  inserted: Map<string, RawItem>;
  /** Updates refused because the item no longer existed (should stay 0: updaters and deleter own disjoint keys). */
  refusedUpdates: number;
}

/** Who writes what, and how often. */
export interface WriterPlan {
  client: DynamoDBClient;
  table: string;
  /** One list of keys per updater loop; a key belongs to exactly one loop, so its writes are ordered. */
  updaterKeys: string[][];
  /** Of each updater's keys, the first `hotKeys` get 70% of its updates (hot items exist in every real table). */
  hotKeys: number;
  /** Keys the deleter deletes, in random order. */
  deleteKeys: string[];
  /** New items the inserter writes, in order. */
  newItem: (n: number) => RawItem;
  /** Pause between one loop's operations. */
  everyMs: { update: number; delete: number; insert: number };
  maxOps: { update: number; delete: number; insert: number };
  seed?: number;
}

/** Running writers: `stop()` ends every loop and resolves with the log once they have all finished. */
export interface RunningWriters {
  log: WriterLog;
  stop(): Promise<WriterLog>;
}

/** Starts the writers; they run until `stop()` or until each has done its `maxOps`. */
export function startWriters(plan: WriterPlan): RunningWriters {
  const log: WriterLog = { updates: new Map(), deleted: new Set(), inserted: new Map(), refusedUpdates: 0 };
  let stopped = false;
  const random = seededRandom(plan.seed ?? 7);
  const { client, table } = plan;

  const loop = async (maxOps: number, everyMs: number, op: (i: number) => Promise<void>) => {
    for (let i = 0; i < maxOps && !stopped; i++) {
      await op(i);
      await sleep(everyMs);
    }
  };

  const updater = (keys: string[], w: number) =>
    loop(plan.maxOps.update, plan.everyMs.update, async (i) => {
      const hot = Math.min(plan.hotKeys, keys.length);
      const key = random() < 0.7 && hot > 0 ? keys[Math.floor(random() * hot)]! : keys[Math.floor(random() * keys.length)]!;
      const note = `w${w}-${i}`;
      try {
        await client.send(
          new UpdateItemCommand({
            TableName: table,
            Key: { pk: { S: key } },
            UpdateExpression: 'SET #note = :note ADD #counter :one',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: { '#note': 'note', '#counter': 'counter' },
            ExpressionAttributeValues: { ':note': { S: note }, ':one': { N: '1' } },
          }),
        );
        const record = log.updates.get(key) ?? { increments: 0, lastNote: '' };
        log.updates.set(key, { increments: record.increments + 1, lastNote: note });
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        log.refusedUpdates += 1;
      }
    });

  const deleteOrder = [...plan.deleteKeys].sort(() => random() - 0.5);
  const deleter = loop(Math.min(plan.maxOps.delete, deleteOrder.length), plan.everyMs.delete, async (i) => {
    const key = deleteOrder[i]!;
    await client.send(new DeleteItemCommand({ TableName: table, Key: { pk: { S: key } } }));
    log.deleted.add(key);
  });

  const inserter = loop(plan.maxOps.insert, plan.everyMs.insert, async (n) => {
    const item = plan.newItem(n);
    await client.send(new PutItemCommand({ TableName: table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
    log.inserted.set(item.pk!.S!, item);
  });

  const all = Promise.all([...plan.updaterKeys.map(updater), deleter, inserter]);
  return {
    log,
    async stop() {
      stopped = true;
      await all;
      return log;
    },
  };
}

/** What the final table says about the writers' work. */
export interface WriterDamage {
  /** Updated keys (still present) whose counter or note is not what the writer last wrote. */
  lostUpdates: string[];
  /** Increments that are missing from the final counters, summed over all keys. */
  lostIncrements: number;
  /** Keys the deleter deleted that exist again. */
  resurrected: string[];
  /** Keys the inserter wrote that are missing. */
  lostInserts: string[];
  /** Updates the writers made in total. */
  updatesMade: number;
}

/** Compares the final table with the writers' log. */
export function assessDamage(log: WriterLog, finalItems: Map<string, RawItem>): WriterDamage {
  const damage: WriterDamage = { lostUpdates: [], lostIncrements: 0, resurrected: [], lostInserts: [], updatesMade: 0 };
  for (const [key, record] of log.updates) {
    damage.updatesMade += record.increments;
    const item = finalItems.get(key);
    if (!item) continue;
    const counter = Number(item.counter?.N ?? 0);
    if (counter !== record.increments || item.note?.S !== record.lastNote) damage.lostUpdates.push(key);
    damage.lostIncrements += Math.max(0, record.increments - counter);
  }
  for (const key of log.deleted) if (finalItems.has(key)) damage.resurrected.push(key);
  for (const key of log.inserted.keys()) if (!finalItems.has(key)) damage.lostInserts.push(key);
  return damage;
}
