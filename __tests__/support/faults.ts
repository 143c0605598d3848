/**
 * Fault injection and call counting as AWS SDK middleware. Faults are added after the SDK's retry
 * middleware, so the retry strategy sees them exactly as it would see the real errors, and they are
 * shaped like the real ones (name, HTTP status, network error code), so the SDK classifies them the
 * same way (see @smithy/core retry/service-error-classification).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** The faults a DynamoDB client meets in production. */
export type FaultKind =
  | 'ProvisionedThroughputExceededException'
  | 'ThrottlingException'
  | 'InternalServerError'
  | 'ECONNRESET'
  | 'TimeoutError'
  | 'AccessDeniedException'
  | 'ResourceNotFoundException';

/** Every transient fault kind (the ones the SDK's standard retry mode retries). */
export const TRANSIENT_FAULTS: FaultKind[] = [
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'InternalServerError',
  'ECONNRESET',
  'TimeoutError',
];

type ServiceErrorShape = Error & { $fault?: 'client' | 'server'; $metadata: { httpStatusCode?: number; attempts?: number }; code?: string };

/** An error that looks like what the SDK produces for `kind`. */
/** Errors the tests made, to tell them from real ones (a request of a starved machine that timed out). */
const injectedErrors = new WeakSet<object>();

export function makeFault(kind: FaultKind, detail = 'injected by the safety tests'): ServiceErrorShape {
  const error = new Error(`${kind}: ${detail}`) as ServiceErrorShape;
  injectedErrors.add(error);
  switch (kind) {
    case 'ProvisionedThroughputExceededException':
    case 'ThrottlingException':
      error.name = kind;
      error.$fault = 'client';
      error.$metadata = { httpStatusCode: 400 };
      break;
    case 'InternalServerError':
      error.name = kind;
      error.$fault = 'server';
      error.$metadata = { httpStatusCode: 500 };
      break;
    case 'ECONNRESET':
      // What node's http agent throws when the socket is reset; no HTTP response, so no status code.
      error.name = 'Error';
      error.message = 'socket hang up';
      error.code = 'ECONNRESET';
      error.$metadata = {};
      break;
    case 'TimeoutError':
      // What @smithy/node-http-handler throws when requestTimeout elapses.
      error.name = 'TimeoutError';
      error.message = 'Connection timed out after 1000 ms';
      error.$metadata = {};
      break;
    case 'AccessDeniedException':
      error.name = kind;
      error.message = 'User: arn:aws:sts::000000000000:assumed-role/migration/fn is not authorized to perform this action';
      error.$fault = 'client';
      error.$metadata = { httpStatusCode: 400 };
      break;
    case 'ResourceNotFoundException':
      error.name = kind;
      error.message = 'Requested resource not found';
      error.$fault = 'client';
      error.$metadata = { httpStatusCode: 400 };
      break;
  }
  return error;
}

/** A small deterministic PRNG (mulberry32), so a failing fault run can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One request the middleware sees: the SDK command name (e.g. 'UpdateItemCommand') and its input. */
export interface RequestInfo {
  command: string;
  input: Record<string, unknown>;
}

/** How and where faults are injected. */
export interface FaultPlan {
  /** Chance that a request is faulted, e.g. 0.2 for 1 in 5. */
  rate: number;
  /** Kinds to choose from, uniformly. */
  kinds: FaultKind[];
  /** Only these commands are faulted (default: all). */
  commands?: string[];
  /**
   * 'before': the request never reaches DynamoDB. 'after': DynamoDB applies it, then the response is
   * lost (only network kinds can be lost after the fact; others are always 'before').
   */
  when?: 'before' | 'after' | 'either';
  /** A fault for every attempt of matching requests, whatever `rate` says (faults that outlast the SDK's retries). */
  persistent?: (request: RequestInfo) => FaultKind | undefined;
  seed?: number;
}

/** What the middleware injected, for assertions and the report. */
export interface FaultStats {
  /** Faults by kind. */
  injected: Record<string, number>;
  /** Faults by command, e.g. `UpdateItemCommand`. */
  byCommand: Record<string, number>;
  lostResponses: number;
  /** Real errors of attempts that passed through without a fault (each costs a retry too), by command. */
  realErrors: Record<string, number>;
  total(): number;
}

