import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { migrationClientConfig } from '../handlers/dynamodb-client';

/** Where and how to reach DynamoDB: an endpoint (dynalite, DynamoDB Local) or AWS's default. */
export interface Connection {
  endpoint?: string;
  region?: string;
}

/** Whether an endpoint is on this machine. */
export const isLoopback = (endpoint: string | undefined): boolean => endpoint !== undefined && /^https?:\/\/(localhost|127\.|\[::1\])/.test(endpoint);

/** The client settings for a connection: the migration's retry and timeouts, plus where to connect. */
export function connectionConfig(connection: Connection, maxAttempts?: number): DynamoDBClientConfig {
  const local = isLoopback(connection.endpoint);
  // Real AWS: leave the region to the SDK's chain (AWS_REGION, the profile); a local endpoint needs one.
  const region = connection.region ?? (local ? 'us-east-1' : undefined);
  return {
    ...migrationClientConfig(maxAttempts),
    ...(region && { region }),
    ...(connection.endpoint && { endpoint: connection.endpoint }),
    ...(local && { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  };
}

/** A DynamoDB client for a connection. */
export const dynamoDbClient = (connection: Connection): DynamoDBClient => new DynamoDBClient(connectionConfig(connection));
