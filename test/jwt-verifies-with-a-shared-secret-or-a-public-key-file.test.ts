// The two local key sources of a jwt authenticator: a shared secret (HS256 by default) and a PEM
// public key file (read once when the table is built). Neither fetches anything; a token that
// does not fit the key is refused (401), never a 503.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIENCE, get, ISSUER, sign, startEcho, testKey, type TestKey } from './helpers/jwks.js';
import { startProxy, type TestProxy, type Upstream } from './helpers/servers.js';

const SECRET = 'a-shared-secret-of-at-least-32-characters!';
let echo: Upstream;
let rsa: TestKey;
let ec: TestKey;
let proxy: TestProxy;

beforeAll(async () => {
  echo = await startEcho();
  [rsa, ec] = await Promise.all([testKey('RS256'), testKey('ES256')]);
  const dir = await mkdtemp(path.join(tmpdir(), 'strangler-jwt-'));
  const pem = path.join(dir, 'idp.pem');
  await writeFile(pem, rsa.spki);
  proxy = await startProxy(
    `
auth:
  shared:
    jwt:
      secret: \${JWT_SECRET}
      issuer: ${ISSUER}
      claimsToHeaders: { sub: x-user-id }
  pem:
    jwt:
      publicKey: ${pem}
      audience: [other, ${AUDIENCE}]
      claimsToHeaders: { sub: x-user-id }
upstreams:
  echo: { url: "${echo.url}" }
routes:
  - { prefix: /hs, upstream: echo, auth: shared }
  - { prefix: /pem, upstream: echo, auth: pem }
`,
    { env: { JWT_SECRET: SECRET } },
  );
});

afterAll(async () => {
  await proxy?.close();
  await echo?.close();
});

function hs256(secret: string, claims: Record<string, unknown> = {}, alg = 'HS256'): Promise<string> {
  return new SignJWT({ sub: 'carol', iss: ISSUER, ...claims }).setProtectedHeader({ alg }).setExpirationTime('5m').sign(new TextEncoder().encode(secret));
}

describe('a shared secret', () => {
  it('admits an HS256 token signed with it', async () => {
    const r = await get(`${proxy.url}/hs/me`, await hs256(SECRET));
    expect(r.status).toBe(200);
    expect(r.body['x-user-id']).toBe('carol');
  });

  it('refuses a token signed with another secret, HS512 (not in the default list), or an RS256 token', async () => {
    for (const token of [await hs256(SECRET.toUpperCase()), await hs256(SECRET, {}, 'HS512'), await sign(rsa)]) {
      const r = await get(`${proxy.url}/hs/me`, token);
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    }
  });
});

describe('a PEM public key file', () => {
  it('admits an RS256 token signed with its private key, with one of the listed audiences', async () => {
    const r = await get(`${proxy.url}/pem/me`, await sign(rsa, { sub: 'dave' }));
    expect(r.status).toBe(200);
    expect(r.body['x-user-id']).toBe('dave');
  });

  it('refuses HS256 signed with the public key bytes (key confusion), another key, and a key of another type', async () => {
    const confused = await new SignJWT({ sub: 'admin', aud: AUDIENCE }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(new TextEncoder().encode(rsa.spki));
    const other = await testKey('RS256');
    for (const [token, why] of [
      [confused, /algorithm is not allowed/],
      [await sign(other), /signature/],
      [await sign(ec), /not accepted/], // ES256 is allowed, but the key is RSA: refused, not a 503
    ] as const) {
      const r = await get(`${proxy.url}/pem/me`, token);
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toMatch(why);
    }
  });
});
