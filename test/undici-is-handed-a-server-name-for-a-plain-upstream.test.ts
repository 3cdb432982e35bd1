// undici works out a request's TLS server name from its Host field (net.isIP's regular expressions)
// unless it is handed one, on every request, plain HTTP included, where no name is sent. The
// proxy hands it the upstream's host for a plain upstream (pools.ts): nothing worked out per request.
import diagnostics from 'node:diagnostics_channel';
import { afterEach, describe, expect, it } from 'vitest';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

let up: Upstream | undefined;
let proxy: TestProxy | undefined;
const seen: { origin: string; servername: string | null }[] = [];
const onCreate = (m: unknown): void => {
  const { origin, servername } = (m as { request: { origin: string; servername: string | null } }).request;
  seen.push({ origin: String(origin), servername });
};
afterEach(async () => {
  diagnostics.unsubscribe('undici:request:create', onCreate);
  await proxy?.close();
  await up?.close();
  proxy = up = undefined;
});

describe('a plain-HTTP upstream', () => {
  it("gets the upstream's host as undici's server name on every request, whatever Host the client sent", async () => {
    up = await startUpstream((_req, res) => res.end('ok'));
    proxy = await startProxy(upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /p, upstream: app, preserveHost: true }\n');
    diagnostics.subscribe('undici:request:create', onCreate);
    for (const host of ['shop.example', '10.0.0.1']) {
      const res = await fetch(`${proxy.url}/p/x`, { headers: { host } });
      expect(res.status).toBe(200);
      await res.text();
    }
    // (The test's own fetch goes through undici too: only the proxy's requests to the upstream count.)
    expect(seen.filter((r) => r.origin === up!.url).map((r) => r.servername)).toEqual(['127.0.0.1', '127.0.0.1']);
  });
});
