import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load.js';
import type { LoadResult } from '../src/config/types.js';
import { effectiveConfig } from '../src/routing/effective.js';
import { describeEffective } from '../src/routing/describe.js';
import { redactConfig } from '../src/config/redact.js';

function errorsOf(r: LoadResult): string[] {
  if (r.ok) throw new Error('expected the config to be rejected');
  return r.errors.map((e) => `${e.line}:${e.column} ${e.path}: ${e.message}`);
}

// The contract's example (section "Identity and rate limits"), with the upstreams it names.
const CONTRACT = `
auth:
  idp:
    jwt:
      jwksUrl: https://idp.example.com/.well-known/jwks.json
      issuer: https://idp.example.com/
      audience: strangler
      algorithms: [RS256, ES256]
      clockSkewMs: 30000
      claimsToHeaders: { sub: x-user-id, email: x-user-email }
  legacy-session:
    forward:
      upstream: legacy
      path: /auth/whoami
      headers: [cookie, authorization]
      copyHeaders: [x-user-id, x-user-roles]
      cacheMs: 5000
      timeoutMs: 1000
upstreams:
  legacy: { url: http://127.0.0.1:8000 }
  users: { url: http://127.0.0.1:8001 }
routes:
  - prefix: /users
    upstream: users
    auth: [idp, legacy-session]
    rateLimit:
      requestsPerSecond: 50
      burst: 100
      key: client-ip
  - prefix: /
    upstream: legacy
server:
  rateLimitStore: redis://127.0.0.1:6379
`;

