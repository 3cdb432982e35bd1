import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { ShadowEvent } from '../src/shadow/log-line.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

let primary: Upstream | undefined, shadow: Upstream | undefined, proxy: TestProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await Promise.all([primary?.close(), shadow?.close()]);
  proxy = primary = shadow = undefined;
});

type Answer = (res: ServerResponse) => void;

async function mirrored(primaryAnswer: Answer, shadowAnswer: Answer, server = ''): Promise<{ event: ShadowEvent; clientBytes: number }> {
  primary = await startUpstream((_req, res) => primaryAnswer(res));
  shadow = await startUpstream((_req, res) => shadowAnswer(res));
  proxy = await startProxy(upstreamsYaml({ legacy: primary.url, next: shadow.url }) + server +
    'routes:\n  - { prefix: /orders, upstream: legacy, shadow: { upstream: next } }\n');
  const event = once(proxy.proxy.shadow, 'event').then(([e]) => e as ShadowEvent);
  const body = await (await fetch(proxy.url + '/orders', { headers: { 'accept-encoding': 'gzip' } })).arrayBuffer();
  return { event: await event, clientBytes: body.byteLength };
}

/** Writes the body in pieces, so the proxy receives it in several chunks. */
const inPieces = (body: Buffer, pieces: number, headers: Record<string, string> = { 'content-type': 'application/json' }): Answer => (res) => {
  res.writeHead(200, { ...headers, 'content-length': String(body.length) });
  const step = Math.ceil(body.length / pieces);
  for (let i = 0; i < body.length; i += step) res.write(body.subarray(i, i + step));
  res.end();
};

const bigJson = (price: number) => Buffer.from(JSON.stringify({ items: Array.from({ length: 4000 }, (_, i) => ({ id: i, price: i === 2500 ? price : 1 })) }));

describe('shadow comparison of whole bodies', () => {
  it('matches a ~100 KB answer that arrived in many chunks on both sides', async () => {
    const body = bigJson(1);
    expect(body.length).toBeGreaterThan(64 * 1024);
    const { event } = await mirrored(inPieces(body, 7), inPieces(body, 3));
    expect(event).toMatchObject({ result: 'match', primaryStatus: 200, shadowStatus: 200 });
  });

  it('names the one differing value deep inside a body that arrived in chunks', async () => {
    const { event } = await mirrored(inPieces(bigJson(1), 7), inPieces(bigJson(2), 5));
    expect(event.result).toBe('mismatch');
    expect(event.differences).toEqual([{ path: '$.items[2500].price', kind: 'value', primary: 1, shadow: 2 }]);
  });

  it('skips as too_large an answer whose decoded body is over maxBufferBytes', async () => {
    const text = JSON.stringify({ pad: 'x'.repeat(5000) });
    const zipped = gzipSync(text);
    expect(zipped.length).toBeLessThan(1024); // the compressed bytes fit the cap, the decoded ones do not
    const { event, clientBytes } = await mirrored(
      inPieces(zipped, 1, { 'content-type': 'application/json', 'content-encoding': 'gzip' }),
      inPieces(Buffer.from('{"pad":"x"}'), 1), // within the cap
      'server: { maxBufferBytes: 1024 }\n',
    );
    expect(clientBytes).toBe(text.length); // the client gets the primary's answer whole (fetch decodes it)
    expect(event).toMatchObject({ result: 'skipped', reason: 'too_large' });
  });

  it('matches the same compressed bytes in the same coding without decoding them', async () => {
    const zipped = gzipSync(JSON.stringify({ pad: 'x'.repeat(5000) }));
    const gz = { 'content-type': 'application/json', 'content-encoding': 'gzip' };
    // Decoded, these would be over the cap; identical bytes in one coding cannot differ decoded.
    const { event } = await mirrored(inPieces(zipped, 1, gz), inPieces(zipped, 2, gz), 'server: { maxBufferBytes: 1024 }\n');
    expect(event).toMatchObject({ result: 'match' });
  });
});
