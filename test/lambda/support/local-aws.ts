/**
 * Stand-ins for the two AWS services the functions call that have no local server here: Secrets
 * Manager (GetSecretValue, where a deployed function reads its API keys) and CloudWatch
 * (PutMetricData, where the backlog function publishes). The functions reach them through their
 * real SDK clients, pointed here by the SDK's own `AWS_ENDPOINT_URL_<SERVICE>` variables, exactly
 * as they would reach LocalStack; SQS and Temporal are the real servers.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LocalAws {
  endpoint: string;
  /** Bodies of the PutMetricData calls received. */
  metricCalls: string[];
  /** Secret ids the functions asked for. */
  secretReads: string[];
  close(): Promise<void>;
}

export async function startLocalAws(secrets: Record<string, string>): Promise<LocalAws> {
  const metricCalls: string[] = [];
  const secretReads: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const target = req.headers['x-amz-target'];
      if (target === 'secretsmanager.GetSecretValue') {
        const { SecretId } = JSON.parse(body.toString('utf8')) as { SecretId: string };
        secretReads.push(SecretId);
        const value = secrets[SecretId];
        res.setHeader('content-type', 'application/x-amz-json-1.1');
        if (value === undefined) {
          res.statusCode = 400;
          res.end(JSON.stringify({ __type: 'ResourceNotFoundException', message: 'not found' }));
          return;
        }
        res.end(JSON.stringify({ ARN: SecretId, Name: 'secret', SecretString: value, VersionId: 'v1' }));
        return;
      }
      // CloudWatch: whichever protocol the SDK speaks, PutMetricData's answer carries no data.
      metricCalls.push(body.toString('latin1'));
      if (typeof target === 'string') {
        res.setHeader('content-type', 'application/x-amz-json-1.0');
        res.end('{}');
        return;
      }
      const cbor = String(req.headers['smithy-protocol'] ?? '') === 'rpc-v2-cbor';
      if (cbor) {
        res.setHeader('smithy-protocol', 'rpc-v2-cbor');
        res.setHeader('content-type', 'application/cbor');
        res.end(Buffer.from([0xa0]));
      } else {
        res.setHeader('content-type', 'text/xml');
        res.end(
          '<PutMetricDataResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></PutMetricDataResponse>',
        );
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    metricCalls,
    secretReads,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
