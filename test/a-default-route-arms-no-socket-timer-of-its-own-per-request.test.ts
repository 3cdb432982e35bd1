// idleTimeoutMs on the client's side is the socket's own timer. Node arms it with server.timeout as
// each request's head arrives (after its keep-alive timer between requests); the public server's
// timeout is the default idleTimeoutMs, so an exchange on a route with the default finds it armed
// and arms nothing itself: a Timeout fewer per request. A route with another idleTimeoutMs still
// gets its own, and the timer still bounds a silence (idle-timeout tests).
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

let up: Upstream | undefined;
let proxy: TestProxy | undefined;
const realSetTimeout = net.Socket.prototype.setTimeout;
afterEach(async () => {
  net.Socket.prototype.setTimeout = realSetTimeout;
  await proxy?.close();
  await up?.close();
  proxy = up = undefined;
});

/** `n` GETs one after another on one kept-alive connection; resolves with the connections used. */
async function keepAliveGets(port: number, path: string, n: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const sockets = new Set<net.Socket>();
  for (let i = 0; i < n; i++) {
    await new Promise<void>((resolve, reject) => {
      http.get({ port, host: '127.0.0.1', path, agent }, (res) => {
        sockets.add(res.socket);
        res.resume();
        res.on('end', resolve);
      }).on('error', reject);
    });
  }
  agent.destroy();
  return sockets.size;
}

/** The timeouts set on the proxy's side of its client connections while `run` runs. */
async function armedDuring(port: number, run: () => Promise<unknown>): Promise<number[]> {
  const armed: number[] = [];
  net.Socket.prototype.setTimeout = function (this: net.Socket, ms: number, cb?: () => void) {
    if (this.localPort === port) armed.push(ms);
    return realSetTimeout.call(this, ms, cb);
  } as typeof realSetTimeout;
  await run();
  net.Socket.prototype.setTimeout = realSetTimeout;
  return armed;
}

describe('the client socket timer on a kept-alive connection', () => {
  it('is armed only by Node (keep-alive, then server.timeout) on a route with the default idleTimeoutMs', async () => {
    up = await startUpstream((_req, res) => res.end('ok'));
    proxy = await startProxy(upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /d, upstream: app }\n  - { prefix: /own, upstream: app, idleTimeoutMs: 5000 }\n');
    const port = proxy.port;
    let connections = 0;
    const onDefault = await armedDuring(port, async () => (connections += await keepAliveGets(port, '/d/x', 10)));
    const onOwn = await armedDuring(port, async () => (connections += await keepAliveGets(port, '/own/x', 10)));
    expect(connections).toBe(2);
    // Node's two per request (the keep-alive timer as a response ends, server.timeout as the next
    // head arrives; server.timeout once as the connection opens), and nothing of ours (before: 3 per
    // request); with its own idleTimeoutMs, the route adds one per request.
    expect(onDefault.length).toBeLessThanOrEqual(2 * 10);
    expect(onOwn.filter((ms) => ms === 5000)).toHaveLength(10);
  });
});
