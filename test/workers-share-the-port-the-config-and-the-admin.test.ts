// --workers 2: real processes (the built CLI). Nothing sleeps: the test waits for log lines and
// polls admin endpoints with bounded retries.
import http from 'node:http';
import { freshGet } from './helpers/client.js';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { startUpstream, upstreamsYaml, writeConfig } from './helpers/servers.js';
import { spawnBuiltProxy } from './helpers/spawn-proxy.js';
import { logLines as lines } from './helpers/log-lines.js';
import { LOG } from '../src/observability/log-messages.js';
import { parseCommand } from '../src/cli/args.js';
import { parseRoutes } from '../src/routing/source.js';

/** Reads until `ok` holds: bounded retries, 20 ms apart (a poll, not a wait for a guessed time). */
async function poll<T>(read: () => Promise<T>, ok: (v: T) => boolean, tries = 250): Promise<T> {
  let v = await read();
  for (let i = 0; i < tries && !ok(v); i++) {
    await sleep(20);
    v = await read();
  }
  return v;
}

async function startGroup(yaml: string) {
  const file = await writeConfig(yaml);
  const child = spawnBuiltProxy(file, ['--workers', '2']);
  const log = lines(child);
  const up = await log.wait((l) => l.msg === LOG.listening);
  const url = `http://127.0.0.1:${up.port as number}`;
  const admin = `http://127.0.0.1:${up.adminPort as number}`;
  const routes = async (): Promise<{ version: string; server: { workers: number }; workers: { pid: number; version: string; ready: boolean }[]; routes: { state: { canary?: { halted: unknown } } }[] }> =>
    (await fetch(admin + '/routes')).json() as never;
  return { file, child, log, url, admin, routes };
}

const sumOf = (text: string, name: string): number =>
  text.split('\n').filter((l) => l.startsWith(name)).reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);

