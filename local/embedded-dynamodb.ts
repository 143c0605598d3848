import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { AddressInfo } from 'node:net';
import { DYNAMODB_MAX_ATTEMPTS, PerRequestRetryStrategy } from '../handlers/retry-strategy';

// dynalite ships no types; this is the part of its API we use.
const dynalite = require('dynalite') as (options: { createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => {
  listen(port: number, host: string, cb: (err?: Error) => void): void;
  close(cb: () => void): void;
  address(): AddressInfo;
};

/** An in-process DynamoDB (dynalite, in memory) on a free loopback port. */
export interface EmbeddedDynamoDB {
  endpoint: string;
  close(): Promise<void>;
}

/** Starts dynalite with instant table creation, so demos and tests do not wait. */
export async function startEmbeddedDynamoDB(): Promise<EmbeddedDynamoDB> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => server.listen(0, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
  return {
    endpoint: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Where and how to reach DynamoDB: an endpoint (dynalite, DynamoDB Local) or the AWS default chain. */
export interface Connection {
  endpoint?: string;
  region?: string;
}

/** Local endpoints take any credentials; real AWS uses the default provider chain. */
export function clientConfig(connection: Connection, maxAttempts = DYNAMODB_MAX_ATTEMPTS): DynamoDBClientConfig {
  const local = connection.endpoint !== undefined && /^https?:\/\/(localhost|127\.|\[::1\])/.test(connection.endpoint);
  // Real AWS: leave the region to the SDK's chain (AWS_REGION, the profile); a local endpoint needs one.
  const region = connection.region ?? (local ? 'us-east-1' : undefined);
  return {
    ...(region && { region }),
    ...(connection.endpoint && { endpoint: connection.endpoint }),
    ...(local && { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
    retryStrategy: new PerRequestRetryStrategy(maxAttempts),
  };
}

/** A DynamoDB client for a connection. */
export const dynamoDbClient = (connection: Connection): DynamoDBClient => new DynamoDBClient(clientConfig(connection));
