// A stalled log shipper at a rolling update: the proxy drains, says "stopped", and must then
// exit. It did not: pino's exit hook flushed synchronously and retried EAGAIN without end, so the
// process waited on the reader (the kubelet's SIGKILL, exit 137). Now the log gets 1 s, and what
// it could not write is said on stderr.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { Agent, fetch } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { startUpstream, upstreamsYaml, writeConfig } from './helpers/servers.js';
import { LOG, msgField } from '../src/observability/log-messages.js';

const children: ReturnType<typeof spawn>[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

describe('SIGTERM while nobody reads stdout', () => {
  it('exits 0 after the drain, saying on stderr how much of the log was left unwritten', async () => {
    const up = await startUpstream((_req, res) => res.end('ok'));
    const file = await writeConfig(upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /, upstream: app }\n');
    const main = path.resolve('dist/src/main.js');
    const child = spawn(process.execPath, [main, '--config', file, '--port', '0', '--admin-port', '0', '--host', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let stderr = '';
    child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
    const agent = new Agent({ connections: 8 });
    try {
      let head = '';
      while (!head.includes(msgField(LOG.listening))) head += ((await once(child.stdout!, 'data')) as [Buffer])[0].toString();
      child.stdout!.pause(); // the 64 KiB pipe fills within ~250 access lines; the rest waits in the proxy
      const { port } = JSON.parse(head.split('\n').find((l) => l.includes(msgField(LOG.listening)))!) as { port: number };
      for (let i = 0; i < 1000; i += 50) {
        await Promise.all(Array.from({ length: 50 }, async () => (await fetch(`http://127.0.0.1:${port}/x`, { dispatcher: agent })).text()));
      }
      const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
      child.kill('SIGTERM');
      const [code] = await exited;
      expect(code).toBe(0);
      expect(stderr).toMatch(/strangler: \d+ bytes of log lines left unwritten: stdout did not take them within 1 s/);
    } finally {
      await agent.close();
      await up.close();
    }
  });
});
