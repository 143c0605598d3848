/**
 * An item's size as DynamoDB counts it for capacity, after "DynamoDB item sizes and formats"
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html).
 * The capacity emulator needs it only where the upstream reports no per-item cost (which items of a
 * BatchWriteItem fit the capacity left); the upstream's own ConsumedCapacity stays the source of truth.
 */
import type { WireItem, WireValue } from './wire';

const utf8 = (text: string): number => Buffer.byteLength(text, 'utf8');

/** "1 byte per two significant digits, plus 1": leading and trailing zeroes do not count. */
function numberSize(text: string): number {
  const digits = text.replace(/^[-+]/, '').replace(/[eE].*$/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

/** Bytes of one attribute value, without its name. */
export function valueSize(value: WireValue): number {
  if (value.S !== undefined) return utf8(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return Buffer.from(value.B, 'base64').length;
  if (value.SS) return value.SS.reduce((sum, s) => sum + utf8(s), 0);
  if (value.NS) return value.NS.reduce((sum, n) => sum + numberSize(n), 0);
  if (value.BS) return value.BS.reduce((sum, b) => sum + Buffer.from(b, 'base64').length, 0);
  // Lists and maps: 3 bytes of overhead, and 1 more per element.
  if (value.L) return 3 + value.L.reduce((sum, element) => sum + 1 + valueSize(element), 0);
  if (value.M) return 3 + Object.keys(value.M).length + itemSize(value.M);
  return 1; // BOOL, NULL
}

/** Bytes of an item: every attribute's name (UTF-8) and value. */
export function itemSize(item: WireItem): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + utf8(name) + valueSize(value), 0);
}

/** Write capacity units to write an item: one per started KB, at least one. */
export const writeUnits = (item: WireItem): number => Math.max(1, Math.ceil(itemSize(item) / 1024));
