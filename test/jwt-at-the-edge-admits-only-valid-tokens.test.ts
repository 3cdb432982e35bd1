// A route with a jwt authenticator (JWKS source) passes a request upstream only with a valid
// token: signature by a key of the JWKS, an allowed algorithm, issuer and audience as configured,
// within exp/nbf (with the clock skew). Everything else is 401 with a Bearer challenge (RFC 6750).
// The identity headers are built from the claims, and a client's own copy of them is removed on
// every route, authenticated or not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIENCE, b64url, get, ISSUER, jwtProxyYaml, metric, sign, startEcho, startJwks, testKey, type JwksServer, type TestKey } from './helpers/jwks.js';
import { startProxy, type TestProxy, type Upstream } from './helpers/servers.js';

let rsa: TestKey;
let ec: TestKey;
let stranger: TestKey;
let jwks: JwksServer;
let echo: Upstream;
let proxy: TestProxy;

beforeAll(async () => {
  [rsa, ec, stranger] = await Promise.all([testKey('RS256'), testKey('ES256'), testKey('RS256')]);
  jwks = await startJwks([rsa, ec]);
  echo = await startEcho();
  proxy = await startProxy(
    jwtProxyYaml(
      `${jwks.url}/.well-known/jwks.json`,
      echo.url,
      '{ sub: x-user-id, email: x-user-email, roles: x-user-roles, admin: x-user-admin, level: x-user-level, nested: x-user-nested, note: x-user-note }',
      '      clockSkewMs: 5000\n',
      '  - { prefix: /open, upstream: echo }\n',
    ),
  );
});

afterAll(async () => {
  await proxy?.close();
  await jwks?.close();
  await echo?.close();
});

const api = (): string => `${proxy.url}/api/me`;
const now = (): number => Math.floor(Date.now() / 1000);

async function refused(token: string | null, description: RegExp): Promise<void> {
  const r = await get(api(), token);
  expect(r.status).toBe(401);
  expect(r.body.error).toBe('unauthorized');
  const www = r.headers.get('www-authenticate') ?? '';
  expect(www).toMatch(/^Bearer realm="strangler", error="invalid_token", error_description="[^"\\]*"$/);
  expect(www).toMatch(description);
}