const NETWORK_KINDS: FaultKind[] = ['ECONNRESET', 'TimeoutError'];

/** Adds fault injection to `client`, after its retry middleware. */
export function injectFaults(client: DynamoDBClient, plan: FaultPlan): FaultStats {
  const random = seededRandom(plan.seed ?? 20240601);
  const stats: FaultStats = {
    injected: {},
    byCommand: {},
    lostResponses: 0,
    realErrors: {},
    total() {
      return Object.values(this.injected).reduce((a, b) => a + b, 0);
    },
  };
  const count = (kind: string, command: string) => {
    stats.injected[kind] = (stats.injected[kind] ?? 0) + 1;
    stats.byCommand[command] = (stats.byCommand[command] ?? 0) + 1;
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const request: RequestInfo = { command: String(context.commandName), input: args.input as Record<string, unknown> };
      const persistent = plan.persistent?.(request);
      if (persistent) {
        count(persistent, request.command);
        throw makeFault(persistent, `persistent fault for ${request.command}`);
      }
      const passThrough = async () => {
        try {
          return await next(args);
        } catch (error) {
          if (!injectedErrors.has(error as object)) stats.realErrors[request.command] = (stats.realErrors[request.command] ?? 0) + 1;
          throw error;
        }
      };
      if (plan.commands && !plan.commands.includes(request.command)) return passThrough();
      if (random() >= plan.rate) return passThrough();
      const kind = plan.kinds[Math.floor(random() * plan.kinds.length)]!;
      const after = NETWORK_KINDS.includes(kind) && (plan.when === 'after' || (plan.when === 'either' && random() < 0.5));
      count(kind, request.command);
      if (!after) throw makeFault(kind);
      await next(args);
      stats.lostResponses += 1;
      throw makeFault(kind, 'response lost after DynamoDB applied the request');
    },
    { step: 'finalizeRequest', priority: 'low', name: `faultInjection${Math.floor(random() * 1e9)}` },
  );
  return stats;
}

/** Commands that change items. */
export const WRITE_COMMANDS = ['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand', 'TransactWriteItemsCommand'];

/** Calls made through a client, by command, counted once per logical call (not per retry attempt). */
export interface CallCounter {
  calls: Record<string, number>;
  /** Item-changing calls (UpdateItem, DeleteItem, PutItem, BatchWriteItem, TransactWriteItems). */
  writes(): number;
}

/** Counts the calls made through `client`. */
export function countCalls(client: DynamoDBClient): CallCounter {
  const counter: CallCounter = {
    calls: {},
    writes() {
      return WRITE_COMMANDS.reduce((sum, c) => sum + (this.calls[c] ?? 0), 0);
    },
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName);
      counter.calls[command] = (counter.calls[command] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', priority: 'high', name: `callCounter${Math.floor(Math.random() * 1e9)}` },
  );
  return counter;
}

/**
 * Runs `action` once, just before the first request that `matches` is sent (after the SDK's retry
 * middleware, i.e. when it is about to reach DynamoDB): e.g. change an item between the migration's
 * scan and its write, or delete the table at an exact point of a run.
 */
export function beforeRequest(
  client: DynamoDBClient,
  matches: (request: RequestInfo) => boolean,
  action: () => Promise<void>,
): { fired: boolean } {
  const state = { fired: false };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (!state.fired && matches({ command: String(context.commandName), input: args.input as Record<string, unknown> })) {
        state.fired = true;
        await action();
      }
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: `trigger${Math.floor(Math.random() * 1e9)}` },
  );
  return state;
}

/** The string value of the `pk` in a request's Key (or Item, for PutItem), if any. */
export function requestKey(request: RequestInfo): string | undefined {
  const record = (request.input.Key ?? request.input.Item) as Record<string, { S?: string }> | undefined;
  return record?.pk?.S;
}

/** A matcher for the `n`th request of `command`. */
export function nthRequest(command: string, n: number): (request: RequestInfo) => boolean {
  let seen = 0;
  return (request) => request.command === command && ++seen === n;
}
