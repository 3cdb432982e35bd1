// A token without `kid` whose JWKS holds several keys of its type: each candidate key is tried,
// and the token is admitted by the first that verifies it; none verifying is a 401, and a key
// that verifies it does not excuse its claims (an expired token stays refused).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, jwtProxyYaml, sign, startEcho, startJwks, testKey, type JwksServer, type TestKey } from './helpers/jwks.js';
import { startProxy, type TestProxy, type Upstream } from './helpers/servers.js';

let first: TestKey;
let second: TestKey;
let stranger: TestKey;
let jwks: JwksServer;
let echo: Upstream;
let proxy: TestProxy;

beforeAll(async () => {
  [first, second, stranger] = await Promise.all([testKey('RS256'), testKey('RS256'), testKey('RS256')]);
  jwks = await startJwks([first, second]);
  echo = await startEcho();
  proxy = await startProxy(jwtProxyYaml(`${jwks.url}/.well-known/jwks.json`, echo.url, '{ sub: x-user-id }'));
});

afterAll(async () => {
  await proxy?.close();
  await jwks?.close();
  await echo?.close();
});

const api = (): string => `${proxy.url}/api/me`;

describe('a token without kid and a JWKS with two RS256 keys', () => {
  it('is admitted when signed by the second key', async () => {
    const r = await get(api(), await sign(second, {}, { kid: undefined }));
    expect(r.status).toBe(200);
    expect(r.body['x-user-id']).toBe('alice');
  });

  it('is admitted when signed by the first key', async () => {
    expect((await get(api(), await sign(first, { sub: 'bob' }, { kid: undefined }))).status).toBe(200);
  });

  it('is refused when no key of the set verifies it', async () => {
    const r = await get(api(), await sign(stranger, {}, { kid: undefined }));
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toMatch(/the signature does not verify/);
  });

  it('is refused when a key verifies it but it has expired', async () => {
    const r = await get(api(), await sign(second, { exp: Math.floor(Date.now() / 1000) - 600 }, { kid: undefined }));
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toMatch(/expired/);
  });
});
