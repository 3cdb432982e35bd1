import { describe, expect, it } from 'vitest';
import { RouteGate, type GateResult } from '../src/identity/gate.js';
import type { AuthDecision, AuthRequest, Authenticator, RateLimitDecision, RateLimitStore } from '../src/identity/types.js';
import { Metrics } from '../src/observability/metrics.js';
import type { EffectiveRateLimit } from '../src/routing/types.js';

const request = (headers: Record<string, string> = {}, clientIp = '10.0.0.1'): AuthRequest => ({
  header: (n) => headers[n] ?? null,
  method: 'GET',
  target: '/users/1',
  host: 'example.test',
  proto: 'http',
  clientIp,
  requestId: 'req-1',
});

function fake(name: string, decision: AuthDecision): Authenticator & { calls: number } {
  const a = {
    name,
    writes: ['x-user-id'],
    calls: 0,
    decide: () => {
      a.calls++;
      return Promise.resolve(decision);
    },
    close: () => {},
  };
  return a;
}

/** A store that admits the first `admit` takes of each key and records the keys. */
function countingStore(admit: number): RateLimitStore & { keys: string[] } {
  const counts = new Map<string, number>();
  const s = {
    keys: [] as string[],
    take(key: string): RateLimitDecision {
      s.keys.push(key);
      const n = (counts.get(key) ?? 0) + 1;
      counts.set(key, n);
      return n <= admit ? { allowed: true, remaining: admit - n, retryAfterMs: 0, resetMs: 1000 } : { allowed: false, remaining: 0, retryAfterMs: 1500, resetMs: 4000 };
    },
    close() {},
  };
  return s;
}

const allow = (id: string): AuthDecision => ({ kind: 'allow', headers: [['x-user-id', id]], claims: { sub: id } });
const none: AuthDecision = { kind: 'none', challenge: 'Bearer realm="strangler"' };
const deny: AuthDecision = { kind: 'deny', reason: 'expired', challenge: 'Bearer realm="strangler", error="invalid_token"' };
const error: AuthDecision = { kind: 'error', reason: 'JWKS unreachable' };
const answer: AuthDecision = { kind: 'answer', status: 302, headers: ['location', '/login'], body: Buffer.from('to login'), reason: 'login redirect' };
const limit = (key: EffectiveRateLimit['key']): EffectiveRateLimit => ({ requestsPerSecond: 1, burst: 2, key });

async function run(gate: RouteGate, req = request()): Promise<GateResult> {
  return gate.run(req, new AbortController().signal);
}

