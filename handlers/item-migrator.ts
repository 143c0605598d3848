import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  UpdateItemCommand,
  type ConsumedCapacity,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { NumberValue } from '@aws-sdk/lib-dynamodb';
import type { Migration } from '../migrations/define';
import type { ItemChange } from '../workflow/contract';
import { keyForReport, keyOf, sameRawItem, toPlainItem, type RawItem } from './attribute-values';
import { untracked, type Track } from './call-effort';
import type { CapacityGate } from './capacity-gate';
import type { CallKind } from './capacity-pacer';
import { InterruptedError, noDeadline, NotSentError, within } from './deadline';
import { errorReason, reason, type FailureReason } from './failure-reason';
import { hasLanded, landingOf, type Landing } from './landing';
import { tableLevelError } from './sdk-errors';
import { thrownAt } from './thrown-at';
import { ConditionTooLongError, deleteParams, planWrite, updateParams, type ConditionStyle, type VersionMarker, type WritePlan } from './write-plan';

/** What happened to one item. */
export type ItemOutcome =
  | { kind: 'updated' | 'deleted'; change?: ItemChange }
  | { kind: 'unchanged' | 'skipped' }
  | ({ kind: 'failed' } & FailureReason)
  /** Time ran out before a write of ours could land: the item is to be migrated again. */
  | { kind: 'interrupted' }
  /** Time ran out while a write of ours was in flight: `landing` tells later whether it landed. */
  | { kind: 'uncertain'; landing: Landing };

/** Outcome plus the retry and conflict counts it took. */
export type ItemReport = ItemOutcome & { key: Record<string, string | number>; conflicts: number };

/** Everything one item's migration needs; fixed for a run. */
export interface ItemMigratorOptions {
  client: DynamoDBClient;
  table: string;
  keyAttributes: string[];
  migration: Migration;
  dryRun: boolean;
  versionAttribute?: string;
  /** How often an item is re-read and re-transformed after a concurrent change before it counts as failed. */
  maxConflictRetries?: number;
  /** The batch's capacity budget; without one, calls go out at once and throttling that outlasts the SDK's retries fails the item. */
  capacity?: CapacityGate;
  /** How conditions compare maps and lists; whole values unless the endpoint cannot (handlers/write-plan.ts). */
  conditionStyle?: ConditionStyle;
}

/** Dry-run samples: at most this many attributes, each at most this long as JSON. */
const MAX_SAMPLE_ATTRIBUTES = 20;
const MAX_SAMPLE_VALUE_CHARS = 200;

/** An error as a failure reason: our own limit check's message has no values; every other message is quoted. */
const failureOf = (error: unknown): FailureReason =>
  error instanceof ConditionTooLongError ? reason`${error.name}: ${error.message}` : errorReason(error);

const attemptsOf = (value: unknown): number =>
  (value as { $metadata?: { attempts?: number } } | undefined)?.$metadata?.attempts ?? 1;

/**
 * Migrates one scanned item: transform, write only what changed under the condition that the item
 * is still as scanned, and on a concurrent change re-read, re-transform and try again (bounded).
 */
export class ItemMigrator {
  private readonly maxConflictRetries: number;
  private readonly marker?: VersionMarker;

  constructor(private readonly options: ItemMigratorOptions) {
    this.maxConflictRetries = options.maxConflictRetries ?? 5;
    if (options.versionAttribute) this.marker = { attribute: options.versionAttribute, value: options.migration.id };
  }

  /** The same migrator, its calls paced by `capacity` (one batch's budget). */
  withCapacity(capacity: CapacityGate): ItemMigrator {
    return new ItemMigrator({ ...this.options, capacity });
  }

