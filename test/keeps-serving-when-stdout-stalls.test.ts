import { once } from 'node:events';
import { Agent, fetch } from 'undici';
import { describe, expect, it } from 'vitest';
import { startUpstream, upstreamsYaml, writeConfig } from './helpers/servers.js';
import { spawnBuiltProxy } from './helpers/spawn-proxy.js';
import { LOG, msgField } from '../src/observability/log-messages.js';

describe('a stdout nobody reads', () => {
  it('never stops the proxy: requests keep being answered while the log backlog waits (bounded)', async () => {
    const up = await startUpstream((_req, res) => res.end('ok'));
    const file = await writeConfig(upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /, upstream: app }\n');
    const child = spawnBuiltProxy(file);
    const agent = new Agent({ connections: 8 });
    try {
      let head = '';
      while (!head.includes(msgField(LOG.listening))) head += ((await once(child.stdout!, 'data')) as [Buffer])[0].toString();
      child.stdout!.pause(); // from here on nobody reads: the 64 KiB pipe fills within ~250 access lines
      const { port } = JSON.parse(head.split('\n').find((l) => l.includes(msgField(LOG.listening)))!) as { port: number };
      let ok = 0;
      for (let i = 0; i < 1000; i += 50) {
        const batch = await Promise.all(
          Array.from({ length: 50 }, async () => (await fetch(`http://127.0.0.1:${port}/x`, { dispatcher: agent })).status),
        );
        ok += batch.filter((s) => s === 200).length;
      }
      expect(ok).toBe(1000);
    } finally {
      child.kill('SIGKILL');
      await agent.close();
      await up.close();
    }
  });
});
