// The canary's force header pins a side with on/off, true/false, 1/0 or yes/no, in any case; any
// other value is ignored (the split decides, as without the header).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forcedSide, sideFor } from '../src/canary/split.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

const CANARY = ['on', 'ON', 'true', 'True', '1', 'yes', 'YES', ' yes '];
const PRIMARY = ['off', 'Off', 'false', 'FALSE', '0', 'no', 'No'];
const IGNORED = ['maybe', '2', '', 'y', 'enabled'];

describe('the force header value (pure)', () => {
  it('pins the canary, the primary, or nothing', () => {
    for (const v of CANARY) expect(forcedSide(v), v).toBe('canary');
    for (const v of PRIMARY) expect(forcedSide(v), v).toBe('primary');
    for (const v of IGNORED) expect(forcedSide(v), v).toBeNull();
    expect(forcedSide(null)).toBeNull();
    // An ignored value leaves the split to decide: 0% -> primary, 100% -> canary.
    expect(sideFor(0, null, 'maybe', () => 0)).toBe('primary');
    expect(sideFor(100, null, 'maybe', () => 0.99)).toBe('canary');
  });
});

describe('through the proxy', () => {
  let legacy: Upstream, users: Upstream, zero: TestProxy, all: TestProxy;
  const yaml = (percent: number) =>
    upstreamsYaml({ legacy: legacy.url, users: users.url }) +
    `routes:\n  - { prefix: /users, upstream: legacy, canary: { upstream: users, percent: ${percent}, forceHeader: X-Canary } }\n`;
  const side = async (p: TestProxy, value: string) => (await fetch(p.url + '/users/1', { headers: { 'x-canary': value } })).text();

  beforeAll(async () => {
    legacy = await startUpstream((_req, res) => res.end('primary'));
    users = await startUpstream((_req, res) => res.end('canary'));
    [zero, all] = await Promise.all([startProxy(yaml(0)), startProxy(yaml(100))]);
  });
  afterAll(async () => {
    await Promise.all([zero.close(), all.close()]);
    await Promise.all([legacy.close(), users.close()]);
  });

  it('sends a request forced on to the canary at 0%, and one forced off to the primary at 100%', async () => {
    for (const v of CANARY) expect(await side(zero, v), v).toBe('canary');
    for (const v of PRIMARY) expect(await side(all, v), v).toBe('primary');
  });

  it('ignores any other value', async () => {
    for (const v of IGNORED) {
      expect(await side(zero, v), v).toBe('primary');
      expect(await side(all, v), v).toBe('canary');
    }
  });
});
