// A script guessing the admin token through `Authorization: Bearer` (or replaying a stale
// sign-in cookie) got its 401s with no log line and no trace, while the same guess posted to the
// sign-in form was logged. Both now count in the one "admin sign-in failed" line (at most one a
// minute, with the count since the last); a request with no credentials at all is not a guess.
import { afterEach, describe, expect, it } from 'vitest';
import { LOG } from '../src/observability/log-messages.js';
import { startProxy, startUpstream, testClock, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

let up: Upstream | undefined;
let proxy: TestProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await up?.close();
  proxy = up = undefined;
});

describe('a wrong admin token presented as a Bearer header or a cookie', () => {
  it('is counted and logged, at most once a minute', async () => {
    up = await startUpstream((_req, res) => res.end('ok'));
    const clock = testClock();
    proxy = await startProxy(upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /, upstream: app }\n', { adminToken: 'the-right-one', clock });
    const lines = () => proxy!.logs.filter((l) => l.msg === LOG.adminSignInFailed);
    expect((await fetch(proxy.adminUrl + '/routes')).status).toBe(401); // no credentials: not a guess
    expect((await fetch(proxy.adminUrl + '/routes', { headers: { authorization: 'Bearer guess-1' } })).status).toBe(401);
    await proxy.logLine((l) => l.msg === LOG.adminSignInFailed);
    expect(lines()).toEqual([expect.objectContaining({ level: 'warn', failures: 1, from: '127.0.0.1' })]);
    expect((await fetch(proxy.adminUrl + '/routes', { headers: { authorization: 'Bearer guess-2' } })).status).toBe(401);
    expect((await fetch(proxy.adminUrl + '/routes', { headers: { cookie: 'strangler_admin=stale' } })).status).toBe(401);
    expect(lines()).toHaveLength(1); // held back within the minute
    clock.advance(60_000);
    expect((await fetch(proxy.adminUrl + '/routes', { headers: { authorization: 'Bearer guess-3' } })).status).toBe(401);
    await proxy.logLine((l) => l.msg === LOG.adminSignInFailed && l.failures === 3);
    expect((await fetch(proxy.adminUrl + '/routes', { headers: { authorization: 'Bearer the-right-one' } })).status).toBe(200);
    expect(lines()).toHaveLength(2);
    expect(JSON.stringify(proxy.logs)).not.toMatch(/guess-\d|the-right-one/);
  });
});
