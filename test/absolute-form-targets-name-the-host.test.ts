// An absolute-form target (`GET http://host/path`): its authority, not the Host field, names the
// host (RFC 9112 3.2.2), so X-Forwarded-Host is taken from it, and so is the Host the upstream is
// sent (a proxy replaces the received Host with it); userinfo in it is refused 400.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from './helpers/raw.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

const values = (raw: readonly string[], name: string) =>
  raw.flatMap((n, i) => (i % 2 === 0 && n.toLowerCase() === name ? [raw[i + 1]!] : []));

describe('absolute-form targets', () => {
  let up: Upstream, proxy: TestProxy;

  beforeAll(async () => {
    up = await startUpstream((_req, res) => res.end('ok'));
    proxy = await startProxy(upstreamsYaml({ up: up.url }) + 'routes:\n  - { prefix: /, upstream: up }\n');
  });
  afterAll(async () => {
    await proxy.close();
    await up.close();
  });

  const send = (target: string, host = 'other.example') =>
    rawRequest(proxy.port, Buffer.from(`GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`, 'latin1'));

  it.each([
    ['http://shop.example:8443/path?q=1', 'shop.example:8443'],
    ['http://shop.example', 'shop.example'],
    ['HTTP://Shop.Example?q', 'Shop.Example'],
  ])('%s: X-Forwarded-Host and the Host sent upstream are the target authority (%s), not the Host field', async (target, authority) => {
    const before = up.received.length;
    const r = await send(target);
    expect(r.status, r.head).toBe(200);
    expect(values(up.received[before]!.rawHeaders, 'x-forwarded-host')).toEqual([authority]);
    expect(values(up.received[before]!.rawHeaders, 'host')).toEqual([authority]);
  });

  it.each(['http://user:pw@host/path', 'http://user@host/path', 'http://@host/'])(
    'refuses userinfo in the target (%s) with 400 bad_request, without reaching the upstream',
    async (target) => {
      const before = up.received.length;
      const r = await send(target, 'host');
      expect(r.status, r.head).toBe(400);
      expect(r.headers['content-type']).toBe('application/json');
      expect(JSON.parse(r.body)).toEqual({ error: 'bad_request', message: expect.stringMatching(/user information/), requestId: r.headers['x-request-id'] });
      expect(up.received.length).toBe(before);
    },
  );
});