describe('the identity keys', () => {
  it("accept the contract's example, with its defaults in the effective config", () => {
    const r = parseConfig(CONTRACT, 'r.yaml', {});
    if (!r.ok) throw new Error(errorsOf(r).join('\n'));
    const e = effectiveConfig(r.config);
    if (!e.ok) throw new Error('effective step failed');
    expect(e.effective.routes[0]!.auth).toEqual(['idp', 'legacy-session']);
    expect(e.effective.routes[0]!.rateLimit).toEqual({ requestsPerSecond: 50, burst: 100, key: { kind: 'client-ip' } });
    expect(e.effective.routes[1]!.auth).toBeNull();
    expect(e.effective.auth.get('idp')).toMatchObject({ kind: 'jwt', audience: ['strangler'], jwksCacheMs: 600_000, claimsToHeaders: [['sub', 'x-user-id'], ['email', 'x-user-email']] });
    expect(e.effective.auth.get('legacy-session')).toMatchObject({ kind: 'forward', upstream: 'legacy', maxCacheEntries: 10_000 });
    expect(e.effective.server.rateLimitStore).toBe('redis://127.0.0.1:6379');
  });

  it('default a secret to HS256, a JWKS to RS256 and ES256, burst to one second, the key to client-ip', () => {
    const r = parseConfig(
      `auth:
  a: { jwt: { secret: '0123456789abcdef0123456789abcdef' } }
  b: { jwt: { jwksUrl: 'http://127.0.0.1:1/jwks' } }
upstreams: { u: { url: 'http://127.0.0.1:1' } }
routes:
  - { prefix: /, upstream: u, auth: a, rateLimit: { requestsPerSecond: 2.5 } }
`,
      'r.yaml',
      {},
    );
    if (!r.ok) throw new Error(errorsOf(r).join('\n'));
    const e = effectiveConfig(r.config);
    if (!e.ok) throw new Error('effective step failed');
    expect(e.effective.auth.get('a')).toMatchObject({ algorithms: ['HS256'], clockSkewMs: 30_000 });
    expect(e.effective.auth.get('b')).toMatchObject({ algorithms: ['RS256', 'ES256'] });
    expect(e.effective.routes[0]!.auth).toEqual(['a']);
    expect(e.effective.routes[0]!.rateLimit).toEqual({ requestsPerSecond: 2.5, burst: 3, key: { kind: 'client-ip' } });
  });

  it('report every cross-field mistake at its key', () => {
    const r = parseConfig(
      `auth:
  idp:
    jwt: { jwksUrl: 'https://idp/jwks', secret: 'abcdefghijklmnopqrstuvwxyz0123456789' }
  pem:
    jwt: { publicKey: key.pem, algorithms: [RS256, HS256] }
  hs:
    jwt: { secret: 'abcdefghijklmnopqrstuvwxyz0123456789', algorithms: [ES256] }
  none:
    jwt: { issuer: x }
  bridge:
    forward: { upstream: legcy, path: /auth/whoami, copyHeaders: [x-user-id, cookie] }
  claims:
    jwt: { secret: 'abcdefghijklmnopqrstuvwxyz0123456789', claimsToHeaders: { sub: Authorization } }
upstreams:
  legacy: { url: 'http://127.0.0.1:8000' }
routes:
  - prefix: /a
    upstream: legacy
    auth: [idp, brigde]
  - prefix: /b
    upstream: legacy
    rateLimit: { requestsPerSecond: 1, key: 'claim:sub' }
`,
      'r.yaml',
      {},
    );
    expect(errorsOf(r)).toEqual([
      '3:5 auth.idp.jwt: takes one key source, not jwksUrl and secret',
      '5:52 auth.pem.jwt.algorithms[1]: HS256 takes a shared secret; with publicKey it would let a token signed with the public key pass (key confusion)',
      '7:73 auth.hs.jwt.algorithms[0]: ES256 needs a public key; with a secret only HS256, HS384, HS512 apply',
      '9:5 auth.none.jwt: needs a key: one of jwksUrl, secret or publicKey',
      "11:26 auth.bridge.forward.upstream: unknown upstream 'legcy' (did you mean 'legacy'? known upstreams: legacy)",
      '11:78 auth.bridge.forward.copyHeaders[1]: cannot write cookie: the headers an authenticator writes are removed from every client request',
      '13:84 auth.claims.jwt.claimsToHeaders.sub: cannot write authorization: the headers an authenticator writes are removed from every client request',
      "19:17 routes[0].auth[1]: unknown authenticator 'brigde' (did you mean 'bridge'? known authenticators: idp, pem, hs, none, bridge, claims)",
      '22:45 routes[1].rateLimit.key: claim:sub needs the route to authenticate: set auth on the route, or use client-ip or header:NAME',
    ]);
  });

  it('check the values themselves against the schema', () => {
    const r = parseConfig(
      `auth:
  short: { jwt: { secret: tooshort } }
  both: { jwt: { secret: 'abcdefghijklmnopqrstuvwxyz0123456789' }, forward: { upstream: u, path: /x } }
  alg: { jwt: { jwksUrl: 'https://i/j', algorithms: [none] } }
upstreams: { u: { url: 'http://127.0.0.1:1' } }
routes:
  - { prefix: /, upstream: u, auth: short, rateLimit: { requestsPerSecond: 0, key: 'cookie:x' } }
server: { rateLimitStore: 'http://127.0.0.1:6379' }
`,
      'r.yaml',
      {},
    );
    const errors = errorsOf(r).join('\n');
    expect(errors).toContain('auth.short.jwt.secret: must be a shared secret of at least 32 characters');
    expect(errors).toContain('auth.both: must be one of { jwt: ... } or { forward: ... }');
    expect(errors).toContain('auth.alg.jwt.algorithms[0]: must be one of');
    expect(errors).toContain('routes[0].rateLimit.requestsPerSecond: must be a number >= 0.001');
    expect(errors).toContain('routes[0].rateLimit.key: must be client-ip, header:NAME or claim:NAME');
    expect(errors).toContain('server.rateLimitStore: must be a Redis URL');
  });

  it('never show a secret: /config, check --json and /routes redact it and a store password', () => {
    const r = parseConfig(
      `auth:
  a: { jwt: { secret: '\${JWT_SECRET}' } }
upstreams: { u: { url: 'http://127.0.0.1:1' } }
routes: [{ prefix: /, upstream: u, auth: a }]
server: { rateLimitStore: 'redis://:hunter2hunter2@127.0.0.1:6379/0' }
`,
      'r.yaml',
      { JWT_SECRET: 'the-very-secret-value-0123456789abcdef' },
    );
    if (!r.ok) throw new Error(errorsOf(r).join('\n'));
    const e = effectiveConfig(r.config);
    if (!e.ok) throw new Error('effective step failed');
    const shown = JSON.stringify([redactConfig(r.config), describeEffective(e.effective, { version: r.version, file: 'r.yaml' })]);
    expect(shown).not.toContain('the-very-secret-value');
    expect(shown).not.toContain('hunter2');
    expect(shown).toContain('<redacted>');
    expect(shown).toContain('redis://:redacted@127.0.0.1:6379/0');
  });
});

