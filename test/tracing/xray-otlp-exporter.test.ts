/**
 * The Lambda functions' exporter to X-Ray's OTLP endpoint: OTLP protobuf, SigV4-signed for the
 * `xray` service as the AWS SDK's own signer signs it, against a stand-in HTTP server (X-Ray itself
 * needs an AWS account); a refusal fails the export without throwing.
 */
import { createHash } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { BasicTracerProvider, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { XrayOtlpExporter, xrayOtlpRegion } from '../../functions/adapters/xray-otlp-exporter';
import { sdkAuthorization, signedHeaderNames } from '../support/sigv4-oracle';

interface Received {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

const servers: { close(): void }[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** A stand-in endpoint answering `status` and keeping what it received. */
async function standIn(status: number): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(status, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`, received };
}

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG',
  sessionToken: 'session-token',
};

/** Ends one span through `exporter` and returns the export's result. */
async function exportOneSpan(exporter: XrayOtlpExporter): Promise<ExportResult> {
  const results: ExportResult[] = [];
  const wrapped = {
    export: (spans: ReadableSpan[], done: (result: ExportResult) => void) =>
      exporter.export(spans, (result) => {
        results.push(result);
        done(result);
      }),
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush(),
  };
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(wrapped)] });
  provider.getTracer('test').startSpan('POST /v1/webhooks/stripe').end();
  await provider.forceFlush();
  await exporter.forceFlush();
  return results[0]!;
}

describe('XrayOtlpExporter', () => {
  it('posts the spans as OTLP protobuf, signed for xray as the AWS SDK signs', async () => {
    const endpoint = await standIn(200);
    const exporter = new XrayOtlpExporter({
      url: endpoint.url,
      region: 'eu-west-1',
      credentials,
      request: httpRequest,
    });
    expect((await exportOneSpan(exporter)).code).toBe(ExportResultCode.SUCCESS);
    const [sent] = endpoint.received;
    expect(sent?.path).toBe('/v1/traces');
    expect(sent?.headers['content-type']).toBe('application/x-protobuf');
    // Protobuf keeps strings as they are: the span's name is in the body.
    expect(sent?.body.includes(Buffer.from('POST /v1/webhooks/stripe'))).toBe(true);
    expect(sent?.headers['x-amz-content-sha256']).toBe(createHash('sha256').update(sent!.body).digest('hex'));

    const authorization = String(sent?.headers.authorization);
    expect(authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/xray\/aws4_request, /,
    );
    const request = { method: 'POST', path: '/v1/traces', headers: sent!.headers, body: sent!.body };
    expect(signedHeaderNames(request)).toEqual([
      'content-type',
      'host',
      'x-amz-content-sha256',
      'x-amz-date',
      'x-amz-security-token',
    ]);
    expect(authorization).toBe(
      await sdkAuthorization(request, { service: 'xray', region: 'eu-west-1', credentials }),
    );
  });

  it('fails the export, without throwing, when the endpoint refuses it', async () => {
    const endpoint = await standIn(403);
    const exporter = new XrayOtlpExporter({
      url: endpoint.url,
      region: 'eu-west-1',
      credentials,
      request: httpRequest,
    });
    const result = await exportOneSpan(exporter);
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(result.error?.message).toContain('X-Ray OTLP answered 403');
  });
});

describe('xrayOtlpRegion', () => {
  it('names the region of an X-Ray OTLP endpoint only', () => {
    expect(xrayOtlpRegion('https://xray.eu-west-1.amazonaws.com/v1/traces')).toBe('eu-west-1');
    expect(xrayOtlpRegion('https://xray.cn-north-1.amazonaws.com.cn/v1/traces')).toBe('cn-north-1');
    expect(xrayOtlpRegion('http://xray.eu-west-1.amazonaws.com/v1/traces')).toBeUndefined();
    expect(xrayOtlpRegion('http://127.0.0.1:4318/v1/traces')).toBeUndefined();
    expect(xrayOtlpRegion('https://collector.internal:4318/v1/traces')).toBeUndefined();
    expect(xrayOtlpRegion('not a url')).toBeUndefined();
  });
});
