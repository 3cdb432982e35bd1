import { writeFile } from 'node:fs/promises';
import { Agent, fetch } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bucketOf, sideFor } from '../src/canary/split.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';
import { LOG } from '../src/observability/log-messages.js';

const agent = new Agent({ connections: 16 });
const side = async (url: string, headers: Record<string, string> = {}) => (await (await fetch(url, { headers, dispatcher: agent })).text());

let legacy: Upstream, users: Upstream;
let failing = false;
beforeAll(async () => {
  legacy = await startUpstream((_req, res) => res.end('primary'));
  users = await startUpstream((_req, res) => {
    res.statusCode = failing ? 500 : 200;
    res.end(failing ? 'boom' : 'canary');
  });
});
afterAll(async () => {
  await Promise.all([legacy.close(), users.close()]);
  await agent.close();
});

let proxy: TestProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  failing = false;
});

const yaml = (canary: string, other = '') =>
  upstreamsYaml({ legacy: legacy.url, users: users.url }) +
  `routes:\n  - prefix: /users\n    upstream: legacy\n    canary: ${canary}\n  - { prefix: /, upstream: legacy${other} }\n`;

describe('the split (pure)', () => {
  it('is a stable hash of the key: the same bucket in every process, and monotonic in the percentage', () => {
    expect(bucketOf('user-42')).toBe(bucketOf('user-42'));
    for (let k = 0; k < 1000; k++) {
      const key = `k${k}`;
      if (sideFor(10, key, null, Math.random) === 'canary') expect(sideFor(20, key, null, Math.random)).toBe('canary');
    }
    expect(sideFor(0, 'x', 'on', Math.random)).toBe('canary');
    expect(sideFor(100, 'x', 'off', Math.random)).toBe('primary');
  });
});

describe('canary through the proxy', () => {
  it('sends percent of requests without a key to the canary: exactly the draws below percent', async () => {
    // The injected source cycles through 0/20, 1/20, ... 19/20: at 10%, the draws 0 and 0.05 go
    // to the canary (bucket < 1000 of 10,000), the other 18 of every 20 to the primary.
    let draw = 0;
    const random = () => (draw++ % 20) / 20;
    proxy = await startProxy(yaml('{ upstream: users, percent: 10 }'), { random });
    const n = 200;
    const sides: string[] = [];
    for (let i = 0; i < n; i++) sides.push(await side(proxy.url + '/users/1'));
    expect(draw).toBe(n); // one draw per request, none elsewhere
    sides.forEach((s, i) => expect(s).toBe(i % 20 < 2 ? 'canary' : 'primary'));
    const metrics = await (await fetch(proxy.adminUrl + '/metrics')).text();
    expect(metrics).toContain('strangler_canary_requests_total{route="/users",side="canary"} 20');
    expect(metrics).toContain(`strangler_canary_requests_total{route="/users",side="primary"} ${n - 20}`);
  });

  it('keeps 1,000 keys on their side across a restart, and 10% -> 20% only moves keys to the canary', async () => {
    const keys = Array.from({ length: 1000 }, (_, i) => `user-${i}`);
    const sides = async (p: TestProxy) => {
      const out = new Map<string, string>();
      for (let i = 0; i < keys.length; i += 50) {
        const chunk = keys.slice(i, i + 50);
        const got = await Promise.all(chunk.map((k) => side(p.url + '/users/me', { 'x-user-id': k })));
        chunk.forEach((k, j) => out.set(k, got[j]!));
      }
      return out;
    };
    const config = yaml('{ upstream: users, percent: 10, stickyOn: "header:x-user-id" }');
    proxy = await startProxy(config);
    const first = await sides(proxy);
    await proxy.close();
    proxy = await startProxy(config); // a new process-like instance: nothing carried over
    const again = await sides(proxy);
    expect(again).toEqual(first);

    const since = proxy.logs.length;
    await writeFile(proxy.file, yaml('{ upstream: users, percent: 20, stickyOn: "header:x-user-id" }'));
    await proxy.logLine((l) => proxy!.logs.indexOf(l) >= since && l.msg === LOG.configReloaded);
    const wider = await sides(proxy);
    const before = keys.filter((k) => first.get(k) === 'canary').length;
    const after = keys.filter((k) => wider.get(k) === 'canary').length;
    expect(keys.filter((k) => first.get(k) === 'canary' && wider.get(k) !== 'canary')).toEqual([]);
    expect(after).toBeGreaterThan(before);
  });

  it('reads a sticky key from a cookie', async () => {
    proxy = await startProxy(yaml('{ upstream: users, percent: 50, stickyOn: "cookie:uid" }'));
    const results = new Set<string>();
    for (let i = 0; i < 20; i++) results.add(await side(proxy.url + '/users', { cookie: 'theme=dark; uid=alice' }));
    expect(results.size).toBe(1);
    expect(results.has(sideFor(50, 'alice', null, Math.random) === 'canary' ? 'canary' : 'primary')).toBe(true);
  });

  it('lets testers pin a side with the force header', async () => {
    proxy = await startProxy(yaml('{ upstream: users, percent: 0, forceHeader: x-canary }'));
    expect(await side(proxy.url + '/users', { 'x-canary': 'on' })).toBe('canary');
    expect(await side(proxy.url + '/users', { 'X-Canary': 'ON' })).toBe('canary');
    expect(await side(proxy.url + '/users')).toBe('primary');
    await proxy.close();
    proxy = await startProxy(yaml('{ upstream: users, percent: 100, forceHeader: x-canary }'));
    expect(await side(proxy.url + '/users', { 'x-canary': 'off' })).toBe('primary');
    expect(await side(proxy.url + '/users')).toBe('canary');
  });
});