describe('--workers 2', () => {
  it('serves the port from both workers, merges /metrics, and reloads every worker before answering', async () => {
    const a = await startUpstream((req, res) => res.end('a ' + req.url));
    const b = await startUpstream((req, res) => res.end('b ' + req.url));
    const g = await startGroup(upstreamsYaml({ a: a.url, b: b.url }) + 'routes:\n  - { prefix: /, upstream: a }\n');
    try {
      for (let i = 0; i < 20; i++) expect(await freshGet(`${g.url}/n${i}`)).toMatchObject({ status: 200, body: `a /n${i}` });
      // The access lines say which process answered: both workers, never the primary.
      const access = await poll(async () => g.log.all.filter((l) => typeof l.path === 'string' && l.status === 200), (ls) => ls.length >= 20);
      const pids = new Set(access.map((l) => l.pid));
      expect(pids.size).toBe(2);
      expect(pids.has(g.child.pid)).toBe(false);

      const metrics = await (await fetch(g.admin + '/metrics')).text();
      expect(sumOf(metrics, 'strangler_requests_total{')).toBe(20);
      expect(metrics).toContain('strangler_workers{state="running"} 2');
      expect(metrics).toMatch(/strangler_request_duration_seconds_count\{route="\/",upstream="a"\} 20/);

      const before = await g.routes();
      expect(before.workers.map((w) => w.version)).toEqual([before.version, before.version]);
      expect(before.server.workers).toBe(2); // (--workers 2 wins over the file's default 1)

      await writeFile(g.file, upstreamsYaml({ a: a.url, b: b.url }) + 'routes:\n  - { prefix: /, upstream: b }\n');
      const res = await fetch(g.admin + '/reload', { method: 'POST' });
      expect(res.status).toBe(200);
      const outcome = (await res.json()) as { version: string; workers: { version: string }[] };
      expect(outcome.version).not.toBe(before.version);
      expect(outcome.workers.map((w) => w.version)).toEqual([outcome.version, outcome.version]);
      for (let i = 0; i < 10; i++) expect(await freshGet(`${g.url}/m${i}`)).toMatchObject({ status: 200, body: `b /m${i}` });
    } finally {
      g.child.kill('SIGKILL');
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('changes the log level of every worker with PUT /log-level on the primary', async () => {
    const a = await startUpstream((req, res) => res.end('a ' + req.url));
    const g = await startGroup(upstreamsYaml({ a: a.url }) + 'routes:\n  - { prefix: /, upstream: a }\n');
    const put = async (level: string) =>
      (await fetch(g.admin + '/log-level', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ level }) })).json();
    try {
      expect(await put('warn')).toEqual({ previous: 'info', level: 'warn' });
      for (let i = 0; i < 6; i++) expect((await freshGet(`${g.url}/quiet${i}`)).status).toBe(200);
      expect(await put('info')).toEqual({ previous: 'warn', level: 'info' });
      for (let i = 0; i < 6; i++) expect((await freshGet(`${g.url}/loud${i}`)).status).toBe(200);
      // Each worker writes its lines in order: once the loud ones of both are in, a quiet one would be too.
      const loud = await poll(async () => g.log.all.filter((l) => String(l.path).startsWith('/loud')), (ls) => ls.length >= 6);
      expect(new Set(loud.map((l) => l.pid)).size).toBe(2);
      expect(g.log.all.filter((l) => String(l.path).startsWith('/quiet'))).toEqual([]);
    } finally {
      g.child.kill('SIGKILL');
      await a.close();
    }
  });

  it('merges the shadow reports of both workers in /shadow/report', async () => {
    const main = await startUpstream((_req, res) => res.setHeader('content-type', 'application/json').end('{"n":1}'));
    const next = await startUpstream((_req, res) => res.setHeader('content-type', 'application/json').end('{"n":1}'));
    const g = await startGroup(upstreamsYaml({ main: main.url, next: next.url }) + 'routes:\n  - { prefix: /, upstream: main, shadow: { upstream: next, percent: 100 } }\n');
    try {
      for (let i = 0; i < 10; i++) expect((await freshGet(`${g.url}/s${i}`)).status).toBe(200);
      const read = async (): Promise<{ routes: { route: string; report: { mirrored: number; match: number } }[] }> => (await fetch(g.admin + '/shadow/report')).json() as never;
      const merged = await poll(read, (r) => r.routes[0]?.report.match === 10);
      expect(merged.routes[0]!.report).toMatchObject({ route: '/', mirrored: 10, match: 10 });
      const access = await poll(async () => g.log.all.filter((l) => typeof l.path === 'string'), (ls) => ls.length >= 10);
      const answered = new Set(access.map((l) => l.pid));
      expect(answered.size).toBe(2); // the ten comparisons were made in both workers
    } finally {
      g.child.kill('SIGKILL');
      await Promise.all([main.close(), next.close()]);
    }
  });

  it('halts a canary in every worker when one worker halts it', async () => {
    const main = await startUpstream((_req, res) => res.end('primary'));
    const bad = await startUpstream((_req, res) => res.writeHead(500).end('broken'));
    const g = await startGroup(
      upstreamsYaml({ main: main.url, bad: bad.url }) +
        'routes:\n  - prefix: /\n    upstream: main\n' +
        '    canary: { upstream: bad, percent: 0, forceHeader: x-canary, halt: { maxErrorRate: 0.5, minRequests: 2, windowMs: 60000 } }\n',
    );
    try {
      // Forced to the canary on one keep-alive connection: one worker sees every failure.
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      for (let i = 0; i < 2; i++) {
        const status = await new Promise<number>((resolve, reject) =>
          http.get(g.url + '/x', { agent, headers: { 'x-canary': 'on' } }, (r) => (r.resume(), r.on('end', () => resolve(r.statusCode!)))).on('error', reject),
        );
        expect(status).toBe(500);
      }
      agent.destroy();
      const halted = await g.log.wait((l) => l.msg === LOG.canaryHalted);
      const relayed = await g.log.wait((l) => l.msg === LOG.workerCanaryHalt);
      expect(relayed.pid).not.toBe(halted.pid);
      expect(relayed.reason).toBe(halted.reason);
      const shown = await g.routes();
      expect(shown.routes[0]?.state.canary?.halted).toMatchObject({ reason: halted.reason });
      // Every worker now sends forced requests to the primary.
      for (let i = 0; i < 6; i++) expect(await freshGet(g.url + '/y', { 'x-canary': 'on' })).toMatchObject({ status: 200, body: 'primary' });
      const metrics = await (await fetch(g.admin + '/metrics')).text();
      expect(metrics).toContain('strangler_canary_halted{route="/"} 1');
    } finally {
      g.child.kill('SIGKILL');
      await Promise.all([main.close(), bad.close()]);
    }
  });

  it('replaces a worker killed with SIGKILL while the other serves, and drains all on SIGTERM', async () => {
    const up = await startUpstream((_req, res) => res.end('ok'));
    const g = await startGroup(upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /, upstream: app }\n');
    try {
      const first = await g.routes();
      const victim = first.workers[0]!.pid;
      process.kill(victim, 'SIGKILL');
      const died = await g.log.wait((l) => l.msg === LOG.workerDied);
      expect(died).toMatchObject({ workerPid: victim, signal: 'SIGKILL' });
      for (let i = 0; i < 6; i++) expect(await freshGet(g.url + '/during')).toMatchObject({ status: 200, body: 'ok' });
      const after = await poll(g.routes, (r) => r.workers.length === 2 && r.workers.every((w) => w.ready));
      expect(after.workers.map((w) => w.pid)).not.toContain(victim);
      expect(after.workers.every((w) => w.version === first.version)).toBe(true);
      for (let i = 0; i < 6; i++) expect(await freshGet(g.url + '/after')).toMatchObject({ status: 200, body: 'ok' });

      const exited = once(g.child, 'exit');
      g.child.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      expect(code).toBe(0);
      const stopped = new Set(g.log.all.filter((l) => l.msg === LOG.stopped).map((l) => l.pid));
      expect(stopped.size).toBe(3); // both workers drained, then the primary
    } finally {
      g.child.kill('SIGKILL');
      await up.close();
    }
  });
});

