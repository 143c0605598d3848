import { createHash } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { NumberValue } from '@aws-sdk/lib-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { Item } from '../migrations/define';

/** An item as DynamoDB returns it (wire format), which is what conditions compare against. */
export type RawItem = Record<string, AttributeValue>;

/** Numbers a JS number holds exactly become numbers; all others stay exact as `NumberValue`. */
const wrapNumber = (text: string): number | NumberValue => {
  const n = Number(text);
  return Number.isFinite(n) && canonicalNumber(String(n)) === canonicalNumber(text) ? n : NumberValue.from(text);
};

/** The item as plain JavaScript values for the user's transform. */
export const toPlainItem = (raw: RawItem): Item => unmarshall(raw, { wrapNumbers: wrapNumber }) as Item;

/**
 * A number set mixing plain numbers and `NumberValue`s (as exact unmarshalling yields) is made all
 * `NumberValue`, because the SDK's marshall picks the set's type from its first element.
 */
function exactNumberSets(value: unknown): unknown {
  if (value instanceof Set) {
    const members = [...value];
    return members.some((m) => m instanceof NumberValue) && members.some((m) => typeof m === 'number')
      ? new Set(members.map((m) => (typeof m === 'number' ? NumberValue.from(String(m)) : m)))
      : value;
  }
  if (Array.isArray(value)) return value.map(exactNumberSets);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, exactNumberSets(v)]));
  }
  return value;
}

/** The transform's item in wire format; throws with the library's reason for values DynamoDB cannot hold. */
export const toRawItem = (item: Item): RawItem =>
  marshall(exactNumberSets(item) as Item, { removeUndefinedValues: true, convertClassInstanceToMap: false }) as RawItem;

/** A decimal number string in one canonical form, so `1.50`, `1.5` and `15e-1` compare equal. */
export function canonicalNumber(text: string): string {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (!m) return text;
  const fraction = m[3] ?? '';
  let digits = `${m[2]}${fraction}`.replace(/^0+/, '');
  if (digits === '') return '0';
  let exponent = Number(m[4] ?? 0) - fraction.length;
  const trimmed = digits.replace(/0+$/, '');
  exponent += digits.length - trimmed.length;
  digits = trimmed;
  return `${m[1] === '-' ? '-' : ''}${digits}e${exponent}`;
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));
const sameSet = (a: string[], b: string[]): boolean => {
  const left = new Set(a);
  return left.size === new Set(b).size && b.every((x) => left.has(x));
};
const base64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');

/** Whether two attribute values are the same value as DynamoDB sees it (sets unordered, numbers numeric). */
export function sameAttributeValue(a: AttributeValue, b: AttributeValue): boolean {
  if (a.S !== undefined) return a.S === b.S;
  if (a.N !== undefined) return b.N !== undefined && canonicalNumber(a.N) === canonicalNumber(b.N);
  if (a.B !== undefined) return b.B !== undefined && sameBytes(a.B, b.B);
  if (a.BOOL !== undefined) return a.BOOL === b.BOOL;
  if (a.NULL !== undefined) return b.NULL !== undefined;
  if (a.SS !== undefined) return b.SS !== undefined && sameSet(a.SS, b.SS);
  if (a.NS !== undefined) return b.NS !== undefined && sameSet(a.NS.map(canonicalNumber), b.NS.map(canonicalNumber));
  if (a.BS !== undefined) return b.BS !== undefined && sameSet(a.BS.map(base64), b.BS.map(base64));
  if (a.L !== undefined) return b.L !== undefined && a.L.length === b.L.length && a.L.every((x, i) => sameAttributeValue(x, b.L![i]!));
  if (a.M !== undefined) return b.M !== undefined && sameRawItem(a.M, b.M);
  return false;
}

/** Whether two items hold the same attributes with the same values. */
export function sameRawItem(a: RawItem, b: RawItem): boolean {
  const names = Object.keys(a);
  return names.length === Object.keys(b).length && names.every((n) => b[n] !== undefined && sameAttributeValue(a[n]!, b[n]!));
}

/** A key as JSON for reports and logs: strings and exact numbers as they are, binary as base64. */
export function keyForReport(raw: RawItem, keyAttributes: string[]): Record<string, string | number> {
  const key: Record<string, string | number> = {};
  for (const name of keyAttributes) {
    const v = raw[name];
    if (v?.S !== undefined) key[name] = v.S;
    else if (v?.N !== undefined) key[name] = Number.isSafeInteger(Number(v.N)) ? Number(v.N) : v.N;
    else if (v?.B !== undefined) key[name] = `base64:${base64(v.B)}`;
  }
  return key;
}

/** The key attributes of an item, for GetItem/UpdateItem/DeleteItem. */
export const keyOf = (raw: RawItem, keyAttributes: string[]): RawItem =>
  Object.fromEntries(keyAttributes.map((name) => [name, raw[name]!]));

/** An attribute value in one canonical JSON form: sets sorted, numbers canonical, binary as base64. */
function canonicalValue(v: AttributeValue): unknown {
  if (v.S !== undefined) return { S: v.S };
  if (v.N !== undefined) return { N: canonicalNumber(v.N) };
  if (v.B !== undefined) return { B: base64(v.B) };
  if (v.BOOL !== undefined) return { BOOL: v.BOOL };
  if (v.NULL !== undefined) return { NULL: true };
  if (v.SS !== undefined) return { SS: [...v.SS].sort() };
  if (v.NS !== undefined) return { NS: v.NS.map(canonicalNumber).sort() };
  if (v.BS !== undefined) return { BS: v.BS.map(base64).sort() };
  if (v.L !== undefined) return { L: v.L.map(canonicalValue) };
  if (v.M !== undefined) return { M: Object.keys(v.M).sort().map((k) => [k, canonicalValue(v.M![k]!)]) };
  return null;
}

/**
 * A short digest of the values of `names` in `item`, equal for equal values (as DynamoDB compares
 * them); undefined when one of them is missing.
 */
export function attributesDigest(item: RawItem, names: string[]): string | undefined {
  const sorted = [...names].sort();
  if (sorted.some((n) => item[n] === undefined)) return undefined;
  return createHash('sha256')
    .update(JSON.stringify(sorted.map((n) => [n, canonicalValue(item[n]!)])))
    .digest('base64url')
    .slice(0, 22);
}

/** A 64-bit hash of a whole item (every attribute's name and value), as 16 hex digits, for the table digest. */
export function itemDigest(item: RawItem): string {
  const names = Object.keys(item).sort();
  return createHash('sha256')
    .update(JSON.stringify(names.map((n) => [n, canonicalValue(item[n]!)])))
    .digest('hex')
    .slice(0, 16);
}
