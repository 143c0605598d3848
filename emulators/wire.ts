/**
 * The part of DynamoDB's JSON protocol (API version 2012-08-10) the emulators read and rewrite, as it
 * travels on the wire: binary values are base64 strings, numbers are strings.
 */

/** One attribute value on the wire. */
export interface WireValue {
  S?: string;
  N?: string;
  B?: string;
  SS?: string[];
  NS?: string[];
  BS?: string[];
  BOOL?: boolean;
  NULL?: boolean;
  L?: WireValue[];
  M?: WireItem;
}

/** An item (or a key) on the wire. */
export type WireItem = Record<string, WireValue>;

/** What a request asks to be told about the capacity it consumed. */
export type ReturnConsumedCapacity = 'INDEXES' | 'TOTAL' | 'NONE';

/** Capacity units of one table or index. */
export interface Capacity {
  CapacityUnits?: number;
}

/** The `ConsumedCapacity` of a response, for one table. */
export interface ConsumedCapacity extends Capacity {
  TableName?: string;
  Table?: Capacity;
  GlobalSecondaryIndexes?: Record<string, Capacity>;
  LocalSecondaryIndexes?: Record<string, Capacity>;
}

/** One entry of BatchWriteItem's `RequestItems`. */
export interface WriteRequest {
  PutRequest?: { Item: WireItem };
  DeleteRequest?: { Key: WireItem };
}

/** One table's entry of BatchGetItem's `RequestItems` (projection fields pass through untouched). */
export interface KeysAndAttributes {
  Keys: WireItem[];
  ConsistentRead?: boolean;
  [field: string]: unknown;
}

/** One action of TransactWriteItems / TransactGetItems. */
export interface TransactItem {
  Put?: { TableName: string; Item: WireItem };
  Update?: { TableName: string };
  Delete?: { TableName: string };
  ConditionCheck?: { TableName: string };
  Get?: { TableName: string };
}

/** The fields of data-plane requests the capacity emulator looks at; every other field passes through. */
export interface DataPlaneRequest {
  TableName?: string;
  IndexName?: string;
  Item?: WireItem;
  ConsistentRead?: boolean;
  ReturnValues?: string;
  ReturnConsumedCapacity?: ReturnConsumedCapacity;
  UpdateExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  RequestItems?: Record<string, WriteRequest[] | KeysAndAttributes>;
  TransactItems?: TransactItem[];
  [field: string]: unknown;
}

/** The fields of data-plane responses the capacity emulator looks at. */
export interface DataPlaneResponse {
  Attributes?: WireItem;
  ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[];
  UnprocessedItems?: Record<string, WriteRequest[]>;
  UnprocessedKeys?: Record<string, KeysAndAttributes>;
  [field: string]: unknown;
}

/** The fields of DescribeTable's `Table` that say how much capacity a table and its indexes have. */
export interface TableDescription {
  TableName: string;
  TableStatus?: string;
  BillingModeSummary?: { BillingMode?: string };
  ProvisionedThroughput?: { ReadCapacityUnits?: number; WriteCapacityUnits?: number };
  GlobalSecondaryIndexes?: {
    IndexName: string;
    IndexStatus?: string;
    KeySchema: { AttributeName: string; KeyType: string }[];
    ProvisionedThroughput?: { ReadCapacityUnits?: number; WriteCapacityUnits?: number };
  }[];
}
