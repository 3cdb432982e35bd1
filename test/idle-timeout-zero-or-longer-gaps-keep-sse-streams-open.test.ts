import http from 'node:http';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';
import { LOG } from '../src/observability/log-messages.js';

let up: Upstream | undefined;
let proxy: TestProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await up?.close();
  proxy = up = undefined;
});

/** Server-sent events: `count` events, `gapMs` apart (the upstream's pace, not synchronisation), then the end. */
function sse(count: number, gapMs: number): Promise<Upstream> {
  return startUpstream((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    let n = 0;
    const next = (): void => {
      res.write(`data: ${++n}\n\n`);
      if (n === count) res.end();
      else setTimeout(next, gapMs);
    };
    next();
  });
}

/** The whole stream as the client read it, and whether it ended cleanly. */
async function read(url: string, id: string): Promise<{ body: string; complete: boolean }> {
  const req = http.get(url, { agent: false, headers: { 'x-request-id': id, accept: 'text/event-stream' } });
  const [res] = (await once(req, 'response')) as [http.IncomingMessage];
  let body = '';
  res.setEncoding('utf8');
  res.on('data', (c: string) => (body += c));
  await new Promise<void>((resolve) => res.on('close', () => resolve()));
  return { body, complete: res.complete };
}

const events = (n: number): string => Array.from({ length: n }, (_, i) => `data: ${i + 1}\n\n`).join('');

describe('idleTimeoutMs and long streams', () => {
  it('0 turns it off for a route (an SSE route under a short default): silences longer than the default do not cut the stream', async () => {
    up = await sse(3, 400);
    proxy = await startProxy(
      upstreamsYaml({ app: up.url }) + 'defaults: { idleTimeoutMs: 150 }\nroutes:\n  - { prefix: /events, upstream: app, idleTimeoutMs: 0 }\n',
    );
    const r = await read(proxy.url + '/events/live', 'sse-off');
    expect(r).toEqual({ body: events(3), complete: true });
    const line = await proxy.logLine((l) => l.msg === LOG.request && l.requestId === 'sse-off');
    expect(line).toMatchObject({ status: 200 });
    expect(line.error).toBeUndefined();
  });

  it('a stream whose gaps are shorter than the timeout is not cut, however long it lasts in all', async () => {
    up = await sse(6, 150); // 750 ms in all, more than the timeout
    proxy = await startProxy(upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /events, upstream: app, idleTimeoutMs: 600 }\n');
    const r = await read(proxy.url + '/events/live', 'sse-gaps');
    expect(r).toEqual({ body: events(6), complete: true });
    const line = await proxy.logLine((l) => l.msg === LOG.request && l.requestId === 'sse-gaps');
    expect(line.error).toBeUndefined();
  });
});
