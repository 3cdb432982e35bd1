// A canary sticky on `header:x-user-id` on a route behind forward auth: the split read the
// client's own request headers, where the header is absent (the monolith's answer sets it) or
// spoofed (stripped before forwarding, yet read for the split). Each of a user's requests was
// split on its own, and a user could pick a side by sending an X-User-Id. The split now reads the
// headers sent on: the signed-in user's id, whatever the client sends.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startAuthMonolith, startEcho, type AuthMonolith } from './helpers/auth-monolith.js';
import { startProxy, startUpstream, type TestProxy, type Upstream } from './helpers/servers.js';
import { canaryInputs } from '../src/canary/split.js';

describe('a canary sticky on the user id an authenticator writes', () => {
  let monolith: AuthMonolith;
  let primary: Upstream;
  let canary: Upstream;
  let proxy: TestProxy | null = null;

  beforeEach(async () => {
    monolith = await startAuthMonolith();
    primary = await startEcho();
    canary = await startUpstream((req, res) => res.end(JSON.stringify({ canary: true, user: req.headers['x-user-id'] })));
  });
  afterEach(async () => {
    await proxy?.close();
    proxy = null;
    await Promise.all([monolith.close(), primary.close(), canary.close()]);
  });

  it('sends each user always to the same side, chosen by the signed-in id, not a header the client sends', async () => {
    // Draws alternate between the sides: a request split on its own would flip each time.
    let n = 0;
    proxy = await startProxy(
      `upstreams:\n  legacy: { url: "${monolith.url}" }\n  old: { url: "${primary.url}" }\n  next: { url: "${canary.url}" }\n` +
        'auth:\n  legacy-session:\n    forward: { upstream: legacy, path: /auth/whoami, headers: [cookie], copyHeaders: [x-user-id] }\n' +
        'routes:\n  - prefix: /api\n    upstream: old\n    auth: legacy-session\n    canary: { upstream: next, percent: 50, stickyOn: "header:x-user-id" }\n  - { prefix: /, upstream: old }\n',
      { random: () => (n++ % 2 === 0 ? 0.1 : 0.9) },
    );
    const sideOf = async (cookie: string, spoof?: string): Promise<string> => {
      const res = await fetch(`${proxy!.url}/api/orders`, { headers: { cookie, ...(spoof === undefined ? {} : { 'x-user-id': spoof }) } });
      expect(res.status).toBe(200);
      return ((await res.json()) as { canary?: boolean }).canary === true ? 'canary' : 'primary';
    };
    for (const user of ['ada', 'grace']) {
      const cookie = await monolith.login(user);
      const sides = new Set<string>();
      for (let i = 0; i < 6; i++) sides.add(await sideOf(cookie));
      for (const spoof of ['1', '2', '3', '999']) sides.add(await sideOf(cookie, spoof));
      expect(sides.size, user).toBe(1);
    }
  });

  it('reads a sticky Host from the request as routed, though Host is not among the headers sent on (preserveHost off)', () => {
    const sent = ['x-forwarded-host', 'shop.example', 'cookie', 'a=1'];
    expect(canaryInputs(sent, { kind: 'header', name: 'host' }, null, 'shop.example')).toEqual({ key: 'shop.example', forced: null });
    expect(canaryInputs(sent, { kind: 'header', name: 'x-user-id' }, null, 'shop.example')).toEqual({ key: null, forced: null });
  });
});