describe('the number of workers', () => {
  it('comes from --workers, else STRANGLER_WORKERS, and anything but an integer >= 1 or auto is refused', () => {
    expect(parseCommand(['--workers', '3'], { STRANGLER_WORKERS: '2' })).toMatchObject({ kind: 'serve', workers: 3 });
    expect(parseCommand([], { STRANGLER_WORKERS: 'auto' })).toMatchObject({ kind: 'serve', workers: 'auto' });
    expect(parseCommand([], {})).not.toHaveProperty('workers');
    expect(parseCommand(['--workers', '0'], {})).toEqual({ kind: 'usage-error', message: "--workers must be an integer >= 1 or auto (got '0')" });
    expect(parseCommand([], { STRANGLER_WORKERS: 'many' })).toEqual({ kind: 'usage-error', message: "STRANGLER_WORKERS must be an integer >= 1 or auto (got 'many')" });
  });

  it('is server.workers in the file otherwise, validated with its line and column', () => {
    const base = 'upstreams:\n  app: { url: "http://127.0.0.1:1" }\nroutes:\n  - { prefix: /, upstream: app }\n';
    const ok = parseRoutes('server:\n  workers: auto\n' + base, 'r.yaml', {});
    expect(ok.ok && ok.effective.server.workers).toBe('auto');
    const bad = parseRoutes('server:\n  workers: 0\n' + base, 'r.yaml', {});
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors[0]).toMatchObject({ line: 2, message: expect.stringContaining('an integer >= 1 or auto') });
  });
});
