/**
 * The table digest: the sum, modulo 2^64, of a 64-bit hash of every item. A sum does not depend on
 * the order items are seen in, so every split into segments gives the same digest, and one changed
 * attribute of one item changes it. 16 hex digits.
 */

const MODULUS = 1n << 64n;

/** The digest of no items. */
export const EMPTY_DIGEST = '0'.repeat(16);

/** The digest of the items of two digests together. */
export function combineDigests(a: string, b: string): string {
  return ((BigInt(`0x${a}`) + BigInt(`0x${b}`)) % MODULUS).toString(16).padStart(16, '0');
}
