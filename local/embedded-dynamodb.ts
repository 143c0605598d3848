import type { AddressInfo } from 'node:net';

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
