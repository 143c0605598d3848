import { ScanCommand, type DynamoDBClient, type ScanCommandOutput } from '@aws-sdk/client-dynamodb';
import type { Plan } from '../workflow/contract';
import type { CapacityGate } from './capacity-gate';
import { decodeCursor } from './cursor';

/** Which page of a segment to read. */
export interface PageRequest {
  plan: Pick<Plan, 'table' | 'totalSegments'>;
  segment: number;
  /** Where the page starts (handlers/cursor.ts). */
  cursor: string;
  limit: number;
  /** Strongly consistent (verification: a write that just landed is seen). */
  consistent?: boolean;
}

/** One Scan page of a segment, through the batch's capacity gate, charged with the capacity it consumed. */
export function scanPage(gate: CapacityGate, client: DynamoDBClient, signal: AbortSignal, page: PageRequest): Promise<ScanCommandOutput> {
  const startKey = decodeCursor(page.cursor);
  const scan = new ScanCommand({
    TableName: page.plan.table,
    Segment: page.segment,
    TotalSegments: page.plan.totalSegments,
    Limit: page.limit,
    ReturnConsumedCapacity: 'TOTAL',
    ...(page.consistent && { ConsistentRead: true }),
    ...(Object.keys(startKey).length > 0 && { ExclusiveStartKey: startKey }),
  });
  return gate.send('scan', signal, (abortSignal, track) => client.send(track(scan), { abortSignal }));
}
