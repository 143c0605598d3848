import type { AttributeValue, DeleteItemCommandInput, UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import type { TransformResult } from '../migrations/define';
import { keyOf, sameAttributeValue, toRawItem, type RawItem } from './attribute-values';
import { quoted, reason, type FailureReason } from './failure-reason';

/** What one transform result means for the table. */
export type WritePlan =
  | { kind: 'unchanged' }
  | { kind: 'update'; set: RawItem; remove: string[] }
  | { kind: 'delete' }
  | ({ kind: 'invalid' } & FailureReason);

const kindOf = (value: unknown): string =>
  Array.isArray(value) ? 'an array' : value instanceof Set ? 'a Set' : value === null ? 'null' : `a ${typeof value}`;

/**
 * Compares the transform's result with the scanned item and decides the smallest write: only the
 * attributes that differ are SET, only the ones that disappeared are REMOVEd. Pure.
 */
export function planWrite(scanned: RawItem, result: TransformResult, keyAttributes: string[]): WritePlan {
  if (result === undefined) return { kind: 'unchanged' };
  if (result === null) return { kind: 'delete' };
  if (typeof result !== 'object' || Array.isArray(result) || result instanceof Set || result instanceof Uint8Array) {
    return {
      kind: 'invalid',
      ...reason`transform returned ${kindOf(result)}; return the item object, undefined to leave it unchanged, or null to delete it`,
    };
  }
  let next: RawItem;
  try {
    next = toRawItem(result);
  } catch (error) {
    // The marshaller's message can quote the value (a number too large for JavaScript, say).
    return { kind: 'invalid', ...reason`transform returned a value DynamoDB cannot store: ${quoted((error as Error).message)}` };
  }
  for (const name of keyAttributes) {
    const after = next[name];
    if (after === undefined) return { kind: 'invalid', ...reason`transform removed key attribute '${name}'; keys cannot change` };
    if (!sameAttributeValue(scanned[name]!, after)) {
      return { kind: 'invalid', ...reason`transform changed key attribute '${name}'; keys cannot change (write a new item instead)` };
    }
  }
  const set: RawItem = {};
  for (const [name, value] of Object.entries(next)) {
    const before = scanned[name];
    if (before === undefined || !sameAttributeValue(before, value)) set[name] = value;
  }
  const remove = Object.keys(scanned).filter((name) => !(name in next));
  return Object.keys(set).length === 0 && remove.length === 0 ? { kind: 'unchanged' } : { kind: 'update', set, remove };
}

/**
 * How a condition says "still holds its scanned value" for a map or list: `=` on the whole value
 * (AWS, DynamoDB Local), or type, size and each element (for endpoints that cannot compare whole
 * maps and lists, such as dynalite). Whole values keep a wide nested item's condition within limits.
 */
export type ConditionStyle = 'whole-values' | 'element-by-element';

/** DynamoDB's limits on one expression: its length, and how many operators and functions it uses. */
const MAX_EXPRESSION_LENGTH = 4096;
const MAX_EXPRESSION_OPERATORS = 300;

/** Counts comparators, logical operators and functions; names and values are placeholders, so they never match. */
const operatorCount = (expression: string): number =>
  (expression.match(/\b(AND|OR|NOT)\b|<>|<=|>=|=|<|>|\b(attribute_exists|attribute_not_exists|attribute_type|size)\(/g) ?? []).length;

const withinLimits = (expression: string): boolean =>
  expression.length <= MAX_EXPRESSION_LENGTH && operatorCount(expression) <= MAX_EXPRESSION_OPERATORS;

/** Names and values for an expression, with placeholders that never collide with user names. */
class ExpressionBuilder {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, AttributeValue> = {};
  private readonly nameIds = new Map<string, string>();

  constructor(private readonly style: ConditionStyle) {}

  name(attribute: string): string {
    let id = this.nameIds.get(attribute);
    if (!id) {
      id = `#n${this.nameIds.size}`;
      this.nameIds.set(attribute, id);
      this.names[id] = attribute;
    }
    return id;
  }

  value(v: AttributeValue): string {
    const id = `:v${Object.keys(this.values).length}`;
    this.values[id] = v;
    return id;
  }

  /** "Still as scanned": equal to the scanned value, or still absent. */
  unchanged(attribute: string, scanned: AttributeValue | undefined): string {
    const path = this.name(attribute);
    return scanned === undefined ? `attribute_not_exists(${path})` : this.equals(path, scanned);
  }

  /** Equality for every type: maps and lists as one value, or element by element (see ConditionStyle). */
  private equals(path: string, value: AttributeValue): string {
    if (this.style === 'whole-values') return `${path} = ${this.value(value)}`;
    if (value.M !== undefined) {
      const entries = Object.entries(value.M);
      return [`attribute_type(${path}, ${this.value({ S: 'M' })})`, `size(${path}) = ${this.value({ N: String(entries.length) })}`, ...entries.map(([k, v]) => this.equals(`${path}.${this.name(k)}`, v))].join(' AND ');
    }
    if (value.L !== undefined) {
      return [`attribute_type(${path}, ${this.value({ S: 'L' })})`, `size(${path}) = ${this.value({ N: String(value.L.length) })}`, ...value.L.map((v, i) => this.equals(`${path}[${i}]`, v))].join(' AND ');
    }
    return `${path} = ${this.value(value)}`;
  }
}

/** An item too wide or deep to condition within DynamoDB's expression limit; it is left as it is. */
export class ConditionTooLongError extends Error {
  constructor(length: number, operators: number) {
    super(
      `the write condition for this item would be ${length} characters with ${operators} operators, over DynamoDB's expression limits (${MAX_EXPRESSION_LENGTH} characters, ${MAX_EXPRESSION_OPERATORS} operators): too many or too deeply nested changed attributes; migrate it separately`,
    );
    this.name = 'ConditionTooLongError';
  }
}

/**
 * The condition that the item still exists and still holds what was scanned. Every scanned attribute
 * is checked, so a concurrent change to one of them (which the transform may have read) is noticed;
 * when that would exceed DynamoDB's expression limits, only the attributes being written are.
 * Each attempt gets its own builder, so no unused placeholder is sent (DynamoDB rejects those).
 */
function stillAsScanned(scanned: RawItem, keyAttributes: string[], written: string[], style: ConditionStyle): { x: ExpressionBuilder; condition: string } {
  const nonKey = (names: string[]) => [...new Set(names)].filter((n) => !keyAttributes.includes(n));
  let length = 0;
  let operators = 0;
  for (const names of [nonKey([...Object.keys(scanned), ...written]), nonKey(written)]) {
    const x = new ExpressionBuilder(style);
    const condition = [`attribute_exists(${x.name(keyAttributes[0]!)})`, ...names.map((n) => x.unchanged(n, scanned[n]))].join(' AND ');
    if (withinLimits(condition)) return { x, condition };
    length = condition.length;
    operators = operatorCount(condition);
  }
  throw new ConditionTooLongError(length, operators);
}

/** A version marker: the attribute and the migration id written with every change. */
export interface VersionMarker {
  attribute: string;
  value: string;
}

/** UpdateItem parameters for an update plan, conditioned on the item being as scanned. */
export function updateParams(
  table: string,
  scanned: RawItem,
  keyAttributes: string[],
  plan: { set: RawItem; remove: string[] },
  marker?: VersionMarker,
  style: ConditionStyle = 'whole-values',
): UpdateItemCommandInput {
  const set = { ...plan.set, ...(marker && { [marker.attribute]: { S: marker.value } }) };
  const remove = plan.remove.filter((n) => n !== marker?.attribute);
  const { x, condition } = stillAsScanned(scanned, keyAttributes, [...Object.keys(set), ...remove], style);
  const setClause = Object.entries(set).map(([n, v]) => `${x.name(n)} = ${x.value(v)}`);
  const removeClause = remove.map((n) => x.name(n));
  const update = [
    setClause.length > 0 ? `SET ${setClause.join(', ')}` : '',
    removeClause.length > 0 ? `REMOVE ${removeClause.join(', ')}` : '',
  ].filter(Boolean);
  return {
    TableName: table,
    Key: keyOf(scanned, keyAttributes),
    UpdateExpression: update.join(' '),
    ConditionExpression: condition,
    ExpressionAttributeNames: x.names,
    ...(Object.keys(x.values).length > 0 && { ExpressionAttributeValues: x.values }),
  };
}

/** DeleteItem parameters, conditioned on the item being as scanned. */
export function deleteParams(table: string, scanned: RawItem, keyAttributes: string[], style: ConditionStyle = 'whole-values'): DeleteItemCommandInput {
  const { x, condition } = stillAsScanned(scanned, keyAttributes, Object.keys(scanned), style);
  return {
    TableName: table,
    Key: keyOf(scanned, keyAttributes),
    ConditionExpression: condition,
    ExpressionAttributeNames: x.names,
    ...(Object.keys(x.values).length > 0 && { ExpressionAttributeValues: x.values }),
  };
}
