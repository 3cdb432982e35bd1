// Each request in flight holds one of its upstream's `connections` (128 by default) for as long
// as its answer streams: 128 open server-sent-event streams or long polls, and every other
// request to that upstream waited for a connection until its timeoutMs, answered 504 "no response
// within 15000 ms" as though the upstream were slow. The 504 now says the request never got a
// connection, with or without the route's policies; one that did get one reads as before.
import { afterEach, describe, expect, it } from 'vitest';
import type http from 'node:http';
import { startProxy, startUpstream, type TestProxy, type Upstream } from './helpers/servers.js';

let up: Upstream | undefined;
let proxy: TestProxy | undefined;
const held: http.ServerResponse[] = [];
afterEach(async () => {
  for (const r of held.splice(0)) r.end();
  await proxy?.close();
  await up?.close();
  proxy = up = undefined;
});

describe('a request that times out waiting for a connection of a busy pool', () => {
  it('is answered 504 saying it never got a connection; a slow answer on a connection is not', async () => {
    const arrived: string[] = [];
    let wake: () => void = () => {};
    up = await startUpstream((req, res) => {
      arrived.push(req.url!);
      wake();
      if (req.url!.startsWith('/stream')) return void (res.writeHead(200, { 'content-type': 'text/event-stream' }), res.write('data: 1\n\n'), held.push(res));
      held.push(res); // /slow: never answers
    });
    proxy = await startProxy(
      `upstreams:\n  app: { url: ${up.url}, connections: 1 }\n  app2: { url: ${up.url}, connections: 2 }\n` +
        'routes:\n  - { prefix: /stream, upstream: app, idleTimeoutMs: 0 }\n  - { prefix: /plain, upstream: app, timeoutMs: 300 }\n' +
        '  - { prefix: /retried, upstream: app, timeoutMs: 300, retry: { attempts: 2, on: [timeout] } }\n  - { prefix: /slow, upstream: app2, timeoutMs: 300 }\n',
    );
    const streaming = new AbortController();
    const stream = await fetch(proxy.url + '/stream', { signal: streaming.signal });
    expect(stream.status).toBe(200);
    for (const path of ['/plain/a', '/retried/a']) {
      const r = await fetch(proxy.url + path);
      expect(r.status).toBe(504);
      const body = (await r.json()) as { error: string; message: string };
      expect(body.error).toBe('upstream_timeout');
      expect(body.message).toMatch(/within 300 ms; it never got a connection/);
    }
    const slow = await fetch(proxy.url + '/slow/b');
    expect(slow.status).toBe(504);
    expect(((await slow.json()) as { message: string }).message).toBe("no response from upstream 'app2' within 300 ms");
    expect(arrived).toEqual(['/stream', '/slow/b']); // the others never reached the upstream
    streaming.abort();
  });
});
