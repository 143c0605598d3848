/**
 * The cost and scale model: from what a local run counted (state transitions, Lambda invocations,
 * per-segment item rates) and the item sizes, what a million items cost on AWS and how large a table
 * one execution can migrate before a history reaches 25,000 events. Pure functions.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { estimateHistoryEvents } from '../asl/history';
import { limits } from '../workflow/input';
import { pricing } from './pricing';

/** Standard workflows: an execution fails when its history would exceed this many events. */
export const HISTORY_EVENT_LIMIT = 25_000;

/** Segments one execution may fan out to (each a DISTRIBUTED Map child with its own history). */
export const MAX_SEGMENTS = limits.totalSegments.max;

/** What the deployed stack uses by default (stacks/variables.ts, handlers/create-handler.ts). */
export const deployedLambda = {
  timeoutSeconds: 900,
  /** MigrateBatch stops this long before the timeout to return its cursor. */
  safetyMarginSeconds: 10,
  memoryMb: 1024,
} as const;

/**
 * The AWS sample's Python Lambda, for its duration cost: the SAM template sets neither memory nor
 * architecture (128 MB, x86_64), and one item's transform bills a few milliseconds. An assumption,
 * not a measurement; at these figures its duration cost is a rounding error next to its transitions.
 */
export const sampleLambdaAssumption = { memoryMb: 128, billedMsPerInvocation: 5 } as const;

const utf8 = (s: string): number => Buffer.byteLength(s, 'utf8');

