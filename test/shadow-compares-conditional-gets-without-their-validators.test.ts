// A browser's conditional GET (If-None-Match, If-Modified-Since) was mirrored with its
// validators: the monolith answered 304 by its ETag, the new service 200 by its own (or the other
// way round), and every cached client's request counted as a mismatch of nothing. The shadow's
// copy now goes without validators (its full answer is compared), and a primary's 304, with no
// body to compare, is skipped as not_modified.
import { once } from 'node:events';
import type http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { ShadowEvent } from '../src/shadow/log-line.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

let primary: Upstream | undefined, shadow: Upstream | undefined, proxy: TestProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await Promise.all([primary?.close(), shadow?.close()]);
  proxy = primary = shadow = undefined;
});

/** Answers {"id":1} with its own ETag, 304 when If-None-Match names it. */
const etagged = (etag: string) => (req: http.IncomingMessage, res: http.ServerResponse) => {
  if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag }).end();
  res.writeHead(200, { 'content-type': 'application/json', etag }).end('{"id":1}');
};

describe('a conditional GET on a shadowed route', () => {
  it('is mirrored without its validators; a primary 304 is skipped as not_modified', async () => {
    primary = await startUpstream(etagged('"legacy-1"'));
    shadow = await startUpstream(etagged('"next-1"'));
    proxy = await startProxy(upstreamsYaml({ legacy: primary.url, next: shadow.url }) + 'routes:\n  - { prefix: /orders, upstream: legacy, shadow: { upstream: next } }\n');
    const next = () => once(proxy!.proxy.shadow, 'event').then(([e]) => e as ShadowEvent);

    let event = next();
    const fresh = await fetch(proxy.url + '/orders/1', { headers: { 'if-none-match': '"legacy-1"', 'if-modified-since': 'Thu, 03 Dec 2026 10:00:00 GMT' } });
    expect(fresh.status).toBe(304);
    expect(await event).toMatchObject({ result: 'skipped', reason: 'not_modified', primaryStatus: 304 });

    event = next();
    const stale = await fetch(proxy.url + '/orders/1', { headers: { 'if-none-match': '"next-1"' } }); // the shadow's own ETag
    expect(stale.status).toBe(200);
    expect(await event).toMatchObject({ result: 'match', primaryStatus: 200, shadowStatus: 200 });

    for (const r of shadow.received) {
      expect(r.headers['if-none-match']).toBeUndefined();
      expect(r.headers['if-modified-since']).toBeUndefined();
    }
    expect(shadow.received).toHaveLength(2);
  });
});
