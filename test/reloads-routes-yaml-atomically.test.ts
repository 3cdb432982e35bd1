import http from 'node:http';
import { once } from 'node:events';
import { mkdir, rename, symlink, writeFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';
import { LOG } from '../src/observability/log-messages.js';

let a: Upstream, b: Upstream, proxy: TestProxy | undefined;
const named = (name: string) => startUpstream((_req, res) => res.end(name));

beforeEach(async () => {
  [a, b] = await Promise.all([named('a'), named('b')]);
});
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  await Promise.all([a.close(), b.close()]);
});

const yaml = (target: 'a' | 'b', extra = '') =>
  upstreamsYaml({ a: a.url, b: b.url }) + `routes:\n  - { prefix: /x, upstream: ${target} }\n  - { prefix: /other, upstream: a${extra} }\n`;

const text = async (url: string) => (await fetch(url)).text();

/** Resolves with the next reload outcome logged after `since` lines. */
function nextReload(p: TestProxy, since: number): Promise<Record<string, unknown>> {
  return p.logLine((l) => p.logs.indexOf(l) >= since && (l.msg === LOG.configReloaded || l.msg === LOG.configRejected));
}

describe('live reload from the file', () => {
  it('follows an edit written in place, and logs what changed', async () => {
    proxy = await startProxy(yaml('a'));
    expect(await text(proxy.url + '/x')).toBe('a');
    const since = proxy.logs.length;
    await writeFile(proxy.file, yaml('b'));
    const line = await nextReload(proxy, since);
    expect(line).toMatchObject({ msg: LOG.configReloaded, trigger: 'watch', changes: ['/x: upstream a -> b'] });
    expect(line.version).toBe(proxy.proxy.store.current.version);
    expect(await text(proxy.url + '/x')).toBe('b');
    const metrics = await text(proxy.adminUrl + '/metrics');
    expect(metrics).toContain('strangler_config_reloads_total{result="success"} 2');
    expect(metrics).toContain(`strangler_config_info{version="${line.version}"} 1`);
  });

  it('follows a save by rename, twice in a row', async () => {
    proxy = await startProxy(yaml('a'));
    for (const target of ['b', 'a'] as const) {
      const since = proxy.logs.length;
      await writeFile(proxy.file + '.tmp', yaml(target));
      await rename(proxy.file + '.tmp', proxy.file);
      expect(await nextReload(proxy, since)).toMatchObject({ msg: LOG.configReloaded });
      expect(await text(proxy.url + '/x')).toBe(target);
    }
  });

  it('follows a Kubernetes ConfigMap update (the ..data symlink swap), twice', async () => {
    // The layout kubelet writes: routes.yaml -> ..data/routes.yaml, ..data -> ..<timestamp>/
    const first = await startProxy(yaml('a')); // only for its temp dir and a first version
    const dir = path.join(path.dirname(first.file), 'cm');
    await first.close();
    await mkdir(path.join(dir, '..v1'), { recursive: true });
    await writeFile(path.join(dir, '..v1', 'routes.yaml'), yaml('a'));
    await symlink('..v1', path.join(dir, '..data'));
    await symlink('..data/routes.yaml', path.join(dir, 'routes.yaml'));
    const { startStrangler } = await import('../src/bootstrap.js');
    const { createStreamLogger } = await import('../src/observability/logger.js');
    const { Writable } = await import('node:stream');
    const lines: Record<string, unknown>[] = [];
    const waiters: (() => void)[] = [];
    const sink = new Writable({ write(c: Buffer, _e, cb) { for (const t of c.toString().split('\n').filter(Boolean)) { lines.push(JSON.parse(t)); waiters.splice(0).forEach((w) => w()); } cb(); } });
    const s = await startStrangler({ configPath: path.join(dir, 'routes.yaml'), logger: createStreamLogger('info', sink), port: 0, host: '127.0.0.1', adminPort: 0, adminHost: '127.0.0.1', env: {} });
    const until = async (pred: () => boolean) => { while (!pred()) await new Promise<void>((r) => waiters.push(r)); };
    try {
      const url = `http://127.0.0.1:${s.port}/x`;
      expect(await text(url)).toBe('a');
      let n = 1;
      for (const target of ['b', 'a'] as const) {
        n++;
        await mkdir(path.join(dir, `..v${n}`));
        await writeFile(path.join(dir, `..v${n}`, 'routes.yaml'), yaml(target));
        await symlink(`..v${n}`, path.join(dir, '..data_tmp'));
        await rename(path.join(dir, '..data_tmp'), path.join(dir, '..data'));
        await rm(path.join(dir, `..v${n - 1}`), { recursive: true });
        const reloads = () => lines.filter((l) => l.msg === LOG.configReloaded).length;
        await until(() => reloads() === n - 1);
        expect(await text(url)).toBe(target);
      }
    } finally {
      await s.shutdown();
    }
  });
});

