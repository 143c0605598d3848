/**
 * DynamoDB's answer to a request beyond provisioned throughput: HTTP 400 with
 * `ProvisionedThroughputExceededException`, which the AWS SDK v3 classifies as a throttling error and
 * retries with its throttling backoff (@smithy/core retry THROTTLING_ERROR_CODES).
 */

/** The message DynamoDB sends when a table's (or a GSI's read) capacity is exceeded. */
export const TABLE_THROUGHPUT_EXCEEDED =
  'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.';

/** The message DynamoDB sends when a write is held back by a GSI's write capacity (as seen in SDK logs). */
export const INDEX_THROUGHPUT_EXCEEDED =
  'The level of configured provisioned throughput for one or more global secondary indexes of the table was exceeded. Consider increasing your provisioning level for the under-provisioned global secondary indexes with the UpdateTable API';

/** The HTTP status, headers and body DynamoDB answers a throttled request with. */
export function throughputExceededResponse(message: string): { status: number; headers: Record<string, string>; body: string } {
  return {
    status: 400,
    headers: { 'content-type': 'application/x-amz-json-1.0' },
    body: JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException', message }),
  };
}
