// A mirrored write that mismatches gets a replay curl line with its body: text up to 64 KiB as
// --data-raw, a larger body named in a trailing comment (the line stays bounded). The same holds
// for the lines sent straight to the primary and to the shadow.

import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import type { ShadowEvent } from '../src/shadow/log-line.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

let primary: Upstream | undefined, shadow: Upstream | undefined, proxy: TestProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await Promise.all([primary?.close(), shadow?.close()]);
  proxy = primary = shadow = undefined;
});

const answering = (saved: boolean) => startUpstream(async (req, res) => {
  for await (const _ of req); // read the body
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ saved }));
});

async function mirroredPost(body: string): Promise<ShadowEvent> {
  primary = await answering(true);
  shadow = await answering(false);
  proxy = await startProxy(upstreamsYaml({ legacy: primary.url, next: shadow.url }) + 'routes:\n  - { prefix: /orders, upstream: legacy, shadow: { upstream: next, methods: [POST] } }\n');
  const event = once(proxy.proxy.shadow, 'event').then(([e]) => e as ShadowEvent);
  await (await fetch(proxy.url + '/orders', { method: 'POST', body, headers: { 'content-type': 'application/json' } })).text();
  return event;
}

describe('the replay line of a mirrored write', () => {
  it('carries the request body', async () => {
    const e = await mirroredPost('{"product":"x","note":"it\'s"}');
    expect(e.result).toBe('mismatch');
    expect(e.curl).toMatch(/^curl -X POST /);
    expect(e.curl).toContain(`--data-raw '{"product":"x","note":"it'\\''s"}'`);
    // So do the lines sent straight to each upstream.
    for (const line of [e.primaryCurl, e.shadowCurl]) {
      expect(line).toMatch(/^curl -X POST http:\/\/127\.0\.0\.1:\d+\/orders -H /);
      expect(line).toContain(`--data-raw '{"product":"x","note":"it'\\''s"}'`);
    }
  });

  it('names a body over 64 KiB instead of carrying it', async () => {
    const big = JSON.stringify({ blob: 'x'.repeat(70_000) });
    const e = await mirroredPost(big);
    expect(e.result).toBe('mismatch');
    expect(e.curl).not.toContain('--data-raw');
    expect(e.curl).toMatch(/ # body omitted: 70,011 bytes, too large$/);
    expect(e.curl!.length).toBeLessThan(1000);
    for (const line of [e.primaryCurl!, e.shadowCurl!]) expect(line).toMatch(/ # body omitted: 70,011 bytes, too large$/);
  });
});
