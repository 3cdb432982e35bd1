import http from 'node:http';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { startProxy, startUpstream, upstreamsYaml, writeConfig } from './helpers/servers.js';
import { spawnBuiltProxy } from './helpers/spawn-proxy.js';
import { LOG, msgField } from '../src/observability/log-messages.js';

function request(url: string): Promise<{ status: number; connection: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: new http.Agent({ keepAlive: true }) }, async (res) => {
      let body = '';
      for await (const c of res) body += c;
      resolve({ status: res.statusCode!, connection: res.headers.connection, body });
    }).on('error', reject);
  });
}

describe('graceful shutdown', () => {
  it('turns readiness 503, stops accepting, and lets the in-flight request finish', async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let arrived!: () => void;
    const reached = new Promise<void>((r) => (arrived = r));
    const up = await startUpstream((_req, res) => {
      arrived();
      void released.then(() => res.end('finished'));
    });
    const proxy = await startProxy(upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /, upstream: app }\n');
    try {
      const inFlight = request(proxy.url + '/slow');
      await reached;
      const stopped = proxy.close();

      const ready = await fetch(proxy.adminUrl + '/readyz');
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ status: 'draining' });
      await expect(fetch(proxy.url + '/new')).rejects.toThrow();

      release();
      const done = await inFlight;
      expect(done).toMatchObject({ status: 200, body: 'finished', connection: 'close' });
      await stopped;
    } finally {
      await up.close();
    }
  });

  it('closes what is still open once drainTimeoutMs has passed', async () => {
    const up = await startUpstream((_req, res) => {
      res.writeHead(200);
      res.write('never ends');
    });
    const proxy = await startProxy(upstreamsYaml({ app: up.url }) + 'server: { drainTimeoutMs: 50 }\nroutes:\n  - { prefix: /, upstream: app }\n');
    try {
      const res = await new Promise<http.IncomingMessage>((resolve) => http.get(proxy.url + '/stream', resolve));
      await once(res, 'data');
      const ended = new Promise<string>((resolve) => {
        res.on('end', () => resolve('end'));
        res.on('error', () => resolve('error'));
        res.on('close', () => resolve('close'));
      });
      await proxy.close();
      expect(['error', 'close']).toContain(await ended);
      const line = await proxy.logLine((l) => l.msg === LOG.drainTimeout);
      expect(line).toMatchObject({ level: 'warn', drainTimeoutMs: 50 });
      // The proxy closed it, not the client: its line says so (it said client_closed).
      expect(await proxy.logLine((l) => l.msg === LOG.request && l.path === '/stream')).toMatchObject({ status: 200, error: 'drain_timeout' });
    } finally {
      await up.close();
    }
  });
});

describe('the strangler process', () => {
  it('logs the listening line with both ports, then exits 0 on SIGTERM', async () => {
    const up = await startUpstream((_req, res) => res.end('ok'));
    const file = await writeConfig(upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /, upstream: app }\n');
    const child = spawnBuiltProxy(file);
    try {
      const lines = createInterface({ input: child.stdout! });
      let listening: string | undefined;
      for await (const line of lines) {
        if (line.includes(msgField(LOG.listening))) {
          listening = line;
          break;
        }
      }
      expect(listening).toMatch(/"msg":"listening","port":\d+,"adminPort":\d+/);
      const { port } = JSON.parse(listening!) as { port: number };
      expect(await (await fetch(`http://127.0.0.1:${port}/x`)).text()).toBe('ok');
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number];
      expect(code).toBe(0);
    } finally {
      child.kill('SIGKILL');
      await up.close();
    }
  });
});