describe('an invalid edit', () => {
  it('keeps the live table, logs every error with line and column, and shows the rejected attempt in /routes', async () => {
    proxy = await startProxy(yaml('a'));
    const liveVersion = proxy.proxy.store.current.version;
    const since = proxy.logs.length;
    await writeFile(proxy.file, yaml('a').replace('upstream: a }', 'upstream: nowhere }') + 'oops: 1\n');
    const line = await nextReload(proxy, since);
    expect(line).toMatchObject({ msg: LOG.configRejected, liveVersion });
    const errors = line.errors as string[];
    expect(errors).toHaveLength(2);
    expect(errors.join('\n')).toMatch(/routes\.yaml:\d+:\d+ routes\[0\]\.upstream: .*nowhere/);
    expect(errors.join('\n')).toMatch(/routes\.yaml:\d+:\d+ oops: /);
    expect(await text(proxy.url + '/x')).toBe('a');
    const routes = (await (await fetch(proxy.adminUrl + '/routes')).json()) as { version: string; lastRejected: { errors: { line: number; path: string }[] } };
    expect(routes.version).toBe(liveVersion);
    expect(routes.lastRejected.errors.map((e) => e.path).sort()).toEqual(['oops', 'routes[0].upstream']);
    const metrics = await text(proxy.adminUrl + '/metrics');
    expect(metrics).toContain('strangler_config_reloads_total{result="invalid"} 1');
    expect(metrics).toContain('strangler_config_last_reload_successful 0');
  });

  it('sets strangler_config_last_reload_successful back to 1 once the file is fixed (an alert on it clears)', async () => {
    proxy = await startProxy(yaml('a'));
    expect(await text(proxy.adminUrl + '/metrics')).toContain('strangler_config_last_reload_successful 1');
    let since = proxy.logs.length;
    await writeFile(proxy.file, yaml('a') + 'oops: 1\n');
    expect(await nextReload(proxy, since)).toMatchObject({ msg: LOG.configRejected });
    expect(await text(proxy.adminUrl + '/metrics')).toContain('strangler_config_last_reload_successful 0');
    since = proxy.logs.length;
    await writeFile(proxy.file, yaml('b'));
    expect(await nextReload(proxy, since)).toMatchObject({ msg: LOG.configReloaded });
    expect(await text(proxy.adminUrl + '/metrics')).toContain('strangler_config_last_reload_successful 1');
  });
});

