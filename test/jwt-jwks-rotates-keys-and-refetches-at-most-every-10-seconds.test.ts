// The JWKS is fetched once and cached (jwksCacheMs); a token whose kid is not in the cached set
// refetches it, at most once every 10 s, so a rotated key passes within seconds without a restart
// and a flood of unknown kids cannot hammer the identity provider. jose times the cooldown with
// Date.now, so only Date is faked here (sockets and timers stay real).
import { writeFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { get, jwtProxyYaml, sign, startEcho, startJwks, testKey, type JwksServer, type TestKey } from './helpers/jwks.js';
import { startProxy, type TestProxy, type Upstream } from './helpers/servers.js';

let echo: Upstream;
const open: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  echo = await startEcho();
});
afterEach(async () => {
  vi.useRealTimers();
  for (const c of open.splice(0).reverse()) await c.close();
});
afterAll(async () => {
  await echo?.close();
});

function yaml(jwksUrl: string, extra = '', jwtExtra = ''): string {
  return jwtProxyYaml(jwksUrl, echo.url, '{ sub: x-user-id }', `      timeoutMs: 300\n${jwtExtra}`, extra);
}

async function setup(keys: TestKey[], extra = ''): Promise<{ jwks: JwksServer; proxy: TestProxy }> {
  const jwks = await startJwks(keys);
  open.push(jwks);
  const proxy = await startProxy(yaml(`${jwks.url}/jwks`, extra));
  open.push(proxy);
  return { jwks, proxy };
}

describe('key rotation', () => {
  it('takes a new key after the cooldown, without a restart, and refetches at most once per 10 s', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const [k1, k2] = await Promise.all([testKey('RS256'), testKey('ES256')]);
    const { jwks, proxy } = await setup([k1]);
    const api = `${proxy.url}/api/x`;
    expect((await get(api, await sign(k1))).status).toBe(200);
    expect(jwks.hits()).toBe(1);

    jwks.serve([k1, k2]); // the provider rotates
    vi.setSystemTime(Date.now() + 10_001);
    const r = await get(api, await sign(k2, { sub: 'bob' }));
    expect(r.status).toBe(200);
    expect(r.body['x-user-id']).toBe('bob');
    expect(jwks.hits()).toBe(2);

    // Unknown kids within the cooldown: refused without a fetch, sequential or concurrent.
    const stranger = await testKey('RS256');
    for (let i = 0; i < 10; i++) expect((await get(api, await sign({ ...stranger, kid: `unknown-${i}` }))).status).toBe(401);
    const burst = await Promise.all(Array.from({ length: 20 }, async (_, i) => (await get(api, await sign({ ...stranger, kid: `burst-${i}` }))).status));
    expect(burst.every((s) => s === 401)).toBe(true);
    expect(jwks.hits()).toBe(2);

    // After the cooldown, one refetch for a burst of unknown kids, then quiet again.
    vi.setSystemTime(Date.now() + 10_001);
    const burst2 = await Promise.all(Array.from({ length: 20 }, async (_, i) => (await get(api, await sign({ ...stranger, kid: `again-${i}` }))).status));
    expect(burst2.every((s) => s === 401)).toBe(true);
    expect(jwks.hits()).toBe(3);
    // Known keys never refetch.
    expect((await get(api, await sign(k1))).status).toBe(200);
    expect(jwks.hits()).toBe(3);
  });

  it('refetches a cached set once it is older than jwksCacheMs (default 10 minutes)', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const k1 = await testKey('ES256');
    const { jwks, proxy } = await setup([k1]);
    const api = `${proxy.url}/api/x`;
    expect((await get(api, await sign(k1))).status).toBe(200);
    vi.setSystemTime(Date.now() + 9 * 60_000);
    expect((await get(api, await sign(k1))).status).toBe(200);
    expect(jwks.hits()).toBe(1);
    vi.setSystemTime(Date.now() + 2 * 60_000);
    expect((await get(api, await sign(k1))).status).toBe(200);
    expect(jwks.hits()).toBe(2);
  });
});

describe('a JWKS that cannot be had', () => {
  it('answers 503 auth_unavailable to a token and 401 to no token, without fetching for it', async () => {
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    const k1 = await testKey('RS256');
    const { jwks, proxy } = await setup([k1]);
    const api = `${proxy.url}/api/x`;
    for (const mode of ['down', 'junk', 'stall'] as const) {
      jwks.mode(mode);
      const before = jwks.hits();
      const none = await get(api, null);
      expect(none.status, mode).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Bearer realm="strangler"');
      expect(jwks.hits(), mode).toBe(before);
      const r = await get(api, await sign(k1));
      expect(r.status, mode).toBe(503);
      expect(r.body.error).toBe('auth_unavailable');
      expect(jwks.hits(), mode).toBe(before + 1);
      // Within a second of the failure the JWKS is not asked again: the 503 comes at once.
      expect((await get(api, await sign(k1))).status, mode).toBe(503);
      expect(jwks.hits(), mode).toBe(before + 1);
      vi.setSystemTime(Date.now() + 1_500);
    }
    await proxy.logLine((l) => l.msg === 'jwks unavailable: tokens cannot be verified');
    jwks.mode('ok');
    expect((await get(api, await sign(k1))).status).toBe(200);
  });

  it('answers 503 when nothing listens at the JWKS URL', async () => {
    const k1 = await testKey('RS256');
    const jwks = await startJwks([k1]);
    const url = `${jwks.url}/jwks`;
    await jwks.close();
    const proxy = await startProxy(yaml(url));
    open.push(proxy);
    const r = await get(`${proxy.url}/api/x`, await sign(k1));
    expect(r.status).toBe(503);
    expect(r.body.error).toBe('auth_unavailable');
    expect((await get(`${proxy.url}/api/x`, null)).status).toBe(401);
  });
});

describe('a reload', () => {
  it('keeps the JWKS cache when the authenticator is unchanged, and builds a new one when it changes', async () => {
    const k1 = await testKey('RS256');
    const { jwks, proxy } = await setup([k1], '  - { prefix: /other, upstream: echo }\n');
    const api = `${proxy.url}/api/x`;
    expect((await get(api, await sign(k1))).status).toBe(200);
    expect(jwks.hits()).toBe(1);

    await writeFile(proxy.file, yaml(`${jwks.url}/jwks`, '  - { prefix: /elsewhere, upstream: echo }\n'));
    expect((await fetch(`${proxy.adminUrl}/reload`, { method: 'POST' })).status).toBe(200);
    expect((await get(`${proxy.url}/elsewhere`, null)).status).toBe(200);
    expect((await get(api, await sign(k1))).status).toBe(200);
    expect(jwks.hits()).toBe(1);

    await writeFile(proxy.file, yaml(`${jwks.url}/jwks`, '', '      clockSkewMs: 1000\n'));
    expect((await fetch(`${proxy.adminUrl}/reload`, { method: 'POST' })).status).toBe(200);
    expect((await get(api, await sign(k1))).status).toBe(200);
    expect(jwks.hits()).toBe(2);
  });
});
