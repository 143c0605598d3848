/**
 * The Step Functions API, locally, for what the migration Lambda asks of it: ListExecutions and
 * DescribeExecution over the executions the local runner has running in this process. Prepare uses
 * them to refuse a second run of the same table (on AWS, against Step Functions itself), so the same
 * code path runs here. JSON 1.0 protocol, like the real service.
 */
import { SFNClient } from '@aws-sdk/client-sfn';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { stepFunctionsExecutions, type RunningExecutions } from '../handlers/running-executions';

/** A running execution as the local runner registers it. */
export interface LocalExecution {
  arn: string;
  name: string;
  stateMachineArn: string;
  input: unknown;
  startDate: Date;
}

const running = new Map<string, LocalExecution>();

/** Registers an execution while it runs; the returned function removes it. */
export function registerRunning(execution: LocalExecution): () => void {
  running.set(execution.arn, execution);
  return () => running.delete(execution.arn);
}

function answer(target: string, body: Record<string, unknown>): { status: number; body: unknown } {
  if (target === 'ListExecutions') {
    const executions = [...running.values()]
      .filter((e) => e.stateMachineArn === body.stateMachineArn && (body.statusFilter === undefined || body.statusFilter === 'RUNNING'))
      .map((e) => ({ executionArn: e.arn, stateMachineArn: e.stateMachineArn, name: e.name, status: 'RUNNING', startDate: e.startDate.getTime() / 1000 }));
    return { status: 200, body: { executions } };
  }
  if (target === 'DescribeExecution') {
    const e = running.get(String(body.executionArn));
    if (!e) return { status: 400, body: { __type: 'ExecutionDoesNotExist', message: `Execution Does Not Exist: '${String(body.executionArn)}'` } };
    return {
      status: 200,
      body: { executionArn: e.arn, stateMachineArn: e.stateMachineArn, name: e.name, status: 'RUNNING', startDate: e.startDate.getTime() / 1000, input: JSON.stringify(e.input) },
    };
  }
  return { status: 400, body: { __type: 'UnknownOperationException', message: `The local Step Functions API does not answer ${target}.` } };
}

let started: Promise<{ endpoint: string; server: Server }> | undefined;

/** The local Step Functions API of this process (started once, on first use; it never keeps the process alive). */
export function localStepFunctionsApi(): Promise<{ endpoint: string }> {
  started ??= new Promise((resolve, reject) => {
    const server = createServer((request, response) => {
      let raw = '';
      request.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      request.on('end', () => {
        const target = String(request.headers['x-amz-target'] ?? '').replace(/^AWSStepFunctions\./, '');
        let parsed: Record<string, unknown> = {};
        try {
          parsed = JSON.parse(raw || '{}') as Record<string, unknown>;
        } catch {
          // An unreadable body is answered like an unknown operation.
        }
        const { status, body } = answer(target, parsed);
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
        response.end(JSON.stringify(body));
      });
    });
    // Neither the server nor its connections keep the process alive.
    server.unref();
    server.on('connection', (socket) => socket.unref());
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({ endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }));
  });
  return started.then(({ endpoint }) => ({ endpoint }));
}

/**
 * How Prepare sees other local runs when the handler is built in-process (tests): the same Step
 * Functions calls as on AWS, sent to this process's local API.
 */
export function localRunningExecutions(): RunningExecutions {
  let client: SFNClient | undefined;
  return {
    async others(stateMachineArn, selfArn) {
      const { endpoint } = await localStepFunctionsApi();
      client ??= new SFNClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
      return stepFunctionsExecutions(client).others(stateMachineArn, selfArn);
    },
  };
}
