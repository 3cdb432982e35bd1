// A token accepted once is not verified again while it stays valid (a map read instead of a
// signature check), but the remembered acceptance ends where the token's own validity does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VerifiedTokens } from '../src/identity/verified-tokens.js';
import { get, sign, startEcho, startJwks, testKey, type JwksServer, ISSUER, AUDIENCE } from './helpers/jwks.js';
import { startProxy, testClock, type TestProxy, type Upstream } from './helpers/servers.js';

describe('the verified-token memory', () => {
  const v = { headers: [['x-user-id', 'alice']] as const, claims: { sub: 'alice' } };

  it('answers within exp and nbf (with the skew), and forgets after', () => {
    const clock = testClock(1_000_000);
    const tokens = new VerifiedTokens(10, 600_000, 1_000, clock);
    tokens.add('t', { ...v, claims: { sub: 'alice', exp: 1_060, nbf: 1_010 } });
    expect(tokens.get('t')).toBeUndefined(); // nbf 1010 s - 1 s skew is after now (1000 s)
    clock.advance(9_000);
    expect(tokens.get('t')).toBeUndefined(); // an entry seen too early is dropped
    tokens.add('t', { ...v, claims: { sub: 'alice', exp: 1_060, nbf: 1_010 } });
    expect(tokens.get('t')?.headers).toEqual([['x-user-id', 'alice']]);
    clock.advance(51_999); // 1060.999 s: exp + skew not reached
    expect(tokens.get('t')).toBeDefined();
    clock.advance(1);
    expect(tokens.get('t')).toBeUndefined();
  });

  it('keeps an entry at most maxAgeMs, and at most max entries (the oldest dropped)', () => {
    const clock = testClock(0);
    const tokens = new VerifiedTokens(2, 5_000, 0, clock);
    tokens.add('a', v);
    tokens.add('b', v);
    tokens.add('c', v);
    expect([tokens.get('a'), tokens.get('b'), tokens.get('c')].map((x) => x !== undefined)).toEqual([false, true, true]);
    clock.advance(5_000);
    expect(tokens.get('b')).toBeUndefined();
  });
});

describe('through the proxy', () => {
  let echo: Upstream, jwks: JwksServer, proxy: TestProxy;
  const clock = testClock(Date.now());
  let token = '';

  beforeAll(async () => {
    echo = await startEcho();
    const key = await testKey('ES256');
    jwks = await startJwks([key]);
    const now = Math.floor(clock.now() / 1000);
    token = await sign(key, { iat: now, exp: now + 60 });
    proxy = await startProxy(
      `auth:\n  idp: { jwt: { jwksUrl: '${jwks.url}/jwks', issuer: '${ISSUER}', audience: ${AUDIENCE}, algorithms: [ES256], clockSkewMs: 5000, claimsToHeaders: { sub: x-user-id } } }\n` +
        `upstreams:\n  echo: { url: '${echo.url}' }\nroutes:\n  - { prefix: /api, upstream: echo, auth: idp }\n`,
      { clock },
    );
  });
  afterAll(async () => {
    await proxy.close();
    await jwks.close();
    await echo.close();
  });

  it('accepts the token again from memory, and refuses it once it has expired', async () => {
    expect((await get(`${proxy.url}/api/a`, token)).status).toBe(200);
    expect((await get(`${proxy.url}/api/a`, token)).status).toBe(200);
    clock.advance(64_000); // exp + 4 s: within the 5 s skew
    expect((await get(`${proxy.url}/api/a`, token)).status).toBe(200);
    clock.advance(1_000); // exp + 5 s: expired for the proxy too
    const refused = await get(`${proxy.url}/api/a`, token);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('the token has expired');
  });
});
