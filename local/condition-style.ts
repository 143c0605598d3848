/**
 * Which kind of write condition an endpoint takes. AWS and DynamoDB Local compare whole maps and
 * lists with `=`, which keeps the condition on a wide nested item short; dynalite evaluates such a
 * comparison as false (every write would look like a conflict), so there maps and lists are compared
 * element by element. dynalite is recognised by what it lacks: transactions. The probe reads one key
 * that need not exist, and writes nothing.
 */
import { DescribeTableCommand, TransactGetItemsCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ConditionStyle } from '../handlers/write-plan';
import { isLoopback } from './connection';

const probeValue = (type: string | undefined): AttributeValue =>
  type === 'N' ? { N: '0' } : type === 'B' ? { B: new Uint8Array([0]) } : { S: 'ddb-migrate-condition-probe' };

/** The condition style for `table` at the client's endpoint (AWS itself: whole values, without asking). */
export async function conditionStyleOf(client: DynamoDBClient, table: string, endpoint?: string): Promise<ConditionStyle> {
  if (endpoint !== undefined && !isLoopback(endpoint)) return 'whole-values';
  const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
  const types = new Map((Table?.AttributeDefinitions ?? []).map((d) => [d.AttributeName, d.AttributeType]));
  const Key = Object.fromEntries((Table?.KeySchema ?? []).map((k) => [k.AttributeName!, probeValue(types.get(k.AttributeName))]));
  try {
    await client.send(new TransactGetItemsCommand({ TransactItems: [{ Get: { TableName: table, Key } }] }));
    return 'whole-values';
  } catch (error) {
    if ((error as Error).name === 'UnknownOperationException') return 'element-by-element';
    throw error;
  }
}
