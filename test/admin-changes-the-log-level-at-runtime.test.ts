// Issue 15 (operators): PUT /log-level on the admin port changes the logger's level without a
// restart (behind the admin token like every mutating endpoint); GET /log-level says it.
import { afterEach, describe, expect, it } from 'vitest';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';
import { LOG } from '../src/observability/log-messages.js';

let up: Upstream | undefined;
let proxy: TestProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await up?.close();
  proxy = up = undefined;
});

const TOKEN = 'log-level-token';
const auth = { authorization: `Bearer ${TOKEN}` };
const put = (p: TestProxy, body: string, headers: Record<string, string> = auth) =>
  fetch(p.adminUrl + '/log-level', { method: 'PUT', headers: { 'content-type': 'application/json', ...headers }, body });

describe('PUT /log-level', () => {
  it('changes the level at once: debug lines appear, then access lines disappear at warn', async () => {
    up = await startUpstream((_req, res) => res.end('ok'));
    proxy = await startProxy(upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /, upstream: app }\n', { adminToken: TOKEN, logLevel: 'info' });
    const p = proxy;
    const has = (msg: string) => p.logs.some((l) => l.msg === msg);
    expect(await (await fetch(p.adminUrl + '/log-level', { headers: auth })).json()).toEqual({ level: 'info' });
    p.logger.debug({ msg: 'probe before' });
    expect(has('probe before')).toBe(false);

    const r = await put(p, '{"level":"debug"}');
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ previous: 'info', level: 'debug' });
    expect(await (await fetch(p.adminUrl + '/log-level', { headers: auth })).json()).toEqual({ level: 'debug' });
    p.logger.debug({ msg: 'probe after' });
    expect(has('probe after')).toBe(true);
    expect(p.logs.find((l) => l.msg === LOG.logLevelChanged)).toMatchObject({ level: 'info', from: 'info', to: 'debug' });

    await (await fetch(p.url + '/a', { headers: { 'x-request-id': 'loud-1' } })).text();
    await p.logLine((l) => l.requestId === 'loud-1');
    expect(await (await put(p, '{"level":"WARN"}')).json()).toEqual({ previous: 'debug', level: 'warn' });
    await (await fetch(p.url + '/a', { headers: { 'x-request-id': 'quiet-1' } })).text();
    expect(await (await put(p, '{"level":"info"}')).json()).toEqual({ previous: 'warn', level: 'info' });
    await (await fetch(p.url + '/a', { headers: { 'x-request-id': 'loud-2' } })).text();
    await p.logLine((l) => l.requestId === 'loud-2');
    expect(p.logs.some((l) => l.requestId === 'quiet-1')).toBe(false);
    // Both changes are said, whichever way the level went.
    expect(p.logs.filter((l) => l.msg === LOG.logLevelChanged).map((l) => l.level)).toEqual(['info', 'info', 'info']);
  });

  it('answers 401 without the token, 400 for an unknown level or a body that is not JSON, and keeps the level', async () => {
    up = await startUpstream((_req, res) => res.end('ok'));
    proxy = await startProxy(upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /, upstream: app }\n', { adminToken: TOKEN, logLevel: 'info' });
    expect((await put(proxy, '{"level":"debug"}', {})).status).toBe(401);
    expect((await put(proxy, '{"level":"debug"}', { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await fetch(proxy.adminUrl + '/log-level')).status).toBe(401);
    for (const body of ['{"level":"loud"}', '{"level":3}', '{}', 'debug', '']) {
      const r = await put(proxy, body);
      expect(r.status).toBe(400);
      expect(await r.json()).toMatchObject({ error: 'bad_request' });
    }
    const big = await put(proxy, JSON.stringify({ level: 'debug', pad: 'x'.repeat(4096) }));
    expect(big.status).toBe(413);
    expect(proxy.logger.level).toBe('info');
    // A cross-site PUT is refused before the token is looked at.
    expect((await put(proxy, '{"level":"debug"}', { ...auth, origin: 'https://evil.example' })).status).toBe(403);
    expect(proxy.logger.level).toBe('info');
  });
});
