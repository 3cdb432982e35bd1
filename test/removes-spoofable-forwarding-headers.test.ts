// Headers a client could send to pose as a trusted hop (contract v2, "Edge"): removed unless
// trustedProxies covers them; `Proxy` (httpoxy) and `_`-spelled forwarding headers always; and
// trusted hops whose values are not sane make the request untrusted. The probe's bytes go on a raw
// socket, so every header reaches the proxy exactly as written.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from './helpers/raw.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

const CLIENT = '127.0.0.1';

/** Every value of one header the upstream received, in order (name compared case-insensitively). */
const values = (raw: readonly string[], name: string) =>
  raw.flatMap((n, i) => (i % 2 === 0 && n.toLowerCase() === name ? [raw[i + 1]!] : []));
const names = (raw: readonly string[]) => raw.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());

/** The spoofable headers of the probe: posing as a front proxy. */
const SPOOFS =
  'Forwarded: for=6.6.6.6;proto=https\r\n' +
  'X-Real-IP: 6.6.6.6\r\n' +
  'True-Client-IP: 6.6.6.6\r\n' +
  'Client-IP: 6.6.6.6\r\n' +
  'X-Forwarded-Port: 443\r\n' +
  'X-Forwarded-Prefix: /admin\r\n' +
  'X-Original-URL: /admin/users\r\n' +
  'X-Rewrite-URL: /admin/users\r\n';
const SPOOF_NAMES = ['forwarded', 'x-real-ip', 'true-client-ip', 'client-ip', 'x-forwarded-port', 'x-forwarded-prefix', 'x-original-url', 'x-rewrite-url'];

/** Always removed, whatever trustedProxies says. */
const ALWAYS =
  'Proxy: http://evil.example:8080\r\n' +
  'X_Forwarded_For: 6.6.6.6\r\n' +
  'X_Forwarded_Proto: https\r\n' +
  'x_forwarded_host: evil.example\r\n' +
  'X_Real_IP: 6.6.6.6\r\n' +
  'X-Forwarded_For: 6.6.6.6\r\n' +
  'True_Client_IP: 6.6.6.6\r\n';

describe('spoofable forwarding headers', () => {
  const proxies: TestProxy[] = [];
  let up: Upstream;
  const at = async (trustedProxies: number) => {
    const proxy = await startProxy(`server:\n  trustedProxies: ${trustedProxies}\n` + upstreamsYaml({ up: up.url }) +
      'routes:\n  - { prefix: /, upstream: up }\n');
    proxies.push(proxy);
    return proxy;
  };
  /** The raw headers the upstream received for `head` (which must get a 200). */
  const through = async (proxy: TestProxy, head: string, target = '/p') => {
    const before = up.received.length;
    const r = await rawRequest(proxy.port, Buffer.from(`GET ${target} HTTP/1.1\r\nHost: proxy.test\r\n${head}Connection: close\r\n\r\n`, 'latin1'));
    expect(r.status, r.head).toBe(200);
    expect(up.received.length).toBe(before + 1);
    return up.received[before]!.rawHeaders;
  };

  beforeAll(async () => {
    up = await startUpstream((_req, res) => res.end('ok'));
  });
  afterAll(async () => {
    await Promise.all(proxies.map((p) => p.close()));
    await up.close();
  });

  it('with trustedProxies: 0 removes every one of them, and keeps ordinary headers', async () => {
    const proxy = await at(0);
    const raw = await through(proxy, 'X-Before: 1\r\n' + SPOOFS + ALWAYS + 'X-After: 2\r\n');
    for (const name of SPOOF_NAMES) expect(names(raw), name).not.toContain(name);
    expect(names(raw).filter((n) => n === 'proxy' || n.includes('_'))).toEqual([]);
    expect(values(raw, 'x-before')).toEqual(['1']);
    expect(values(raw, 'x-after')).toEqual(['2']);
    expect(values(raw, 'x-forwarded-for')).toEqual([CLIENT]);
    expect(values(raw, 'x-forwarded-proto')).toEqual(['http']);
    expect(values(raw, 'x-forwarded-host')).toEqual(['proxy.test']);
  });

  it('with trustedProxies: 2 and sane trusted values keeps them as sent, in place; Proxy and _ spellings still go', async () => {
    const proxy = await at(2);
    const raw = await through(proxy,
      'X-Forwarded-For: 6.6.6.6, 10.0.0.1, 2001:db8::1\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: shop.example\r\n' +
      SPOOFS + ALWAYS);
    expect(values(raw, 'x-forwarded-for')).toEqual([`10.0.0.1, 2001:db8::1, ${CLIENT}`]);
    expect(values(raw, 'x-forwarded-proto')).toEqual(['https']);
    expect(values(raw, 'x-forwarded-host')).toEqual(['shop.example']);
    expect(names(raw).filter((n) => SPOOF_NAMES.includes(n))).toEqual(SPOOF_NAMES);
    expect(values(raw, 'x-original-url')).toEqual(['/admin/users']);
    expect(values(raw, 'forwarded')).toEqual(['for=6.6.6.6;proto=https']);
    expect(names(raw).filter((n) => n === 'proxy' || n.includes('_'))).toEqual([]);
  });

  it.each([
    ['a trusted X-Forwarded-For entry that is not an IP address', 'X-Forwarded-For: <script>, not-an-ip\r\nX-Forwarded-Proto: https\r\n'],
    ['one bad entry among the trusted ones', 'X-Forwarded-For: 10.0.0.1, 10.0.0.2:8080\r\n'],
    ['an X-Forwarded-Proto other than http or https', 'X-Forwarded-For: 10.0.0.1\r\nX-Forwarded-Proto: javascript\r\n'],
    ['an X-Forwarded-Host that is not a host', 'X-Forwarded-For: 10.0.0.1\r\nX-Forwarded-Host: <script>\r\n'],
  ])('with trustedProxies: 2, %s makes the request untrusted: its values replaced', async (_what, head) => {
    const proxy = await at(2);
    const raw = await through(proxy, head + SPOOFS);
    expect(values(raw, 'x-forwarded-for')).toEqual([CLIENT]);
    expect(values(raw, 'x-forwarded-proto')).toEqual(['http']);
    expect(values(raw, 'x-forwarded-host')).toEqual(['proxy.test']);
    for (const name of SPOOF_NAMES) expect(names(raw), name).not.toContain(name);
  });

  it('with trustedProxies: 1 checks only the trusted (last) X-Forwarded-For entry', async () => {
    const proxy = await at(1);
    const raw = await through(proxy, 'X-Forwarded-For: not-an-ip, 10.0.0.9\r\nX-Real-IP: 10.0.0.9\r\n');
    expect(values(raw, 'x-forwarded-for')).toEqual([`10.0.0.9, ${CLIENT}`]);
    expect(values(raw, 'x-real-ip')).toEqual(['10.0.0.9']);
  });
});