/** DynamoDB's size of a number: about 1 byte per two significant digits, plus 1. */
function numberSize(text: string): number {
  const digits = text.replace(/^[+-]/, '').replace(/[eE].*$/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

function valueSize(v: AttributeValue): number {
  if (v.S !== undefined) return utf8(v.S);
  if (v.N !== undefined) return numberSize(v.N);
  if (v.B !== undefined) return v.B.length;
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.SS !== undefined) return v.SS.reduce((n, s) => n + utf8(s), 0);
  if (v.NS !== undefined) return v.NS.reduce((n, s) => n + numberSize(s), 0);
  if (v.BS !== undefined) return v.BS.reduce((n, b) => n + b.length, 0);
  if (v.L !== undefined) return 3 + v.L.reduce((n, e) => n + 1 + valueSize(e), 0);
  if (v.M !== undefined) return 3 + Object.entries(v.M).reduce((n, [k, e]) => n + utf8(k) + 1 + valueSize(e), 0);
  return 0;
}

/** An item's size as DynamoDB bills it: attribute names plus values, by DynamoDB's sizing rules. */
export const itemSizeBytes = (item: Record<string, AttributeValue>): number =>
  Object.entries(item).reduce((n, [name, value]) => n + utf8(name) + valueSize(value), 0);

/**
 * Read units to Scan `items` items: each Scan request sums the sizes of the items it evaluated and
 * rounds up to 4 KB; eventually consistent reads cost half a unit per 4 KB.
 */
export function scanReadUnits(items: number, averageItemBytes: number, pageSize: number): number {
  const fullPages = Math.floor(items / pageSize);
  const rest = items - fullPages * pageSize;
  const units = (n: number) => Math.ceil((n * averageItemBytes) / 4096) * 0.5;
  return fullPages * units(pageSize) + (rest > 0 ? units(rest) : 0);
}

/** The most one Scan page reads: DynamoDB stops a page at 1 MB. */
export const MAX_SCAN_PAGE_BYTES = 1024 * 1024;

/**
 * DynamoDB's own floor for a migration of `items` items: every item must be read once (a Scan in the
 * largest pages, so the per-page rounding to 4 KB is paid as rarely as it can be) and every changed
 * item written once, by the larger of its sizes before and after. No design can consume less.
 */
export function dynamoDbFloor(props: { items: number; averageItemBytes: number; changedShare: number; writeUnitsPerWrite: number }): { readUnits: number; writeUnits: number } {
  const itemsPerPage = Math.max(1, Math.floor(MAX_SCAN_PAGE_BYTES / props.averageItemBytes));
  return {
    readUnits: scanReadUnits(props.items, props.averageItemBytes, itemsPerPage),
    writeUnits: props.items * props.changedShare * props.writeUnitsPerWrite,
  };
}

/**
 * Write units of one write: 1 per started KB of the larger of the item before and after. This holds
 * for UpdateItem too, even when it sets a single attribute: it is billed by the whole item's size.
 */
export const writeUnitsPerWrite = (bytesBefore: number, bytesAfter: number): number =>
  Math.max(1, Math.ceil(Math.max(bytesBefore, bytesAfter) / 1024));

/** What a migration of some number of items uses, in the units AWS bills. */
export interface Usage {
  stateTransitions: number;
  lambdaInvocations: number;
  lambdaGbSeconds: number;
  /** Which Lambda duration price applies. */
  lambdaArchitecture: 'arm64' | 'x86_64';
  readUnits: number;
  writeUnits: number;
}

/** The bill for a usage, per service, in USD. */
export interface Cost {
  stepFunctions: number;
  lambdaRequests: number;
  lambdaDuration: number;
  dynamoDbReads: number;
  dynamoDbWrites: number;
  total: number;
}

/** Prices a usage with the on-demand list prices in pricing.ts. */
export function priceUsage(u: Usage): Cost {
  const gbSecond = u.lambdaArchitecture === 'arm64' ? pricing.lambda.perGbSecondArm64 : pricing.lambda.perGbSecondX86;
  const parts = {
    stepFunctions: u.stateTransitions * pricing.stepFunctions.perStateTransition,
    lambdaRequests: u.lambdaInvocations * pricing.lambda.perRequest,
    lambdaDuration: u.lambdaGbSeconds * gbSecond,
    dynamoDbReads: u.readUnits * pricing.dynamoDb.perReadRequestUnit,
    dynamoDbWrites: u.writeUnits * pricing.dynamoDb.perWriteRequestUnit,
  };
  return { ...parts, total: Object.values(parts).reduce((a, b) => a + b, 0) };
}

/** History events of one segment's child execution after `turns` MigrateBatch calls. */
export const childHistoryEvents = (turns: number): number =>
  // Per turn: the MigrateBatch Task and the "More to scan?" Choice; then SegmentDone (Succeed).
  estimateHistoryEvents({ taskEntries: turns, mapEntries: 0, otherEntries: turns + 1, mapIterations: 0, retries: 0 });

/** The most MigrateBatch turns a child execution can take before its history reaches the limit. */
export function maxTurnsPerChild(): number {
  const fixed = childHistoryEvents(0);
  const perTurn = childHistoryEvents(1) - fixed;
  return Math.floor((HISTORY_EVENT_LIMIT - fixed) / perTurn);
}

/** The parent execution's states as the local run entered them (everything outside the segments). */
export interface ParentStates {
  stateTransitions: number;
  tasks: number;
  maps: number;
}

/**
 * Splits a local run's counts into the parent execution and the segments' children: each segment
 * entered MigrateBatch and "More to scan?" once per invocation, and SegmentDone once.
 */
export function parentStatesOf(counts: { stateTransitions: number; lambdaInvocations: number }, invocationsPerSegment: number[]): ParentStates {
  const childTransitions = invocationsPerSegment.reduce((n, turns) => n + 2 * turns + 1, 0);
  const childTasks = invocationsPerSegment.reduce((n, turns) => n + turns, 0);
  return { stateTransitions: counts.stateTransitions - childTransitions, tasks: counts.lambdaInvocations - childTasks, maps: 1 };
}

/** History events of the parent execution (the DISTRIBUTED Map records a Map run, not iterations). */
export const parentHistoryEvents = (p: ParentStates): number =>
  estimateHistoryEvents({ taskEntries: p.tasks, mapEntries: p.maps, otherEntries: p.stateTransitions - p.tasks - p.maps, mapIterations: 0, retries: 0 });

/** Our workflow deployed, for `items` items: what it uses and how far one execution reaches. */
export interface OursModel {
  itemsPerInvocation: number;
  lambdaInvocations: number;
  stateTransitions: number;
  parentHistoryEvents: number;
  childHistoryEvents: number;
  maxItemsPerChild: number;
  maxItemsPerExecution: number;
  lambdaGbSeconds: number;
}

/**
 * Models our workflow on AWS: each MigrateBatch call works for the deployed budget (timeout minus
 * safety margin) at `itemsPerLambdaSecond`, a segment's own measured rate. A segment of
 * `items / segments` items then takes ceil(that / items per invocation) calls; the parent adds its
 * own states (Prepare, Summarize, ...) as the local run entered them.
 */
export function modelOurs(props: { items: number; segments: number; itemsPerLambdaSecond: number; parent: ParentStates }): OursModel {
  const batchSeconds = deployedLambda.timeoutSeconds - deployedLambda.safetyMarginSeconds;
  const itemsPerInvocation = props.itemsPerLambdaSecond * batchSeconds;
  const turnsPerSegment = Math.max(1, Math.ceil(props.items / props.segments / itemsPerInvocation));
  const maxItemsPerChild = maxTurnsPerChild() * itemsPerInvocation;
  return {
    itemsPerInvocation,
    lambdaInvocations: props.parent.tasks + props.segments * turnsPerSegment,
    stateTransitions: props.parent.stateTransitions + props.segments * (2 * turnsPerSegment + 1),
    parentHistoryEvents: parentHistoryEvents(props.parent),
    childHistoryEvents: childHistoryEvents(turnsPerSegment),
    maxItemsPerChild,
    maxItemsPerExecution: maxItemsPerChild * MAX_SEGMENTS,
    lambdaGbSeconds: (props.items / props.itemsPerLambdaSecond) * (deployedLambda.memoryMb / 1024),
  };
}

/**
 * The sample's single execution grows by a fixed number of events per item (Map iteration,
 * Lambda task, putItem task, plus its page's Scan, Map and Choice shared by 50): the largest table
 * is what fits in the limit after the run's fixed events (measured on an empty table).
 */
export function sampleMaxItems(historyEvents: { fixed: number; atItems: number; items: number }): number {
  const perItem = (historyEvents.atItems - historyEvents.fixed) / historyEvents.items;
  return Math.floor((HISTORY_EVENT_LIMIT - historyEvents.fixed) / perItem);
}

/** Scales a count measured on `measuredItems` items to a million items. */
export const perMillion = (count: number, measuredItems: number): number => (count / measuredItems) * 1_000_000;