  /**
   * Migrates one item. When `signal` aborts (the batch's time is up) the item stops where it is and
   * says whether a write of ours may have landed.
   */
  async migrate(scanned: RawItem, signal: AbortSignal = noDeadline): Promise<ItemReport> {
    const { keyAttributes } = this.options;
    const key = keyForReport(scanned, keyAttributes);
    const report = { key, conflicts: 0 };
    let current: RawItem = scanned;
    for (let attempt = 0; attempt <= this.maxConflictRetries; attempt++) {
      if (this.marker && current[this.marker.attribute]?.S === this.marker.value) return { ...report, kind: 'skipped' };
      let plan: WritePlan;
      try {
        plan = await within(signal, () => this.plan(current));
      } catch {
        return { ...report, kind: 'interrupted' };
      }
      if (plan.kind === 'invalid') return { ...report, kind: 'failed', reason: plan.reason, logReason: plan.logReason };
      if (plan.kind === 'unchanged') return { ...report, kind: 'unchanged' };
      const kind = plan.kind === 'delete' ? 'deleted' : 'updated';
      if (this.options.dryRun) {
        const problem = this.unwritable(current, plan);
        return problem ? { ...report, kind: 'failed', ...problem } : { ...report, kind, change: this.describe(key, plan) };
      }

      const landing = this.landingOf(plan);
      const written = await this.write(current, plan, signal);
      if (written.status === 'done') return { ...report, kind };
      // Never sent (no budget left in the batch's time): as if the batch had ended before this item.
      if (written.status === 'unsent') return { ...report, kind: 'interrupted' };
      if (written.status === 'interrupted') return { ...report, kind: 'uncertain', landing };

      // A failed condition or a failed call: look at the item as it is now before deciding.
      const reread = await this.reread(current, signal);
      if ('interrupted' in reread) {
        // A condition that failed at the first attempt proves the write did not land, and that the item
        // changed meanwhile (a conflict, whatever follows); anything else may have landed.
        if (written.status === 'conflict' && written.retries === 0) return { ...report, conflicts: report.conflicts + 1, kind: 'interrupted' };
        return { ...report, kind: 'uncertain', landing };
      }
      if ('error' in reread) {
        const why = written.status === 'failed' ? written.why : 'its condition failed';
        return { ...report, kind: 'failed', ...reason`the write failed (${why}) and re-reading the item failed: ${reread.error}` };
      }
      const now = reread.item;
      // The write landed although its response was lost (a retried call then fails its condition).
      if (hasLanded(now, landing)) return { ...report, kind };
      if (!now) return { ...report, kind: 'skipped' }; // deleted meanwhile: a concurrent delete wins
      if (written.status === 'failed' && sameRawItem(now, current)) return { ...report, kind: 'failed', ...written.why };
      report.conflicts += 1;
      current = now;
    }
    return {
      ...report,
      kind: 'failed',
      ...reason`the item kept changing while being migrated (${this.maxConflictRetries + 1} attempts); run the migration again to retry it`,
    };
  }

  /**
   * Settles an item whose write was abandoned: re-reads it and tells whether the write had landed
   * (then it counts as done), had not (then it is to be migrated again), or still cannot be known.
   */
  async settle(key: RawItem, landing: Landing, signal: AbortSignal = noDeadline): Promise<ItemOutcome> {
    const reread = await this.reread(key, signal);
    if ('interrupted' in reread || 'error' in reread) return { kind: 'uncertain', landing };
    if (hasLanded(reread.item, landing)) return { kind: landing.kind === 'delete' ? 'deleted' : 'updated' };
    return { kind: 'interrupted' };
  }

  /** What a write of `plan` leaves in the table, the version marker included. */
  private landingOf(plan: Extract<WritePlan, { kind: 'update' | 'delete' }>): Landing {
    if (plan.kind === 'delete') return landingOf(plan);
    const set: RawItem = { ...plan.set, ...(this.marker && { [this.marker.attribute]: { S: this.marker.value } }) };
    return landingOf({ kind: 'update', set, remove: plan.remove.filter((name) => name !== this.marker?.attribute) });
  }

  /**
   * Whether an item is migrated, for verification: the migration's `isMigrated` when it has one,
   * else the version marker when there is one, else whether the transform would leave it as it is.
   * Resolves with true, or with why not (attribute names only, never values).
   */
  async check(item: RawItem): Promise<true | string> {
    const { migration } = this.options;
    if (migration.isMigrated) {
      try {
        const verdict = await migration.isMigrated(toPlainItem(item));
        return verdict === true ? true : typeof verdict === 'string' && verdict !== '' ? verdict : 'isMigrated returned false';
      } catch (error) {
        return `isMigrated threw ${errorReason(error).reason}`;
      }
    }
    if (this.marker) {
      const found = item[this.marker.attribute]?.S;
      return found === this.marker.value ? true : found === undefined ? `no version marker '${this.marker.attribute}'` : `version marker '${this.marker.attribute}' is another migration's`;
    }
    const plan = await this.plan(item);
    if (plan.kind === 'unchanged') return true;
    if (plan.kind === 'delete') return 'the transform would delete it';
    if (plan.kind === 'invalid') return `the transform cannot migrate it: ${plan.reason}`;
    const changes = [...Object.keys(plan.set).map((n) => `set ${n}`), ...plan.remove.map((n) => `remove ${n}`)];
    return `the transform would still change it: ${changes.join(', ')}`;
  }

  private async plan(item: RawItem): Promise<WritePlan> {
    try {
      return planWrite(item, await this.options.migration.transform(toPlainItem(item)), this.options.keyAttributes);
    } catch (error) {
      const at = thrownAt(error);
      return { kind: 'invalid', ...reason`transform threw ${errorReason(error)}${at ? ` (at ${at})` : ''}` };
    }
  }

