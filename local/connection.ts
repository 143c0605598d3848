import './polyfills';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { migrationClientConfig } from '../handlers/dynamodb-client';

/** Static credentials: the SDK chain's own, or the stand-ins for a local endpoint that has none. */
export interface StaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** Where and how to reach DynamoDB: an endpoint (dynalite, DynamoDB Local) or AWS; unset parts come from the SDK's chain. */
export interface Connection {
  endpoint?: string;
  region?: string;
  /** Only set when the SDK's chain must not be used (stand-ins for a local endpoint). */
  credentials?: StaticCredentials;
}

/** Whether an endpoint is on this machine. */
export const isLoopback = (endpoint: string | undefined): boolean => endpoint !== undefined && /^https?:\/\/(localhost|127\.|\[::1\])/.test(endpoint);

/**
 * Stand-ins for a local endpoint when the SDK's chain finds none. Letters and digits only: DynamoDB
 * Local rejects other access key ids.
 */
export const LOCAL_CREDENTIALS: StaticCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/** The region a local endpoint gets when the SDK's chain has none. */
export const LOCAL_REGION = 'us-east-1';

/** A connection to a test or benchmark database on this machine, with the stand-in credentials and region. */
export const localConnection = (endpoint: string, region = LOCAL_REGION): Connection => ({ endpoint, region, credentials: LOCAL_CREDENTIALS });

/** The client settings for a connection: the migration's retry and timeouts, plus exactly what the connection says. */
export function connectionConfig(connection: Connection, maxAttempts?: number): DynamoDBClientConfig {
  return {
    ...migrationClientConfig(maxAttempts),
    ...(connection.region && { region: connection.region }),
    ...(connection.endpoint && { endpoint: connection.endpoint }),
    ...(connection.credentials && { credentials: connection.credentials }),
  };
}

/** A DynamoDB client for a connection. */
export const dynamoDbClient = (connection: Connection): DynamoDBClient => new DynamoDBClient(connectionConfig(connection));

/** A connection whose region is settled, and what was assumed to get there (for the output). */
export interface ResolvedConnection {
  connection: Connection & { region: string };
  /** Sentences for the user: which stand-ins were used and why. Empty when the chain had everything. */
  assumed: string[];
}

/** No region in the flags or the SDK's chain, against AWS itself: the user has to say which. */
export class MissingRegionError extends Error {
  constructor() {
    super('No AWS region: pass --region, or set AWS_REGION (or a region in your AWS profile).');
    this.name = 'MissingRegionError';
  }
}

/**
 * Settles region and credentials the way the AWS CLI would: the SDK's default chains (environment,
 * profile, SSO, ...) for every endpoint, so DynamoDB Local, which keeps tables per access key and
 * region, sees the same namespace as the user's other tools. Only a local endpoint whose chain has
 * nothing gets stand-ins, and `assumed` says so.
 */
export async function resolveConnection(connection: Connection): Promise<ResolvedConnection> {
  const local = isLoopback(connection.endpoint);
  // A laptop talking to a local endpoint is not on EC2: probing the instance metadata service only
  // costs seconds (and sends traffic off the machine) before the stand-ins are used anyway.
  if (local) process.env.AWS_EC2_METADATA_DISABLED ??= 'true';
  const probe = new DynamoDBClient({
    ...(connection.region && { region: connection.region }),
    ...(connection.endpoint && { endpoint: connection.endpoint }),
    ...(connection.credentials && { credentials: connection.credentials }),
  });
  const assumed: string[] = [];
  try {
    let region = connection.region ?? (await probe.config.region().catch(() => undefined));
    if (!region) {
      if (!local) throw new MissingRegionError();
      region = LOCAL_REGION;
      assumed.push(`no AWS region configured: using ${LOCAL_REGION} (set AWS_REGION or --region; DynamoDB Local keeps tables per region)`);
    }
    let credentials = connection.credentials;
    if (!credentials && local) {
      const found = await probe.config.credentials().then(
        () => true,
        () => false,
      );
      if (!found) {
        credentials = LOCAL_CREDENTIALS;
        assumed.push(
          `no AWS credentials found: using access key id '${LOCAL_CREDENTIALS.accessKeyId}' for ${connection.endpoint} (DynamoDB Local keeps tables per access key id)`,
        );
      }
    }
    return { connection: { ...connection, region, ...(credentials && { credentials }) }, assumed };
  } finally {
    probe.destroy();
  }
}