describe('the identity gate', () => {
  it('lets the first authenticator that accepts win, and asks no further', async () => {
    const first = fake('idp', none);
    const second = fake('session', allow('42'));
    const third = fake('never', allow('7'));
    const r = await run(new RouteGate('/users', [first, second, third], null, new Metrics()));
    expect(r).toEqual({ ok: true, add: ['x-user-id', '42'], responseHeaders: null });
    expect(third.calls).toBe(0);
  });

  it('answers 401 with every challenge when no authenticator accepts', async () => {
    const r = await run(new RouteGate('/users', [fake('a', none), fake('b', deny)], null, new Metrics()));
    expect(r).toMatchObject({ ok: false, status: 401, code: 'unauthorized' });
    if (r.ok) throw new Error('expected a refusal');
    expect(r.headers).toEqual(['www-authenticate', 'Bearer realm="strangler"', 'www-authenticate', 'Bearer realm="strangler", error="invalid_token"']);
    expect(r.message).toContain('b: expired');
  });

  it('answers 503 auth_unavailable when one could not decide, even if another gave an answer', async () => {
    const r = await run(new RouteGate('/users', [fake('bridge', answer), fake('idp', error)], null, new Metrics()));
    expect(r).toMatchObject({ ok: false, status: 503, code: 'auth_unavailable' });
  });

  it("passes a forward authenticator's own answer on when nothing accepted and nothing failed", async () => {
    const r = await run(new RouteGate('/users', [fake('idp', none), fake('bridge', answer)], null, new Metrics()));
    expect(r).toEqual({ ok: false, status: 302, code: null, message: 'login redirect', headers: ['location', '/login'], body: Buffer.from('to login') });
  });

  it('refuses over the limit before asking an authenticator, with Retry-After and the RateLimit fields', async () => {
    const auth = fake('idp', allow('42'));
    const metrics = new Metrics();
    const gate = new RouteGate('/users', [auth], { config: limit({ kind: 'client-ip' }), store: countingStore(2) }, metrics);
    const admitted = await run(gate);
    expect(admitted).toMatchObject({ ok: true, responseHeaders: ['ratelimit-policy', '"burst";q=2;w=2', 'ratelimit', '"burst";r=1;t=1'] });
    await run(gate);
    const refused = await run(gate);
    expect(refused).toMatchObject({ ok: false, status: 429, code: 'rate_limited' });
    if (refused.ok) throw new Error('expected a refusal');
    expect(refused.headers).toEqual(['retry-after', '2', 'ratelimit-policy', '"burst";q=2;w=2', 'ratelimit', '"burst";r=0;t=4']);
    expect(auth.calls).toBe(2);
    expect(await metrics.registry.getSingleMetricAsString('strangler_rate_limited_total')).toContain('strangler_rate_limited_total{route="/users"} 1');
  });

  it('keys a claim limit by the claim the accepting authenticator gave, after it', async () => {
    const store = countingStore(1);
    const gate = new RouteGate('/users', [fake('idp', allow('42'))], { config: limit({ kind: 'claim', name: 'sub' }), store }, new Metrics());
    expect((await run(gate)).ok).toBe(true);
    expect((await run(gate)).ok).toBe(false);
    expect(store.keys).toEqual(['/users\nclaim:42', '/users\nclaim:42']);
  });

  it("keys a claim limit by a forward authenticator's copied header written in any case (claim:X-User-Id)", async () => {
    // A forward authenticator's claims are its copied headers, by lower-case name: the key as
    // written missed them, and every user shared their address's bucket.
    const store = countingStore(5);
    const bridge = (id: string): AuthDecision => ({ kind: 'allow', headers: [['x-user-id', id]], claims: { 'x-user-id': id } });
    await run(new RouteGate('/users', [fake('bridge', bridge('7'))], { config: limit({ kind: 'claim', name: 'X-User-Id' }), store }, new Metrics()));
    await run(new RouteGate('/users', [fake('bridge', bridge('8'))], { config: limit({ kind: 'claim', name: 'X-User-Id' }), store }, new Metrics()));
    expect(store.keys).toEqual(['/users\nclaim:7', '/users\nclaim:8']);
  });

  it('keys a header limit by the header, and a request without it by its client address', async () => {
    const store = countingStore(5);
    const gate = new RouteGate('/users', [], { config: limit({ kind: 'header', name: 'x-api-key' }), store }, new Metrics());
    await run(gate, request({ 'x-api-key': 'k1' }));
    await run(gate, request({}, '10.9.9.9'));
    expect(store.keys).toEqual(['/users\nheader:k1', '/users\nip:10.9.9.9']);
  });

  it('lets a request through when the store cannot decide, and counts it', async () => {
    const metrics = new Metrics();
    const down: RateLimitStore = { take: () => Promise.resolve(null), close() {} };
    const r = await run(new RouteGate('/users', [], { config: limit({ kind: 'client-ip' }), store: down }, metrics));
    expect(r).toEqual({ ok: true, add: [], responseHeaders: null });
    expect(await metrics.registry.getSingleMetricAsString('strangler_rate_limit_store_errors_total')).toContain('strangler_rate_limit_store_errors_total 1');
  });

  it('counts each decision by route, authenticator and result', async () => {
    const metrics = new Metrics();
    await run(new RouteGate('/users', [fake('idp', deny), fake('bridge', allow('1'))], null, metrics));
    await run(new RouteGate('/users', [fake('idp', error)], null, metrics));
    const text = await metrics.registry.getSingleMetricAsString('strangler_auth_decisions_total');
    expect(text).toContain('strangler_auth_decisions_total{route="/users",authenticator="idp",result="deny"} 1');
    expect(text).toContain('strangler_auth_decisions_total{route="/users",authenticator="bridge",result="allow"} 1');
    expect(text).toContain('strangler_auth_decisions_total{route="/users",authenticator="idp",result="error"} 1');
  });
});