describe('a jwt route with a JWKS', () => {
  it('admits an RS256 and an ES256 token and sends the subject upstream as x-user-id', async () => {
    for (const key of [rsa, ec]) {
      const r = await get(api(), await sign(key, { sub: `user-${key.alg}` }));
      expect(r.status, key.alg).toBe(200);
      expect(r.body['x-user-id']).toBe(`user-${key.alg}`);
    }
  });

  it('answers 401 with a bare Bearer challenge without a token, or with another scheme', async () => {
    for (const authorization of [undefined, 'Basic YWxpY2U6cw==']) {
      const r = await get(api(), null, authorization === undefined ? {} : { authorization });
      expect(r.status).toBe(401);
      expect(r.body.error).toBe('unauthorized');
      expect(r.headers.get('www-authenticate')).toBe('Bearer realm="strangler"');
    }
  });

  it('takes the scheme in any case', async () => {
    const r = await get(api(), null, { authorization: `bEaReR ${await sign(rsa)}` });
    expect(r.status).toBe(200);
  });

  it('refuses an expired token, and one not valid yet', async () => {
    await refused(await sign(rsa, { exp: now() - 60 }), /expired/);
    await refused(await sign(rsa, { nbf: now() + 60 }), /not yet valid/);
  });

  it('refuses a token without exp', async () => {
    await refused(await sign(rsa, { exp: undefined }), /the exp claim is missing/);
  });

  it('admits a token expired or not valid yet within the clock skew', async () => {
    expect((await get(api(), await sign(rsa, { exp: now() - 2 }))).status).toBe(200);
    expect((await get(api(), await sign(rsa, { nbf: now() + 2 }))).status).toBe(200);
  });

  it('refuses a wrong issuer (compared exactly) and a wrong audience', async () => {
    await refused(await sign(rsa, { iss: 'https://evil.test/' }), /iss claim/);
    await refused(await sign(rsa, { iss: ISSUER.slice(0, -1) }), /iss claim/);
    await refused(await sign(rsa, { aud: 'someone-else' }), /aud claim/);
    await refused(await sign(rsa, { iss: undefined }), /iss claim is missing/);
  });

  it('refuses a bad signature, and a token signed by a key of another JWKS', async () => {
    const token = await sign(rsa);
    const [h, p, s] = token.split('.');
    const forged = `${h}.${b64url({ sub: 'admin', iss: ISSUER, aud: AUDIENCE, exp: now() + 60 })}.${s}`;
    await refused(forged, /signature/);
    await refused(`${h}.${p}.${s!.slice(0, -4)}AAAA`, /signature/);
    // Same kid as a served key, other key material: the signature fails.
    await refused(await sign({ ...stranger, kid: rsa.kid }), /signature/);
    // Its own kid: no key of the set matches.
    await refused(await sign(stranger), /no key matches/);
  });

  it('refuses an unsigned token (alg none), however its header is spelled', async () => {
    const claims = b64url({ sub: 'admin', iss: ISSUER, aud: AUDIENCE, exp: now() + 60 });
    for (const alg of ['none', 'None', 'NONE']) {
      await refused(`${b64url({ alg, typ: 'JWT' })}.${claims}.`, /./);
      await refused(`${b64url({ alg, kid: rsa.kid })}.${claims}.c2ln`, /./);
    }
  });

  it('refuses an algorithm outside the allow-list: HS256 signed with the public key (key confusion)', async () => {
    const { SignJWT } = await import('jose');
    const publicBytes = new TextEncoder().encode(rsa.spki);
    const token = await new SignJWT({ sub: 'admin', iss: ISSUER, aud: AUDIENCE })
      .setProtectedHeader({ alg: 'HS256', kid: rsa.kid })
      .setExpirationTime('1h')
      .sign(publicBytes);
    await refused(token, /algorithm is not allowed/);
  });

  it('refuses a malformed token with a quote-safe description', async () => {
    await refused('not-a-jwt', /malformed/);
    await refused('a.b.c', /malformed/);
    const r = await get(api(), null, { authorization: 'Bearer "quoted"' });
    expect(r.status).toBe(401);
  });

  it('removes a client-sent identity header on routes with and without auth', async () => {
    const spoof = { 'x-user-id': 'root', 'x-user-email': 'root@evil.test', 'X-User-Roles': 'admin' };
    const open = await get(`${proxy.url}/open/me`, null, spoof);
    expect(open.status).toBe(200);
    expect(open.body['x-user-id']).toBeUndefined();
    expect(open.body['x-user-email']).toBeUndefined();
    expect(open.body['x-user-roles']).toBeUndefined();
    const authed = await get(api(), await sign(rsa, { sub: 'alice' }), spoof);
    expect(authed.status).toBe(200);
    expect(authed.body['x-user-id']).toBe('alice');
    expect(authed.body['x-user-email']).toBeUndefined(); // no email claim: the client's is gone too
    expect(authed.body['x-user-roles']).toBeUndefined();
  });

  it('writes claims as header values: arrays joined, numbers and booleans as text, unsafe values skipped, non-ASCII percent-encoded', async () => {
    const token = await sign(rsa, {
      email: 'zoë@example.com',
      roles: ['admin', 'ops'],
      admin: true,
      level: 3,
      nested: { a: 1 },
      note: 'line\r\nx-injected: yes',
    });
    const r = await get(api(), token);
    expect(r.status).toBe(200);
    expect(r.body['x-user-email']).toBe('zo%C3%AB%40example.com');
    expect(r.body['x-user-roles']).toBe('admin, ops');
    expect(r.body['x-user-admin']).toBe('true');
    expect(r.body['x-user-level']).toBe('3');
    expect(r.body['x-user-nested']).toBeUndefined();
    expect(r.body['x-user-note']).toBeUndefined();
    expect(r.body['x-injected']).toBeUndefined();
  });

  it('counts decisions in strangler_auth_decisions_total by route, authenticator and result', async () => {
    const labels = (result: string) => ({ route: '/api', authenticator: 'idp', result });
    const name = 'strangler_auth_decisions_total';
    const [allow0, deny0] = [await metric(proxy.adminUrl, name, labels('allow')), await metric(proxy.adminUrl, name, labels('deny'))];
    await get(api(), await sign(ec));
    await get(api(), await sign(ec, { exp: now() - 600 }));
    await get(api(), null);
    expect(await metric(proxy.adminUrl, name, labels('allow'))).toBe(allow0 + 1);
    expect(await metric(proxy.adminUrl, name, labels('deny'))).toBe(deny0 + 2);
  });

  it('fetched the JWKS once for all of the above', () => {
    expect(jwks.hits()).toBe(1);
  });
});
