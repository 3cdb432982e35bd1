import { describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { startProxy, startUpstream, upstreamsYaml, writeConfig } from './helpers/servers.js';


describe('strangler check --admin', () => {
  it('prints what saving the file would change in the running proxy', async () => {
    const up = await startUpstream((_req, res) => res.end('ok'));
    const base = upstreamsYaml({ users: up.url, legacy: up.url });
    const proxy = await startProxy(base + 'routes:\n  - { prefix: /users, upstream: users }\n  - { prefix: /, upstream: legacy }\n', { adminToken: 't0k' });
    try {
      const edited = await writeConfig(base + 'routes:\n  - { prefix: /users, upstream: legacy }\n  - { prefix: /, upstream: legacy, timeoutMs: 5000 }\n');
      const r = await cli(['check', edited, '--admin', proxy.adminUrl], { ADMIN_TOKEN: 't0k' });
      expect(r.code).toBe(0);
      expect(r.out).toContain(`changes against the running proxy at ${proxy.adminUrl} (version ${proxy.proxy.store.current.version} -> `);
      expect(r.out).toContain('  /users: upstream users -> legacy\n');
      expect(r.out).toContain('  /: timeoutMs (unset) -> 5000\n');

      const same = await cli(['check', proxy.file, '--admin', proxy.adminUrl], { ADMIN_TOKEN: 't0k' });
      expect(same.out).toContain('no changes against the running proxy');

      const denied = await cli(['check', edited, '--admin', proxy.adminUrl]);
      expect(denied.code).toBe(1);
      expect(denied.err).toContain('401');
    } finally {
      await proxy.close();
      await up.close();
    }
  });
});
