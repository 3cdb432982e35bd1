// "ready to cut over: set upstream: users": with the canary block still there, that one edit must
// load. A canary naming the route's own upstream is off (as a shadow or a fallback naming it is):
// the reload is accepted, says so once, and every request goes to the new upstream.

import { writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';
import { LOG } from '../src/observability/log-messages.js';

let legacy: Upstream | undefined;
let users: Upstream | undefined;
let proxy: TestProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await Promise.all([legacy?.close(), users?.close()]);
  proxy = legacy = users = undefined;
});

describe('cutting over from a canary', () => {
  it('is the one upstream line: the canary naming the new upstream turns off, with a log line', async () => {
    legacy = await startUpstream((_req, res) => res.end('legacy'));
    users = await startUpstream((_req, res) => res.end('users'));
    const yaml = (upstream: string) =>
      upstreamsYaml({ legacy: legacy!.url, users: users!.url }) +
      `routes:\n  - prefix: /users\n    upstream: ${upstream}\n    fallback: legacy\n    canary: { upstream: users, percent: 0, forceHeader: x-canary }\n`;
    proxy = await startProxy(yaml('legacy'));
    const get = async (headers: Record<string, string> = {}) => (await fetch(proxy!.url + '/users/1', { headers })).text();
    expect(await get()).toBe('legacy');
    expect(await get({ 'x-canary': 'on' })).toBe('users');

    const since = proxy.logs.length;
    await writeFile(proxy.file, yaml('users'));
    await proxy.logLine((l) => proxy!.logs.indexOf(l) >= since && l.msg === LOG.configReloaded);
    expect(proxy.logs.slice(since).filter((l) => l.msg === LOG.canaryOffOwnUpstream)).toEqual([
      expect.objectContaining({ level: 'warn', route: '/users' }),
    ]);
    expect(await get()).toBe('users');
    expect(await get({ 'x-canary': 'off' })).toBe('users'); // no canary runs: nothing to force
  });
});
