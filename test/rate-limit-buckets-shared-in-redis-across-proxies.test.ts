// server.rateLimitStore: two proxy processes on one real redis-server share each bucket; Redis
// killed mid-test makes requests pass (fail open), counted in
// strangler_rate_limit_store_errors_total and logged one line a second at most; Redis started
// again on the same port makes the buckets shared again without restarting the proxies.
// The rate is low enough (0.001 tokens a second) that refill during the test is negligible.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { LOG, msgField } from '../src/observability/log-messages.js';
import { closedPort, startUpstream, upstreamsYaml, writeConfig, type Upstream } from './helpers/servers.js';
import { spawnBuiltProxy } from './helpers/spawn-proxy.js';

const REDIS = '/usr/bin/redis-server';

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(REDIS, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) if (line.includes('Ready to accept connections')) break;
  child.stdout!.resume();
  return child;
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

interface Spawned {
  readonly url: string;
  readonly adminUrl: string;
  readonly lines: string[];
}

async function spawnProxy(file: string): Promise<Spawned> {
  const child = spawnBuiltProxy(file);
  const lines: string[] = [];
  const rl = createInterface({ input: child.stdout! });
  const listening = new Promise<string>((resolve) =>
    rl.on('line', (line) => {
      lines.push(line);
      if (line.includes(msgField(LOG.listening))) resolve(line);
    }),
  );
  const { port, adminPort } = JSON.parse(await listening) as { port: number; adminPort: number };
  return { url: `http://127.0.0.1:${port}`, adminUrl: `http://127.0.0.1:${adminPort}`, lines };
}

const get = (p: Spawned, client: string) => fetch(`${p.url}/api`, { headers: { 'x-client': client } });

/** Until the proxy's Redis client is connected: an answer carries the RateLimit fields. */
async function untilShared(p: Spawned, probe: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await get(p, probe)).headers.has('ratelimit')) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the proxy never reached Redis');
}

async function storeErrors(p: Spawned): Promise<number> {
  const text = await (await fetch(`${p.adminUrl}/metrics`)).text();
  return Number(/^strangler_rate_limit_store_errors_total (\d+)$/m.exec(text)?.[1] ?? 0);
}

/** Alternates between the proxies; the statuses in order. */
async function alternate(a: Spawned, b: Spawned, client: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await get(i % 2 === 0 ? a : b, client)).status);
  return out;
}