describe('a failing canary with a fallback', () => {
  it('is answered by the fallback (the primary), and counts as a canary failure', async () => {
    failing = true;
    proxy = await startProxy(
      upstreamsYaml({ legacy: legacy.url, users: users.url }) +
        'routes:\n  - prefix: /users\n    upstream: legacy\n    fallback: legacy\n' +
        '    canary: { upstream: users, percent: 100, halt: { maxErrorRate: 0.5, minRequests: 3, windowMs: 60000 } }\n',
    );
    const r = await fetch(proxy.url + '/users/1', { dispatcher: agent });
    expect(await r.text()).toBe('primary');
    expect(r.headers.get('x-strangler-fallback')).toBe('legacy');
    expect(await (await fetch(proxy.adminUrl + '/metrics')).text()).toContain(
      'strangler_fallbacks_total{route="/users",from="users",to="legacy",reason="status_5xx"} 1',
    );
    await side(proxy.url + '/users/1');
    await side(proxy.url + '/users/1'); // the third canary failure: halted
    const line = await proxy.logLine((l) => l.msg === LOG.canaryHalted);
    expect(line).toMatchObject({ route: '/users' });
  });
});

describe('the halt', () => {
  const halting = '{ upstream: users, percent: 0, forceHeader: x-canary, halt: { maxErrorRate: 0.5, minRequests: 20, windowMs: 60000 } }';
  const onCanary = { 'x-canary': 'on' };
  const routeState = async (p: TestProxy) =>
    ((await (await fetch(p.adminUrl + '/routes')).json()) as { routes: { prefix: string; state: { canary: { halted: { reason: string; at: string } | null } } }[] }).routes[0]!.state.canary;

  it('halts a failing canary once minRequests are in, not before; survives an unrelated reload; a change of the route lifts it', async () => {
    failing = true;
    proxy = await startProxy(yaml(halting));
    for (let i = 0; i < 19; i++) expect(await side(proxy.url + '/users', onCanary)).toBe('boom');
    expect((await routeState(proxy)).halted).toBeNull(); // 19 of 19 failed, but minRequests is 20

    expect(await side(proxy.url + '/users', onCanary)).toBe('boom'); // the 20th: halts
    const halted = (await routeState(proxy)).halted!;
    expect(halted.reason).toMatch(/error rate 1\.000 over 20 requests/);
    expect(await side(proxy.url + '/users', onCanary)).toBe('primary'); // all traffic on the primary now
    const line = await proxy.logLine((l) => l.msg === LOG.canaryHalted);
    expect(line).toMatchObject({ level: 'warn', route: '/users', canary: 'users', primary: 'legacy' });
    expect(await (await fetch(proxy.adminUrl + '/metrics')).text()).toContain('strangler_canary_halted{route="/users"} 1');

    // An edit elsewhere keeps it halted.
    let since = proxy.logs.length;
    await writeFile(proxy.file, yaml(halting, ', timeoutMs: 9000'));
    await proxy.logLine((l) => proxy!.logs.indexOf(l) >= since && l.msg === LOG.configReloaded);
    expect((await routeState(proxy)).halted).toEqual(halted);
    expect(await side(proxy.url + '/users', onCanary)).toBe('primary');

    // A change of the route itself lifts it.
    failing = false;
    since = proxy.logs.length;
    await writeFile(proxy.file, yaml(halting.replace('minRequests: 20', 'minRequests: 25'), ', timeoutMs: 9000'));
    await proxy.logLine((l) => proxy!.logs.indexOf(l) >= since && l.msg === LOG.configReloaded);
    expect((await routeState(proxy)).halted).toBeNull();
    expect(await side(proxy.url + '/users', onCanary)).toBe('canary');
  });
});
