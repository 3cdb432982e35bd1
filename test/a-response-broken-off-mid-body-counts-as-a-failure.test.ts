// A response whose head said 200 and whose body the upstream then broke off (its connection died,
// or the body fell silent for idleTimeoutMs) reached the client broken. strangler_requests_total
// counts it under the status it started with; strangler_responses_broken_total says it broke, and
// the migration status and the canary's halt count it as a failure: a canary service that breaks
// its bodies must not look healthy.

import http from 'node:http';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { ending, trackedGet } from './helpers/client.js';
import { metric, routeState, scripted, type Misbehaving } from './helpers/misbehaving.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';
import { LOG } from '../src/observability/log-messages.js';
import type { MigrationStatus } from '../src/status/types.js';

let up: Misbehaving | undefined;
let legacy: Upstream | undefined;
let proxy: TestProxy | undefined;
const clients: http.ClientRequest[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await proxy?.close();
  await up?.close();
  await legacy?.close();
  proxy = up = legacy = undefined;
});

/** Sends the head and half of a 10-byte body, then breaks the connection ('abort') or goes silent. */
const halfABody = (then: 'abort' | 'silent') =>
  scripted(() => ({
    kind: 'custom',
    handle: (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '10' });
      res.write('12345', () => {
        if (then === 'abort') res.socket?.destroy();
      });
    },
  }));

/** One GET whose response the client reads to its (broken) end. */
async function brokenGet(url: string, id: string, headers: Record<string, string> = {}): Promise<void> {
  const req = trackedGet(clients, url, id, headers);
  const [res] = (await once(req, 'response')) as [http.IncomingMessage];
  expect(res.statusCode).toBe(200);
  res.resume();
  expect(await ending(res)).toBe('error');
}

describe('a response broken off mid-body', () => {
  it('is counted in strangler_responses_broken_total by reason, and as an error in /status', async () => {
    up = await halfABody('abort');
    const silent = await halfABody('silent');
    try {
      proxy = await startProxy(
        upstreamsYaml({ app: up.url, quiet: silent.url }) +
          'routes:\n  - { prefix: /b, upstream: app }\n  - { prefix: /q, upstream: quiet, idleTimeoutMs: 200 }\n',
      );
      await brokenGet(proxy.url + '/b/1', 'broken-1');
      await brokenGet(proxy.url + '/q/1', 'quiet-1');
      await proxy.logLine((l) => l.msg === LOG.request && l.requestId === 'broken-1');
      await proxy.logLine((l) => l.msg === LOG.request && l.requestId === 'quiet-1');

      // Counted under the status it started with, and once as broken, with its reason.
      expect(await metric(proxy.adminUrl, 'strangler_requests_total', { route: '/b', status: '200' })).toBe(1);
      expect(await metric(proxy.adminUrl, 'strangler_responses_broken_total', { route: '/b', upstream: 'app', reason: 'upstream_aborted' })).toBe(1);
      expect(await metric(proxy.adminUrl, 'strangler_responses_broken_total', { route: '/q', upstream: 'quiet', reason: 'idle_timeout' })).toBe(1);
      expect(await metric(proxy.adminUrl, 'strangler_responses_broken_total')).toBe(2);

      const status = (await (await fetch(proxy.adminUrl + '/status')).json()) as MigrationStatus;
      const sides = Object.fromEntries(status.routes.map((r) => [r.prefix, r.sides[0]]));
      expect(sides['/b']).toMatchObject({ upstream: 'app', requests: 1, errorRate: 1 });
      expect(sides['/q']).toMatchObject({ upstream: 'quiet', requests: 1, errorRate: 1 });
    } finally {
      await silent.close();
    }
  });

  it('halts a canary whose service breaks its bodies, as it would one answering 5xx', async () => {
    up = await halfABody('abort');
    legacy = await startUpstream((_req, res) => res.end('primary'));
    proxy = await startProxy(
      upstreamsYaml({ legacy: legacy.url, users: up.url }) +
        'routes:\n  - prefix: /users\n    upstream: legacy\n' +
        '    canary: { upstream: users, percent: 0, forceHeader: x-canary, halt: { maxErrorRate: 0.5, minRequests: 3, windowMs: 60000 } }\n',
    );
    for (let i = 1; i <= 3; i++) {
      await brokenGet(proxy.url + '/users/1', `canary-${i}`, { 'x-canary': 'on' });
      await proxy.logLine((l) => l.msg === LOG.request && l.requestId === `canary-${i}`);
    }
    expect(await proxy.logLine((l) => l.msg === LOG.canaryHalted)).toMatchObject({ route: '/users', canary: 'users' });
    const canary = (await routeState(proxy.adminUrl, '/users')).state.canary as { halted: { reason: string } | null };
    expect(canary.halted?.reason).toMatch(/error rate 1\.000 over 3 requests/);
  });
});