describe('POST /reload', () => {
  it('answers 200 with the new version and the changes, or 422 with every error', async () => {
    proxy = await startProxy(yaml('a'));
    // (the watcher may pick the edit up first; the admin reload then reports it unchanged or applied)
    await writeFile(proxy.file, yaml('b'));
    const ok = await fetch(proxy.adminUrl + '/reload', { method: 'POST' });
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { result: string; version: string };
    expect(['success', 'unchanged']).toContain(body.result);
    expect(body.version).toBe(proxy.proxy.store.current.version);
    expect(await text(proxy.url + '/x')).toBe('b');
    // Once more, nothing changed: the same shape, with no change in it.
    const again = (await (await fetch(proxy.adminUrl + '/reload', { method: 'POST' })).json()) as { result: string; changes: unknown[] };
    expect(again).toMatchObject({ result: 'unchanged', version: body.version, changes: [] });

    await writeFile(proxy.file, 'routes: [');
    const bad = await fetch(proxy.adminUrl + '/reload', { method: 'POST' });
    expect(bad.status).toBe(422);
    const err = (await bad.json()) as { error: string; requestId: string; errors: { line: number; column: number }[] };
    expect(err.error).toBe('invalid_config');
    expect(err.requestId).toMatch(/^[0-9a-f-]{36}$/); // (as every error body the proxy writes)
    expect(err.errors[0]).toMatchObject({ line: expect.any(Number), column: expect.any(Number) });
    expect(await text(proxy.url + '/x')).toBe('b');
  });
});

describe('requests in flight', () => {
  it('finish on the table they started with while new requests use the new one', async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const slow = await startUpstream((_req, res) => {
      res.writeHead(200);
      res.write('old-');
      void released.then(() => res.end('table'));
    });
    try {
      proxy = await startProxy(upstreamsYaml({ a: slow.url, b: b.url }) + 'routes:\n  - { prefix: /x, upstream: a }\n');
      const res = await new Promise<http.IncomingMessage>((r) => http.get(proxy!.url + '/x', r));
      await once(res, 'data');
      const since = proxy.logs.length;
      await writeFile(proxy.file, upstreamsYaml({ b: b.url }) + 'routes:\n  - { prefix: /x, upstream: b }\n');
      expect(await nextReload(proxy, since)).toMatchObject({ changes: expect.arrayContaining(['/x: upstream a -> b']) });
      expect(await text(proxy.url + '/x')).toBe('b');
      release();
      let rest = '';
      for await (const c of res) rest += c;
      expect(rest).toBe('table');
    } finally {
      await slow.close();
    }
  });
});

describe('runtime state and pools across a reload', () => {
  it('keeps the state of unchanged routes and their upstream pools; starts a changed route fresh', async () => {
    proxy = await startProxy(yaml('a'));
    const before = proxy.proxy.store.current;
    const since = proxy.logs.length;
    await writeFile(proxy.file, yaml('a', ', timeoutMs: 900'));
    await nextReload(proxy, since);
    const after = proxy.proxy.store.current;
    expect(after).not.toBe(before);
    expect(after.routes[0]!.state).toBe(before.routes[0]!.state); // /x unchanged
    expect(after.routes[1]!.state).not.toBe(before.routes[1]!.state); // /other changed
    expect(after.upstreams.get('a')!.pool).toBe(before.upstreams.get('a')!.pool);
  });

  it('closes the pool of an upstream no route uses any more, once the old table cannot need it', async () => {
    // Routes with timeoutMs 100: the retired pool stays usable for 2 x 100 + 1000 ms (a retry or
    // fallback of a request still on the old table), then closes.
    proxy = await startProxy(upstreamsYaml({ a: a.url, b: b.url }) + 'routes:\n  - { prefix: /x, upstream: b, timeoutMs: 100 }\n');
    const poolB = proxy.proxy.store.current.upstreams.get('b')!.pool;
    const retired = once(poolB, 'retired');
    const since = proxy.logs.length;
    await writeFile(proxy.file, upstreamsYaml({ a: a.url }) + 'routes:\n  - { prefix: /x, upstream: a }\n');
    await nextReload(proxy, since);
    expect(proxy.proxy.store.current.upstreams.has('b')).toBe(false);
    expect(poolB.closed).toBe(false);
    await retired;
    expect(poolB.closed).toBe(true);
  });
});
