import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { Migration } from '../migrations/define';
import type { ItemChange } from '../workflow/contract';
import { NumberValue } from '@aws-sdk/lib-dynamodb';
import { keyForReport, keyOf, sameAttributeValue, sameRawItem, toPlainItem, type RawItem } from './attribute-values';
import { tableLevelError } from './errors';
import { deleteParams, planWrite, updateParams, type VersionMarker, type WritePlan } from './write-plan';

/** What happened to one item. */
export type ItemOutcome =
  | { kind: 'updated' | 'deleted'; change?: ItemChange }
  | { kind: 'unchanged' | 'skipped' }
  | { kind: 'failed'; reason: string };

/** Outcome plus the retry and conflict counts it took. */
export type ItemReport = ItemOutcome & { key: Record<string, string | number>; retries: number; conflicts: number };

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
}

/** Dry-run samples: at most this many attributes, each at most this long as JSON. */
const MAX_SAMPLE_ATTRIBUTES = 20;
const MAX_SAMPLE_VALUE_CHARS = 200;

const message = (error: unknown): string =>
  error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);

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

  async migrate(scanned: RawItem): Promise<ItemReport> {
    const { keyAttributes } = this.options;
    const key = keyForReport(scanned, keyAttributes);
    const report = { key, retries: 0, conflicts: 0 };
    let current: RawItem = scanned;
    for (let attempt = 0; attempt <= this.maxConflictRetries; attempt++) {
      if (this.marker && current[this.marker.attribute]?.S === this.marker.value) return { ...report, kind: 'skipped' };
      const plan = await this.plan(current);
      if (plan.kind === 'invalid') return { ...report, kind: 'failed', reason: plan.reason };
      if (plan.kind === 'unchanged') return { ...report, kind: 'unchanged' };
      const kind = plan.kind === 'delete' ? 'deleted' : 'updated';
      if (this.options.dryRun) {
        const problem = this.unwritable(current, plan);
        return problem ? { ...report, kind: 'failed', reason: problem } : { ...report, kind, change: this.describe(key, plan) };
      }

      const written = await this.write(current, plan);
      report.retries += written.retries;
      if (written.status === 'done') return { ...report, kind };

      // A failed condition or a failed call: look at the item as it is now before deciding.
      const reread = await this.reread(current);
      if ('error' in reread) {
        const why = written.status === 'failed' ? written.reason : 'its condition failed';
        return { ...report, kind: 'failed', reason: `the write failed (${why}) and re-reading the item failed: ${reread.error}` };
      }
      report.retries += reread.retries;
      const now = reread.item;
      // The write landed although its response was lost (a retried call then fails its condition).
      if (this.landed(now, plan)) return { ...report, kind };
      if (!now) return { ...report, kind: 'skipped' }; // deleted meanwhile: a concurrent delete wins
      if (written.status === 'failed' && sameRawItem(now, current)) return { ...report, kind: 'failed', reason: written.reason };
      report.conflicts += 1;
      current = now;
    }
    return {
      ...report,
      kind: 'failed',
      reason: `the item kept changing while being migrated (${this.maxConflictRetries + 1} attempts); run the migration again to retry it`,
    };
  }

  /**
   * Whether the table already holds what `plan` writes: every written attribute has its new value
   * and every removed one is gone. Only written attributes are compared, so a concurrent change to
   * another attribute does not hide a write that landed with a lost response.
   */
  private landed(now: RawItem | undefined, plan: Extract<WritePlan, { kind: 'update' | 'delete' }>): boolean {
    if (plan.kind === 'delete') return now === undefined;
    if (!now) return false;
    const written: RawItem = { ...plan.set, ...(this.marker && { [this.marker.attribute]: { S: this.marker.value } }) };
    return (
      Object.entries(written).every(([name, value]) => now[name] !== undefined && sameAttributeValue(now[name]!, value)) &&
      plan.remove.every((name) => name === this.marker?.attribute || now[name] === undefined)
    );
  }

  private async plan(item: RawItem): Promise<WritePlan> {
    try {
      return planWrite(item, await this.options.migration.transform(toPlainItem(item)), this.options.keyAttributes);
    } catch (error) {
      return { kind: 'invalid', reason: `transform threw ${message(error)}` };
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
  private unwritable(item: RawItem, plan: Extract<WritePlan, { kind: 'update' | 'delete' }>): string | undefined {
    const { table, keyAttributes } = this.options;
    try {
      if (plan.kind === 'delete') deleteParams(table, item, keyAttributes);
      else updateParams(table, item, keyAttributes, plan, this.marker);
      return undefined;
    } catch (error) {
      return message(error);
    }
  }

  private async write(
    scanned: RawItem,
    plan: Extract<WritePlan, { kind: 'update' | 'delete' }>,
  ): Promise<{ status: 'done' | 'conflict'; retries: number } | { status: 'failed'; reason: string; retries: number }> {
    const { client, table, keyAttributes } = this.options;
    try {
      const command =
        plan.kind === 'delete'
          ? new DeleteItemCommand(deleteParams(table, scanned, keyAttributes))
          : new UpdateItemCommand(updateParams(table, scanned, keyAttributes, plan, this.marker));
      const response = await client.send(command);
      return { status: 'done', retries: attemptsOf(response) - 1 };
    } catch (error) {
      const retries = attemptsOf(error) - 1;
      if (error instanceof ConditionalCheckFailedException || (error as Error).name === 'ConditionalCheckFailedException') {
        return { status: 'conflict', retries };
      }
      const fatal = tableLevelError(error, table, plan.kind === 'delete' ? 'dynamodb:DeleteItem' : 'dynamodb:UpdateItem');
      if (fatal) throw fatal;
      return { status: 'failed', reason: `${message(error)}${retries > 0 ? ` (after ${retries + 1} attempts)` : ''}`, retries };
    }
  }

  private async reread(item: RawItem): Promise<{ item?: RawItem; retries: number } | { error: string }> {
    const { client, table, keyAttributes } = this.options;
    try {
      const response = await client.send(
        new GetItemCommand({ TableName: table, Key: keyOf(item, keyAttributes), ConsistentRead: true }),
      );
      return { ...(response.Item && { item: response.Item }), retries: attemptsOf(response) - 1 };
    } catch (error) {
      const fatal = tableLevelError(error, table, 'dynamodb:GetItem');
      if (fatal) throw fatal;
      return { error: message(error) };
    }
  }
}
