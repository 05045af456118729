/**
 * A real gRPC server (grpc-js) speaking Temporal's WorkflowService wire format over plain TCP, TLS
 * or mTLS, with certificates made by `openssl` (test/support/test-certificates.ts) — so the lean client's transport options are checked
 * against a real TLS handshake and real HTTP/2 framing. Each RPC answers from a script and records
 * the metadata it saw; responses are encoded by `@temporalio/proto`'s full types (the oracle).
 */
import type { Metadata } from '@grpc/grpc-js';
import { Server, ServerCredentials, type ServiceError, status } from '@grpc/grpc-js';
import protos from '@temporalio/proto';
import type { Certificates } from '../../../support/test-certificates';

// The certificate maker is shared with other TLS tests; re-exported for this file's callers.
export { makeCertificates, type Certificates } from '../../../support/test-certificates';

const ws = protos.temporal.api.workflowservice.v1;

export type Security = { kind: 'plain' } | { kind: 'tls'; certs: Certificates; requireClientCert?: boolean };

/** What one call carried: its RPC, the decoded request and the metadata. */
export interface RecordedCall {
  rpc: string;
  request: Record<string, unknown>;
  metadata: Record<string, string>;
}

/** An answer for an RPC: a response object (encoded by the full types), an error, or no answer at all. */
export type Answer = { response: object } | { error: { code: status; details: string } } | 'hang';

export interface FakeWorkflowService {
  address: string;
  port: number;
  calls: RecordedCall[];
  /** Answers in order for an RPC; the last one repeats. Default: an empty response. */
  script(rpc: string, ...answers: Answer[]): void;
  stop(): Promise<void>;
}

const RPCS = [
  'SignalWorkflowExecution',
  'SignalWithStartWorkflowExecution',
  'UpdateWorkflowExecution',
  'PollWorkflowExecutionUpdate',
  'ExecuteMultiOperation',
  'QueryWorkflow',
  'DescribeWorkflowExecution',
  'DescribeNamespace',
  'DescribeTaskQueue',
] as const;

type MessageType = typeof ws.DescribeNamespaceRequest;

function typeOf(name: string): MessageType {
  const type = (ws as unknown as Record<string, MessageType | undefined>)[name];
  if (!type) throw new Error(`no type ${name}`);
  return type;
}

function metadataOf(metadata: Metadata): Record<string, string> {
  return Object.fromEntries(Object.entries(metadata.getMap()).map(([key, value]) => [key, String(value)]));
}

export async function startFakeWorkflowService(security: Security, port = 0): Promise<FakeWorkflowService> {
  const server = new Server();
  const calls: RecordedCall[] = [];
  const scripts = new Map<string, Answer[]>();
  const hanging: (() => void)[] = [];
  const definition = Object.fromEntries(
    RPCS.map((rpc) => [
      rpc,
      {
        path: `/temporal.api.workflowservice.v1.WorkflowService/${rpc}`,
        requestStream: false,
        responseStream: false,
        requestDeserialize: (bytes: Buffer) => typeOf(`${rpc}Request`).decode(bytes),
        requestSerialize: (value: object) => Buffer.from(typeOf(`${rpc}Request`).encode(value).finish()),
        responseSerialize: (value: object) =>
          Buffer.from(
            typeOf(`${rpc}Response`)
              .encode(typeOf(`${rpc}Response`).fromObject(value))
              .finish(),
          ),
        responseDeserialize: (bytes: Buffer) => typeOf(`${rpc}Response`).decode(bytes),
      },
    ]),
  );
  const handlers = Object.fromEntries(
    RPCS.map((rpc) => [
      rpc,
      (
        call: { request: object; metadata: Metadata },
        callback: (error: Partial<ServiceError> | null, response?: object) => void,
      ) => {
        calls.push({
          rpc,
          request: typeOf(`${rpc}Request`).toObject(call.request as never, { longs: Number, enums: Number }),
          metadata: metadataOf(call.metadata),
        });
        const answers = scripts.get(rpc) ?? [];
        const answer = answers.length > 1 ? answers.shift() : answers[0];
        if (answer === 'hang') {
          hanging.push(() => callback({ code: status.UNAVAILABLE, details: 'server stopped' }));
          return;
        }
        if (answer && 'error' in answer) callback({ ...answer.error, message: answer.error.details });
        else callback(null, answer?.response ?? {});
      },
    ]),
  );
  server.addService(definition, handlers);
  const credentials =
    security.kind === 'plain'
      ? ServerCredentials.createInsecure()
      : ServerCredentials.createSsl(
          security.requireClientCert ? security.certs.ca : null,
          [{ private_key: security.certs.serverKey, cert_chain: security.certs.serverCert }],
          security.requireClientCert ?? false,
        );
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${port}`, credentials, (error, actual) =>
      error ? reject(error) : resolve(actual),
    ),
  );
  return {
    address: `127.0.0.1:${bound}`,
    port: bound,
    calls,
    script(rpc, ...answers) {
      scripts.set(rpc, answers);
    },
    async stop() {
      for (const release of hanging.splice(0)) release();
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      server.forceShutdown();
    },
  };
}
