// The public HTTP/1 server's responses tell their exchange themselves when they close or their
// socket's timer fires (forward/watched-response.ts): no 'close' or 'timeout' listener is added to
// a response per request (two before). That they still tell it: the client-closed and idle-timeout
// tests, which pass through the same server.
import http from 'node:http';
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

let up: Upstream | undefined;
let proxy: TestProxy | undefined;
const realOn = EventEmitter.prototype.on;
afterEach(async () => {
  EventEmitter.prototype.on = realOn;
  await proxy?.close();
  await up?.close();
  proxy = up = undefined;
});

/** The events listened for on the proxy's responses while `n` GETs of `path` are answered. */
async function listenedDuring(port: number, path: string, n: number): Promise<string[]> {
  const events: string[] = [];
  EventEmitter.prototype.on = function (this: EventEmitter, event: string | symbol, listener: (...args: unknown[]) => void) {
    if (this instanceof http.ServerResponse && this.socket?.localPort === port) events.push(String(event));
    return realOn.call(this, event, listener);
  };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (let i = 0; i < n; i++) {
      const status = await new Promise<number>((resolve, reject) => {
        http.get({ port, host: '127.0.0.1', path, agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode!));
        }).on('error', reject);
      });
      expect(status).toBe(200);
    }
  } finally {
    EventEmitter.prototype.on = realOn;
    agent.destroy();
  }
  return events;
}

describe('a proxied response on the public HTTP/1 server', () => {
  it("gets no 'close' or 'timeout' listener per request, with the default idleTimeoutMs or its own", async () => {
    up = await startUpstream((_req, res) => res.end('ok'));
    proxy = await startProxy(upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /d, upstream: app }\n  - { prefix: /own, upstream: app, idleTimeoutMs: 5000 }\n');
    const events = [...(await listenedDuring(proxy.port, '/d/x', 5)), ...(await listenedDuring(proxy.port, '/own/x', 5))];
    expect(events.filter((e) => e === 'close' || e === 'timeout')).toEqual([]);
  });
});
