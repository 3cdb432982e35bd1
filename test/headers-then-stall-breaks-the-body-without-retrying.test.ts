import http from 'node:http';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { metric, scripted, stalling, type Misbehaving } from './helpers/misbehaving.js';
import { ending, trackedGet } from './helpers/client.js';
import { startProxy, upstreamsYaml, type TestProxy } from './helpers/servers.js';
import { LOG } from '../src/observability/log-messages.js';

let up: Misbehaving | undefined;
let proxy: TestProxy | undefined;
const clients: http.ClientRequest[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await proxy?.close();
  await up?.close();
  proxy = up = undefined;
});

const get = (url: string, id: string): http.ClientRequest => trackedGet(clients, url, id);

describe('an upstream that sends the head, then stalls, then dies', () => {
  it('the client gets the head and the first bytes, then a broken body; nothing is retried after bytes went out', async () => {
    up = await stalling(); // timeoutMs leaves each try 2 s for the head: a busy CI machine must not make this a retry
    proxy = await startProxy(
      upstreamsYaml({ app: up.url }) +
        'routes:\n  - { prefix: /s, upstream: app, timeoutMs: 6000, retry: { attempts: 3, backoffMs: 0, maxBackoffMs: 0, on: [connect-error, reset, timeout, 502, 503, 504] } }\n',
    );
    const req = get(proxy.url + '/s/big', 'stall-1');
    const [res] = (await once(req, 'response')) as [http.IncomingMessage];
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-length']).toBe('1000');
    const end = ending(res);
    const [first] = (await once(res, 'data')) as [Buffer];
    expect(first.toString()).toBe('first-bytes');

    up.destroySockets(); // the upstream dies mid-body
    expect(await end).toBe('error'); // never a clean end of a truncated body
    expect(up.arrivals).toHaveLength(1);
    expect(await metric(proxy.adminUrl, 'strangler_upstream_retries_total')).toBe(0);
    expect(await proxy.logLine((l) => l.msg === LOG.request && l.requestId === 'stall-1')).toMatchObject({ status: 200, error: 'upstream_aborted' });
  });

  it('a body that stalls for longer than timeoutMs is not cut: timeoutMs bounds the wait for headers only', async () => {
    let held: http.ServerResponse | undefined;
    up = await scripted([
      {
        kind: 'custom',
        handle: (_req, res) => {
          res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '10' });
          res.write('12345');
          held = res;
        },
      },
    ]);
    proxy = await startProxy(
      upstreamsYaml({ app: up.url }) +
        'routes:\n  - { prefix: /s, upstream: app, timeoutMs: 200, retry: { attempts: 2, backoffMs: 0, maxBackoffMs: 0, on: [reset, timeout, 503] } }\n',
    );
    const req = get(proxy.url + '/s/slow-body', 'stall-3');
    const [res] = (await once(req, 'response')) as [http.IncomingMessage];
    let body = '';
    res.setEncoding('latin1');
    res.on('data', (c: string) => (body += c));
    const end = ending(res);
    // Waits past timeoutMs: the behaviour under test is that nothing happens then (no 504, no
    // abort, no retry), so the time has to pass; this is not synchronisation.
    await new Promise<void>((resolve) => setTimeout(resolve, 300));
    held!.end('67890');
    expect(await end).toBe('end');
    expect(body).toBe('1234567890');
    expect(up.arrivals).toHaveLength(1);
  });

  it('same with a fallback configured: the broken response is not handed to the fallback', async () => {
    up = await stalling(); // timeoutMs leaves each try 2 s for the head: a busy CI machine must not make this a retry
    const legacy = await stalling(); // never contacted: if it were, the arrivals would show it
    try {
      proxy = await startProxy(
        upstreamsYaml({ app: up.url, legacy: legacy.url }) +
          'routes:\n  - { prefix: /s, upstream: app, retry: { attempts: 3, backoffMs: 0, maxBackoffMs: 0 }, breaker: { consecutiveFailures: 1, halfOpenAfterMs: 60000 }, fallback: legacy }\n',
      );
      const req = get(proxy.url + '/s/big', 'stall-2');
      const [res] = (await once(req, 'response')) as [http.IncomingMessage];
      const end = ending(res);
      await once(res, 'data');
      up.destroySockets();
      expect(await end).toBe('error');
      expect(up.arrivals).toHaveLength(1);
      expect(legacy.arrivals).toHaveLength(0);
      expect(await metric(proxy.adminUrl, 'strangler_fallbacks_total')).toBe(0);
    } finally {
      await proxy?.close();
      proxy = undefined;
      await legacy.close();
    }
  });
});