  /**
   * A small, JSON-safe before/after sample for dry runs: binary as base64, sets as arrays, exact
   * numbers as strings, long values abbreviated, so samples cannot swell the state payload.
   */
  private describe(key: Record<string, string | number>, plan: WritePlan): ItemChange {
    if (plan.kind !== 'update') return { key, action: 'delete' };
    const jsonSafe = (_name: string, value: unknown): unknown =>
      value instanceof Uint8Array
        ? `base64:${Buffer.from(value).toString('base64')}`
        : value instanceof Set
          ? [...value]
          : value instanceof NumberValue
            ? value.toString()
            : value;
    const set: Record<string, unknown> = {};
    const names = Object.keys(plan.set);
    for (const name of names.slice(0, MAX_SAMPLE_ATTRIBUTES)) {
      const json = JSON.stringify(toPlainItem({ [name]: plan.set[name]! })[name], jsonSafe);
      set[name] = json.length <= MAX_SAMPLE_VALUE_CHARS ? (JSON.parse(json) as unknown) : `${json.slice(0, MAX_SAMPLE_VALUE_CHARS)}… (${json.length} characters)`;
    }
    if (names.length > MAX_SAMPLE_ATTRIBUTES) set['…'] = `${names.length - MAX_SAMPLE_ATTRIBUTES} more attributes`;
    return { key, action: 'update', set, ...(plan.remove.length > 0 && { remove: plan.remove }) };
  }

  /** Builds the write without sending it, so a dry run reports what the real run could not write. */
  private unwritable(item: RawItem, plan: Extract<WritePlan, { kind: 'update' | 'delete' }>): FailureReason | undefined {
    const { table, keyAttributes } = this.options;
    try {
      if (plan.kind === 'delete') deleteParams(table, item, keyAttributes, this.options.conditionStyle);
      else updateParams(table, item, keyAttributes, plan, this.marker, this.options.conditionStyle);
      return undefined;
    } catch (error) {
      return failureOf(error);
    }
  }

  /**
   * Sends a call within the batch's time, through the capacity budget when there is one: then it
   * asks DynamoDB what the call consumed (per index for writes, INDEXES; the total for reads, TOTAL).
   */
  private send<T extends { ConsumedCapacity?: ConsumedCapacity }>(
    kind: CallKind,
    signal: AbortSignal,
    request: (consumed: { ReturnConsumedCapacity?: 'INDEXES' | 'TOTAL' }, abortSignal: AbortSignal, track: Track) => Promise<T>,
  ): Promise<T> {
    const { capacity } = this.options;
    if (!capacity) return within(signal, (abortSignal) => request({}, abortSignal, untracked));
    const consumed = { ReturnConsumedCapacity: kind === 'write' ? ('INDEXES' as const) : ('TOTAL' as const) };
    return capacity.send(kind, signal, (abortSignal, track) => request(consumed, abortSignal, track));
  }

  private async write(
    scanned: RawItem,
    plan: Extract<WritePlan, { kind: 'update' | 'delete' }>,
    signal: AbortSignal,
  ): Promise<{ status: 'done' | 'conflict' | 'interrupted' | 'unsent'; retries: number } | { status: 'failed'; why: FailureReason; retries: number }> {
    const { client, table, keyAttributes } = this.options;
    try {
      const response =
        plan.kind === 'delete'
          ? await this.send('write', signal, (consumed, abortSignal, track) =>
              client.send(track(new DeleteItemCommand({ ...deleteParams(table, scanned, keyAttributes, this.options.conditionStyle), ...consumed })), { abortSignal }),
            )
          : await this.send('write', signal, (consumed, abortSignal, track) =>
              client.send(track(new UpdateItemCommand({ ...updateParams(table, scanned, keyAttributes, plan, this.marker, this.options.conditionStyle), ...consumed })), { abortSignal }),
            );
      return { status: 'done', retries: attemptsOf(response) - 1 };
    } catch (error) {
      if (error instanceof NotSentError) return { status: 'unsent', retries: 0 };
      if (error instanceof InterruptedError) return { status: 'interrupted', retries: 0 };
      const retries = attemptsOf(error) - 1;
      if (error instanceof ConditionalCheckFailedException || (error as Error).name === 'ConditionalCheckFailedException') {
        return { status: 'conflict', retries };
      }
      const fatal = tableLevelError(error, table, plan.kind === 'delete' ? 'dynamodb:DeleteItem' : 'dynamodb:UpdateItem');
      if (fatal) throw fatal;
      return { status: 'failed', why: reason`${failureOf(error)}${retries > 0 ? ` (after ${retries + 1} attempts)` : ''}`, retries };
    }
  }

  private async reread(item: RawItem, signal: AbortSignal): Promise<{ item?: RawItem; retries: number } | { error: FailureReason } | { interrupted: true }> {
    const { client, table, keyAttributes } = this.options;
    try {
      const response = await this.send('get', signal, (consumed, abortSignal, track) =>
        client.send(track(new GetItemCommand({ TableName: table, Key: keyOf(item, keyAttributes), ConsistentRead: true, ...consumed })), { abortSignal }),
      );
      return { ...(response.Item && { item: response.Item }), retries: attemptsOf(response) - 1 };
    } catch (error) {
      if (error instanceof InterruptedError) return { interrupted: true };
      const fatal = tableLevelError(error, table, 'dynamodb:GetItem');
      if (fatal) throw fatal;
      return { error: errorReason(error) };
    }
  }
}
