// `strangler status` paints its table (stage, errors, ready) only when stdout is a TTY and NO_COLOR
// is unset; text from the file or the network never carries control characters to the terminal.

import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStatus } from '../src/cli/status.js';
import { formatStatus } from '../src/cli/status-render.js';
import { buildStatus } from '../src/status/build.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

async function run(admin: string, tty: boolean, env: NodeJS.ProcessEnv): Promise<string> {
  const stdout = Object.assign(new PassThrough(), { isTTY: tty });
  let out = '';
  stdout.on('data', (c) => (out += c));
  const code = await runStatus({ admins: [admin], json: false }, { stdout, stderr: new PassThrough(), env });
  expect(code).toBe(0);
  return out;
}

describe('strangler status colours', () => {
  let up: Upstream, proxy: TestProxy;
  beforeAll(async () => {
    up = await startUpstream((_req, res) => res.end('ok'));
    proxy = await startProxy(upstreamsYaml({ legacy: up.url, users: up.url }) + 'routes:\n  - { prefix: /users, upstream: users }\n  - { prefix: /, upstream: legacy }\n');
    await (await fetch(proxy.url + '/users/1')).arrayBuffer();
  });
  afterAll(async () => {
    await proxy?.close();
    await up?.close();
  });

  it('on a TTY: the stages are painted', async () => {
    const out = await run(proxy.adminUrl, true, {});
    expect(out).toContain('\x1b[32mcut over');
    expect(out).toContain('\x1b[33mlegacy');
  });

  it('with NO_COLOR, or off a TTY: plain text', async () => {
    for (const [tty, env] of [[true, { NO_COLOR: '1' }], [false, {}]] as const) {
      const out = await run(proxy.adminUrl, tty, env);
      expect(out).toContain('cut over');
      expect(out).not.toContain('\x1b[');
    }
  });

  it('escapes control characters in what it prints', () => {
    const s = buildStatus({ version: 'v\x1b]0;x', legacyUpstream: null, routes: [], shadow: [], reloads: [{ at: 'now', result: 'invalid', trigger: 'watch', changes: ['bad \x1b[2J'] }], cells: { windowMs: 0, sides: [], fallbacks: {}, series: [], live: [] } }, new Date(0));
    const out = formatStatus(s, { colour: false, sources: ['http://x'] });
    expect(out).not.toContain('\x1b');
    expect(out).toContain('bad \\x1b[2J');
  });
});