describe('rate-limit buckets in Redis', () => {
  let upstream: Upstream | null = null;
  let redis: ChildProcess | null = null;
  afterAll(async () => {
    if (redis !== null) await kill(redis);
    await upstream?.close();
  });

  it('are shared by two proxies, fail open while Redis is down, and are shared again when it is back', async () => {
    upstream = await startUpstream((_req, res) => res.end('ok'));
    const redisPort = await closedPort();
    redis = await startRedis(redisPort);
    const file = await writeConfig(
      upstreamsYaml({ app: upstream.url }) +
        `server:\n  rateLimitStore: redis://127.0.0.1:${redisPort}\n` +
        'routes:\n  - { prefix: /api, upstream: app, rateLimit: { requestsPerSecond: 0.001, burst: 5, key: "header:X-Client" } }\n',
    );
    const [a, b] = await Promise.all([spawnProxy(file), spawnProxy(file)]);
    await Promise.all([untilShared(a, 'probe-a'), untilShared(b, 'probe-b')]);

    // One bucket of 5 across both proxies.
    expect(await alternate(a, b, 'shared', 7)).toEqual([200, 200, 200, 200, 200, 429, 429]);
    const refused = await get(b, 'shared');
    expect(refused.headers.get('ratelimit-policy')).toBe('"burst";q=5;w=5000');
    expect(refused.headers.get('ratelimit')).toMatch(/^"burst";r=0;t=\d+$/);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(900);
    const errorsBefore = await storeErrors(a);

    // Redis gone: every request passes, quickly, without the RateLimit fields.
    await kill(redis);
    redis = null;
    const started = Date.now();
    for (let i = 0; i < 40; i++) {
      const t = Date.now();
      const r = await get(i % 2 === 0 ? a : b, 'shared');
      expect(r.status).toBe(200);
      expect(r.headers.has('ratelimit')).toBe(false);
      expect(Date.now() - t).toBeLessThan(1000);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const downForMs = Date.now() - started;
    expect(await storeErrors(a)).toBeGreaterThanOrEqual(errorsBefore + 20);
    await new Promise((resolve) => setTimeout(resolve, 300)); // the logger flushes every 100 ms
    const failed = a.lines.filter((l) => l.includes(msgField(LOG.rateLimitStoreFailed))).map((l) => JSON.parse(l) as { time: string; level: string; failures: number });
    expect(failed.length).toBeGreaterThanOrEqual(1);
    expect(failed.length).toBeLessThanOrEqual(Math.ceil(downForMs / 1000) + 1);
    expect(failed.every((l) => l.level === 'warn')).toBe(true);
    for (let i = 1; i < failed.length; i++) expect(Date.parse(failed[i]!.time) - Date.parse(failed[i - 1]!.time)).toBeGreaterThanOrEqual(1000);

    // Redis back on the same port (empty): shared again, no restart of either proxy.
    redis = await startRedis(redisPort);
    await Promise.all([untilShared(a, 'probe-a2'), untilShared(b, 'probe-b2')]);
    expect(await alternate(b, a, 'after', 6)).toEqual([200, 200, 200, 200, 200, 429]);
  }, 60_000);
});

describe('the Redis store on its own', () => {
  it('answers null within the command timeout when Redis stops answering, and never throws', async () => {
    const { RedisRateLimitStore, COMMAND_TIMEOUT_MS } = await import('../src/identity/redis-store.js');
    const { createStreamLogger } = await import('../src/observability/logger.js');
    const { Writable } = await import('node:stream');
    const lines: string[] = [];
    const logger = createStreamLogger('info', new Writable({ write(c: Buffer, _e, cb) { lines.push(c.toString()); cb(); } }));
    const port = await closedPort();
    const server = await startRedis(port);
    const store = new RedisRateLimitStore(`redis://:secret@127.0.0.1:${port}`, { logger });
    try {
      let d = null;
      for (let i = 0; i < 100 && d === null; i++) {
        d = await store.take('k', 1, 2);
        if (d === null) await new Promise((r) => setTimeout(r, 20));
      }
      expect(d).toMatchObject({ allowed: true, remaining: 1, retryAfterMs: 0 });
      expect(await store.take('k', 1, 2)).toMatchObject({ allowed: true, remaining: 0 });
      expect(await store.take('k', 1, 2)).toMatchObject({ allowed: false, remaining: 0 });

      server.kill('SIGSTOP'); // alive but silent: only the command timeout ends the wait
      const t = Date.now();
      expect(await store.take('k', 1, 2)).toBeNull();
      expect(Date.now() - t).toBeLessThan(COMMAND_TIMEOUT_MS + 300);
      expect(lines.join('')).toContain(msgField(LOG.rateLimitStoreFailed));
      expect(lines.join('')).not.toContain('secret');
    } finally {
      store.close();
      server.kill('SIGCONT');
      await kill(server);
    }
    expect(await store.take('k', 1, 2)).toBeNull(); // closed
  });

  it('answers at once, with finite times, for a rate too small to ever refill', async () => {
    const { RedisRateLimitStore } = await import('../src/identity/redis-store.js');
    const { createStreamLogger } = await import('../src/observability/logger.js');
    const { Writable } = await import('node:stream');
    const logger = createStreamLogger('info', new Writable({ write(_c: Buffer, _e, cb) { cb(); } }));
    const port = await closedPort();
    const server = await startRedis(port);
    const store = new RedisRateLimitStore(`redis://127.0.0.1:${port}`, { logger });
    try {
      let d = null;
      for (let i = 0; i < 100 && d === null; i++) {
        d = await store.take('warm-up', 1, 1);
        if (d === null) await new Promise((r) => setTimeout(r, 20));
      }
      expect(d).not.toBeNull();
      // A script that loops is cut by the command timeout: null (fail open).
      const first = await store.take('tiny', 1e-306, 2);
      expect(first).toMatchObject({ allowed: true, remaining: 1, retryAfterMs: 0 });
      expect(first!.resetMs).toBeGreaterThanOrEqual(1);
      await store.take('tiny', 1e-306, 2);
      const refused = await store.take('tiny', 1e-306, 2);
      expect(refused).toMatchObject({ allowed: false, remaining: 0 });
      expect(refused!.retryAfterMs).toBeGreaterThanOrEqual(1);
    } finally {
      store.close();
      await kill(server);
    }
  });

  it('names a bucket by a hash of its key, so a credential used as the key never shows in Redis', async () => {
    const { RedisRateLimitStore } = await import('../src/identity/redis-store.js');
    const { createStreamLogger } = await import('../src/observability/logger.js');
    const { Writable } = await import('node:stream');
    const { createHash } = await import('node:crypto');
    const { Redis } = await import('ioredis');
    const logger = createStreamLogger('info', new Writable({ write(_c: Buffer, _e, cb) { cb(); } }));
    const port = await closedPort();
    const server = await startRedis(port);
    const store = new RedisRateLimitStore(`redis://127.0.0.1:${port}`, { logger });
    const client = new Redis(`redis://127.0.0.1:${port}`);
    const key = '/api\nheader:Bearer secret-token-123';
    try {
      let d = null;
      for (let i = 0; i < 100 && d === null; i++) {
        d = await store.take(key, 1, 2);
        if (d === null) await new Promise((r) => setTimeout(r, 20));
      }
      expect(d).toMatchObject({ allowed: true, remaining: 1 });
      expect(await store.take(key, 1, 2)).toMatchObject({ allowed: true, remaining: 0 });
      const names = await client.keys('*');
      expect(names).toEqual([`strangler:rl:${createHash('sha256').update(key).digest('hex').slice(0, 32)}`]);
      expect(names.join()).not.toContain('secret');
    } finally {
      store.close();
      client.disconnect();
      await kill(server);
    }
  });
});
