import { freshGet } from './helpers/client.js';
import net from 'node:net';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { startProxy, startUpstream, upstreamsYaml } from './helpers/servers.js';
import { LOG } from '../src/observability/log-messages.js';

function connectError(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
  });
}

describe('server.shutdownDelayMs', () => {
  // Long enough that the requests below fit inside it even on a loaded machine; nothing sleeps:
  // the order is read from the log lines.
  const DELAY = 1000;

  it('turns /readyz 503 at once, keeps accepting new connections for the delay, then drains and closes', async () => {
    const up = await startUpstream((_req, res) => res.end('still here'));
    const base = upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /, upstream: app }\n';
    const proxy = await startProxy(base);
    try {
      // Reloadable: the delay is read from the live table at shutdown time.
      await writeFile(proxy.file, `server: { shutdownDelayMs: ${DELAY} }\n` + base);
      expect((await proxy.proxy.reload('signal')).result).toBe('success');

      const stopped = proxy.close();
      const delayLine = await proxy.logLine((l) => l.msg === LOG.shutdownDelay);
      expect(delayLine).toMatchObject({ level: 'info', shutdownDelayMs: DELAY });

      const ready = await fetch(proxy.adminUrl + '/readyz');
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ status: 'draining' });

      const served = await freshGet(proxy.url + '/new-connection');
      expect(served).toMatchObject({ status: 200, body: 'still here', headers: { connection: 'close' } });
      // ...and it was served before the drain began.
      const drainLine = await proxy.logLine((l) => l.msg === LOG.draining);
      const accessIdx = proxy.logs.findIndex((l) => l.msg === LOG.request && l.path === '/new-connection');
      const servedLine = proxy.logs[accessIdx];
      expect(servedLine).toBeDefined();
      expect(accessIdx).toBeLessThan(proxy.logs.indexOf(drainLine));
      const ms = (l: Record<string, unknown>): number => Date.parse(l.time as string);
      expect(ms(drainLine) - ms(delayLine)).toBeGreaterThanOrEqual(DELAY - 5);

      await stopped;
      await proxy.logLine((l) => l.msg === LOG.stopped);
      expect(await connectError(proxy.port)).toBe('ECONNREFUSED');
    } finally {
      await up.close();
    }
  });

  it('defaults to 0: the drain starts at once, without the delay line', async () => {
    const up = await startUpstream((_req, res) => res.end('ok'));
    const proxy = await startProxy(upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /, upstream: app }\n');
    try {
      await proxy.close();
      expect(proxy.logs.some((l) => l.msg === LOG.shutdownDelay)).toBe(false);
      expect(proxy.logs.some((l) => l.msg === LOG.draining)).toBe(true);
      expect(await connectError(proxy.port)).toBe('ECONNREFUSED');
    } finally {
      await up.close();
    }
  });
});