describe('the reload log and check --against', () => {
  it('name changed authenticators and store settings without printing a secret', async () => {
    const { diffConfigs, formatChanges } = await import('../src/routing/diff.js');
    const file = (secret: string, store: string, extra = ''): string =>
      `auth:\n  idp: { jwt: { secret: '${secret}', issuer: https://a/ } }\n${extra}upstreams: { u: { url: 'http://127.0.0.1:1' } }\nroutes: [{ prefix: /, upstream: u, auth: idp }]\nserver: { rateLimitStore: '${store}' }\n`;
    const before = parseConfig(file('first-secret-0123456789abcdef0123', 'redis://:pw-one@127.0.0.1:6379'), 'r.yaml', {});
    const after = parseConfig(
      file('second-secret-0123456789abcdef012', 'redis://:pw-two@127.0.0.1:6380', '  bridge: { forward: { upstream: u, path: /whoami } }\n'),
      'r.yaml',
      {},
    );
    if (!before.ok || !after.ok) throw new Error('expected valid files');
    const lines = formatChanges(diffConfigs(before.config, after.config));
    expect(lines).toEqual([
      'server.rateLimitStore redis://:redacted@127.0.0.1:6379 -> redis://:redacted@127.0.0.1:6380',
      'authenticator idp: jwt.secret changed',
      'authenticator bridge added (forward)',
    ]);
    expect(lines.join('\n')).not.toMatch(/secret-0123|pw-one|pw-two/);
  });
});

describe('the identity keys, more rules', () => {
  it('refuse a header:NAME limit on a header an authenticator writes, and a rate under 0.001', () => {
    const r = parseConfig(
      `auth:
  bridge: { forward: { upstream: u, path: /whoami, copyHeaders: [x-user-id] } }
upstreams: { u: { url: 'http://127.0.0.1:1' } }
routes:
  - { prefix: /a, upstream: u, auth: bridge, rateLimit: { requestsPerSecond: 1, key: 'header:X-User-Id' } }
  - { prefix: /b, upstream: u, rateLimit: { requestsPerSecond: 0.0001 } }
`,
      'r.yaml',
      {},
    );
    const errors = errorsOf(r).join('\n');
    expect(errors).toContain('routes[0].rateLimit.key: header:X-User-Id names a header an authenticator writes');
    expect(errors).toContain('routes[1].rateLimit.requestsPerSecond: must be a number >= 0.001');
  });

  it("refuse a claim:NAME limit behind forward authenticators on a header none of them copies (it would never have a value)", () => {
    const r = parseConfig(
      `auth:
  bridge: { forward: { upstream: u, path: /whoami, copyHeaders: [x-user-id] } }
  idp: { jwt: { secret: s3cret-value-long-enough-for-hs256 } }
upstreams: { u: { url: 'http://127.0.0.1:1' } }
routes:
  - { prefix: /a, upstream: u, auth: bridge, rateLimit: { requestsPerSecond: 1, key: 'claim:x-user-idd' } }
  - { prefix: /b, upstream: u, auth: bridge, rateLimit: { requestsPerSecond: 1, key: 'claim:X-User-Id' } }
  - { prefix: /c, upstream: u, auth: [idp, bridge], rateLimit: { requestsPerSecond: 1, key: 'claim:tenant' } }
`,
      'r.yaml',
      {},
    );
    // (/b: a header name in any case; /c: a jwt may carry any claim.)
    expect(errorsOf(r)).toEqual([
      "6:86 routes[0].rateLimit.key: claim:x-user-idd is not a header the route's forward authenticators copy (did you mean 'claim:x-user-id'? copyHeaders: x-user-id): it would never have a value",
    ]);
  });

  it('refuse a canary sticky on a header an authenticator writes, on a route without auth (it would never have a value)', () => {
    const r = parseConfig(
      `auth:
  bridge: { forward: { upstream: u, path: /whoami, copyHeaders: [x-user-id] } }
upstreams: { u: { url: 'http://127.0.0.1:1' }, v: { url: 'http://127.0.0.1:2' } }
routes:
  - { prefix: /a, upstream: u, canary: { upstream: v, percent: 10, stickyOn: 'header:X-User-Id' } }
  - { prefix: /b, upstream: u, auth: bridge, canary: { upstream: v, percent: 10, stickyOn: 'header:x-user-id' } }
`,
      'r.yaml',
      {},
    );
    const errors = errorsOf(r);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^5:\d+ routes\[0\]\.canary\.stickyOn: header:X-User-Id names a header an authenticator writes, and this route has no auth/);
  });

  it('never print a secret or a store password in an error', () => {
    const r = parseConfig(
      `auth:
  a: { jwt: { secret: '\${JWT_SECRET}' } }
upstreams: { u: { url: 'http://127.0.0.1:1' } }
routes: [{ prefix: /, upstream: u, auth: a }]
server: { rateLimitStore: 'redis://:hunter2hunter2@127.0.0.1:6379 x' }
`,
      'r.yaml',
      { JWT_SECRET: 'tooShortButSecretValue' },
    );
    const errors = errorsOf(r).join('\n');
    expect(errors).toContain("auth.a.jwt.secret: must be a shared secret of at least 32 characters");
    expect(errors).toContain('(a secret of 22 characters)');
    expect(errors).toContain('server.rateLimitStore');
    expect(errors).not.toMatch(/tooShortButSecretValue|hunter2/);
  });
});
