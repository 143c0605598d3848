import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Who the stub says the caller is. */
export interface CallerIdentity {
  account: string;
  arn: string;
  userId: string;
}

/** A running STS stand-in. */
export interface StsStub {
  endpoint: string;
  /** The `Action` of every request received, in order. */
  calls: string[];
  close(): Promise<void>;
}

/** The identity answered when none is given: a deployer user in a made-up account. */
export const STUB_IDENTITY: CallerIdentity = {
  account: '123456789012',
  arn: 'arn:aws:iam::123456789012:user/deployer',
  userId: 'AIDASTUBDEPLOYER00000',
};

const NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';

const escapeXml = (text: string): string =>
  text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => resolve(body));
    request.on('error', reject);
  });
}

function reply(response: ServerResponse, status: number, xml: string): void {
  response.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': 'sts-stub' });
  response.end(`<?xml version="1.0" encoding="UTF-8"?>\n${xml}`);
}

/**
 * Starts an STS stand-in on a free loopback port. It speaks the query protocol (form-encoded
 * `Action=...`, XML answers) and knows GetCallerIdentity only; every other action gets an
 * InvalidAction error, so a caller that needs more fails loudly instead of getting a guess.
 */
export async function startStsStub(identity: CallerIdentity = STUB_IDENTITY): Promise<StsStub> {
  const calls: string[] = [];
  const server = createServer((request, response) => {
    void (async () => {
      const query = new URL(request.url ?? '/', 'http://stub').searchParams;
      const form = new URLSearchParams(await readBody(request));
      const action = form.get('Action') ?? query.get('Action') ?? '';
      calls.push(action);
      if (action !== 'GetCallerIdentity') {
        reply(
          response,
          400,
          `<ErrorResponse xmlns="${NAMESPACE}"><Error><Type>Sender</Type><Code>InvalidAction</Code>` +
            `<Message>The STS stub answers GetCallerIdentity only, not ${escapeXml(action || '(no Action)')}.</Message></Error>` +
            '<RequestId>sts-stub</RequestId></ErrorResponse>',
        );
        return;
      }
      reply(
        response,
        200,
        `<GetCallerIdentityResponse xmlns="${NAMESPACE}"><GetCallerIdentityResult>` +
          `<Arn>${escapeXml(identity.arn)}</Arn><UserId>${escapeXml(identity.userId)}</UserId><Account>${escapeXml(identity.account)}</Account>` +
          '</GetCallerIdentityResult><ResponseMetadata><RequestId>sts-stub</RequestId></ResponseMetadata></GetCallerIdentityResponse>',
      );
    })().catch((error: unknown) => {
      response.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
