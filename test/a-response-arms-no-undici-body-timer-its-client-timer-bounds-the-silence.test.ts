// A silence in the upstream's body is a silence in what is written to the client: the client's own
// timer (idleTimeoutMs: the socket's, an HTTP/2 stream's) bounds it (idle-timeout tests), so undici
// is handed no bodyTimeout and arms no body timer per response (one FastTimer each before).
import { createRequire } from 'node:module';
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

// undici's client reads its timers through this module's object at each call (client-h1.js).
const timers = createRequire(import.meta.url)('undici/lib/util/timers.js') as { setFastTimeout: (...args: unknown[]) => unknown };
const realSetFast = timers.setFastTimeout;

let up: Upstream | undefined;
let proxy: TestProxy | undefined;
afterEach(async () => {
  timers.setFastTimeout = realSetFast;
  await proxy?.close();
  await up?.close();
  proxy = up = undefined;
});

/** The delays of the fast timers undici arms while `n` GETs of `url` are answered, one after another. */
async function fastTimersDuring(url: string, n: number): Promise<number[]> {
  const armed: number[] = [];
  timers.setFastTimeout = function (this: unknown, ...args: unknown[]) {
    armed.push(args[1] as number);
    return realSetFast.apply(this, args);
  };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (let i = 0; i < n; i++) {
      const body = await new Promise<string>((resolve, reject) => {
        http.get(url, { agent }, (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => resolve(text));
        }).on('error', reject);
      });
      expect(body).toBe('a body in two writes');
    }
  } finally {
    timers.setFastTimeout = realSetFast;
    agent.destroy();
  }
  return armed;
}

describe("an upstream's response body", () => {
  it('arms no undici timer on a route with an idleTimeoutMs', async () => {
    up = await startUpstream((_req, res) => {
      res.write('a body ');
      setImmediate(() => res.end('in two writes'));
    });
    proxy = await startProxy(upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /d, upstream: app }\n  - { prefix: /own, upstream: app, idleTimeoutMs: 5000 }\n');
    // One per response before: undici's bodyTimeout, the route's idleTimeoutMs. (A new upstream
    // connection arms its connect timeout, connectTimeoutMs: 2000 by default.)
    expect((await fastTimersDuring(proxy.url + '/d/x', 5)).filter((ms) => ms !== 2000)).toEqual([]);
    expect((await fastTimersDuring(proxy.url + '/own/x', 5)).filter((ms) => ms !== 2000)).toEqual([]);
  });
});
