import { describe, expect, it } from 'vitest';
import { readCloudEvent } from '../../../functions/adapters/cloud-event-http';

const bytes = (text: string) => new TextEncoder().encode(text);
const binaryHeaders = (extra: Record<string, string> = {}) =>
  new Headers({ 'ce-specversion': '1.0', 'ce-id': 'e-1', 'ce-source': '/s', 'ce-type': 't', ...extra });

describe('reading a CloudEvent from an HTTP request', () => {
  it('reads structured mode, with or without a charset parameter', async () => {
    const event = { specversion: '1.0', id: 'e-1', source: '/s', type: 't', subject: 'x', data: { a: 1 } };
    for (const contentType of [
      'application/cloudevents+json',
      'Application/CloudEvents+JSON; charset=utf-8',
    ]) {
      expect(
        await readCloudEvent(new Headers({ 'content-type': contentType }), bytes(JSON.stringify(event))),
      ).toEqual({
        ok: true,
        value: { mode: 'structured', event },
      });
    }
  });

  it('reads binary mode: ce-* headers become attributes and extensions, the body its data', async () => {
    const result = await readCloudEvent(
      binaryHeaders({
        'content-type': 'application/json',
        'ce-time': '2024-05-01T10:00:00Z',
        'ce-tenant': 'acme',
      }),
      bytes('{"a":1}'),
    );
    expect(result).toEqual({
      ok: true,
      value: {
        mode: 'binary',
        event: {
          specversion: '1.0',
          id: 'e-1',
          source: '/s',
          type: 't',
          time: '2024-05-01T10:00:00Z',
          datacontenttype: 'application/json',
          tenant: 'acme',
          data: { a: 1 },
        },
      },
    });
  });

  it('reads binary mode without a Content-Type as JSON data (no datacontenttype), as SDKs send it', async () => {
    expect(await readCloudEvent(binaryHeaders(), bytes('{"stage":1}'))).toEqual({
      ok: true,
      value: {
        mode: 'binary',
        event: { specversion: '1.0', id: 'e-1', source: '/s', type: 't', data: { stage: 1 } },
      },
    });
    expect(await readCloudEvent(binaryHeaders(), bytes('{"stage":'))).toMatchObject({
      ok: false,
      problem: { code: 'invalid-json' },
    });
  });

  it('accepts extension names longer than 20 characters (a SHOULD NOT for producers), not upper case', async () => {
    const name = 'averyveryverylongextension';
    expect(name.length).toBe(26);
    const event = { specversion: '1.0', id: 'e-1', source: '/s', type: 't', [name]: 'x' };
    const structured = await readCloudEvent(
      new Headers({ 'content-type': 'application/cloudevents+json' }),
      bytes(JSON.stringify(event)),
    );
    expect(structured).toEqual({ ok: true, value: { mode: 'structured', event } });
    expect(await readCloudEvent(binaryHeaders({ [`ce-${name}`]: 'x' }), new Uint8Array())).toMatchObject({
      ok: true,
      value: { event: { [name]: 'x' } },
    });
    expect(
      await readCloudEvent(
        new Headers({ 'content-type': 'application/cloudevents+json' }),
        bytes(JSON.stringify({ ...event, Tenant: 'x' })),
      ),
    ).toMatchObject({ ok: false, problem: { field: 'Tenant' } });
  });

  it('keeps text data as a string and an empty body as no data', async () => {
    expect(
      await readCloudEvent(binaryHeaders({ 'content-type': 'text/plain' }), bytes('hello')),
    ).toMatchObject({
      ok: true,
      value: { event: { data: 'hello' } },
    });
    const empty = await readCloudEvent(binaryHeaders(), new Uint8Array());
    expect(empty.ok && Object.hasOwn(empty.value.event, 'data')).toBe(false);
  });

  it('does not let the library invent a time or an id', async () => {
    const noTime = await readCloudEvent(binaryHeaders(), new Uint8Array());
    expect(noTime.ok && noTime.value.event.time).toBeUndefined();
    const structured = await readCloudEvent(
      new Headers({ 'content-type': 'application/cloudevents+json' }),
      bytes('{"specversion":"1.0","source":"/s","type":"t"}'),
    );
    expect(structured).toMatchObject({ ok: false, problem: { field: 'id' } });
    expect(await readCloudEvent(binaryHeaders({ 'ce-time': 'yesterday' }), new Uint8Array())).toMatchObject({
      ok: false,
      problem: { field: 'header.ce-time' },
    });
  });

  it('refuses batches, binary data that is neither JSON nor text, and requests that are no CloudEvent', async () => {
    expect(
      await readCloudEvent(
        new Headers({ 'content-type': 'application/cloudevents-batch+json' }),
        bytes('[]'),
      ),
    ).toMatchObject({
      ok: false,
      problem: { code: 'unsupported-media-type' },
    });
    expect(
      await readCloudEvent(binaryHeaders({ 'content-type': 'application/octet-stream' }), bytes('x')),
    ).toMatchObject({
      ok: false,
      problem: { code: 'unsupported-media-type', field: 'header.content-type' },
    });
    expect(
      await readCloudEvent(new Headers({ 'content-type': 'application/json' }), bytes('{}')),
    ).toMatchObject({
      ok: false,
      problem: { code: 'unsupported-media-type' },
    });
    expect(await readCloudEvent(binaryHeaders({ 'ce-source': '' }), new Uint8Array())).toMatchObject({
      ok: false,
      problem: { field: 'header.ce-source' },
    });
  });
});
