/** An HTTP client for the DynamoDB endpoint behind an emulator: one keep-alive pool, whole bodies. */
import http, { type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';

/** A whole HTTP response. */
export interface UpstreamResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Posts to one endpoint, reusing connections. */
export class Upstream {
  private readonly url: URL;
  private readonly agent = new http.Agent({ keepAlive: true });

  constructor(endpoint: string) {
    this.url = new URL(endpoint);
    if (this.url.protocol !== 'http:') throw new Error(`Expected an http:// upstream endpoint, got: ${endpoint}`);
  }

  /** Sends `body` with `headers` (content-length is set here) to `path` and reads the whole answer. */
  request(method: string, path: string, headers: OutgoingHttpHeaders, body: Buffer): Promise<UpstreamResponse> {
    return new Promise((resolve, reject) => {
      const outgoing = http.request(
        {
          host: this.url.hostname,
          port: this.url.port,
          method,
          path,
          agent: this.agent,
          headers: { ...headers, host: this.url.host, 'content-length': String(body.length) },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 502, headers: response.headers, body: Buffer.concat(chunks) }));
          response.on('error', reject);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }

  /** Closes the pooled connections. */
  close(): void {
    this.agent.destroy();
  }
}
