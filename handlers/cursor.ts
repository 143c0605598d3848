import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/**
 * Scan cursors travel through the state payload as opaque strings: a LastEvaluatedKey may hold
 * binary key values, which plain JSON cannot carry.
 */
export function encodeCursor(key: Record<string, AttributeValue>): string {
  const json = JSON.stringify(key, (_name, value: unknown) =>
    value instanceof Uint8Array ? { $b64: Buffer.from(value).toString('base64') } : value,
  );
  return Buffer.from(json).toString('base64url');
}

/** The LastEvaluatedKey a cursor stands for; a damaged cursor is an error that says so. */
export function decodeCursor(cursor: string): Record<string, AttributeValue> {
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'), (_name, value: unknown) =>
      value !== null && typeof value === 'object' && '$b64' in value
        ? new Uint8Array(Buffer.from(String((value as { $b64: string }).$b64), 'base64'))
        : value,
    ) as Record<string, AttributeValue>;
  } catch (error) {
    throw new Error(`The scan cursor ${JSON.stringify(cursor.slice(0, 40))} is damaged; start the segment again.`, { cause: error });
  }
}
