import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';

/** A key attribute as a cursor holds it: binary as base64, inside its own type tag, so no name can collide. */
const cursorValueSchema = z.union([
  z.strictObject({ S: z.string() }),
  z.strictObject({ N: z.string() }),
  z.strictObject({ B: z.base64() }),
]);
const cursorSchema = z.record(z.string(), cursorValueSchema);

/**
 * Scan cursors travel through the state payload as opaque strings: a LastEvaluatedKey may hold
 * binary key values, which plain JSON cannot carry.
 */
export function encodeCursor(key: Record<string, AttributeValue>): string {
  const wire = Object.fromEntries(
    Object.entries(key).map(([name, value]) => [name, value.B !== undefined ? { B: Buffer.from(value.B).toString('base64') } : value]),
  );
  return Buffer.from(JSON.stringify(wire)).toString('base64url');
}

/** The LastEvaluatedKey a cursor stands for; a damaged cursor is an error that says so. */
export function decodeCursor(cursor: string): Record<string, AttributeValue> {
  let parsed;
  try {
    parsed = cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch (error) {
    throw new Error(`The scan cursor ${JSON.stringify(cursor.slice(0, 40))} is damaged; start the segment again.`, { cause: error });
  }
  return Object.fromEntries(
    Object.entries(parsed).map(([name, value]): [string, AttributeValue] => [name, 'B' in value ? { B: new Uint8Array(Buffer.from(value.B, 'base64')) } : value]),
  );
}

/** The cursor of a segment that has not started: no ExclusiveStartKey (a segment without a cursor is done). */
export const START_CURSOR = encodeCursor({});
