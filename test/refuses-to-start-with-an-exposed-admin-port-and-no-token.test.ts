// Contract v2 ("Workers, replicas, deployment"): ADMIN_HOST sets server.adminHost, and an admin
// host other than loopback without ADMIN_TOKEN is refused at start with a clear error, saying
// why and how to fix it. `strangler check` says so for a file whose server.adminHost does it.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { startStrangler } from '../src/bootstrap.js';
import { parseCommand } from '../src/cli/args.js';
import { createStreamLogger } from '../src/observability/logger.js';
import { cli } from './helpers/cli.js';
import { writeConfig } from './helpers/servers.js';

const ROUTES = 'upstreams:\n  legacy: { url: "http://127.0.0.1:8000" }\nroutes:\n  - { prefix: /, upstream: legacy }\n';

function start(configPath: string, opts: { adminHost?: string; adminToken?: string }) {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _enc, cb) => (lines.push(chunk.toString()), cb()) });
  const run = startStrangler({ configPath, logger: createStreamLogger('info', sink), port: 0, host: '127.0.0.1', adminPort: 0, env: {}, watch: false, ...opts });
  return { run, lines };
}

const WHY_AND_FIX = [/refusing to start/, /not a loopback address/, /ADMIN_TOKEN is not set/, /Set ADMIN_TOKEN/, /bind the admin API to loopback/];

describe('an admin host other than loopback', () => {
  it('is refused at start without ADMIN_TOKEN, naming the flag or env it came from; with a token it starts', async () => {
    const file = await writeConfig(ROUTES);
    const refused = start(file, { adminHost: '0.0.0.0' });
    const err = (await refused.run.then(() => undefined, (e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(Error);
    for (const re of WHY_AND_FIX) expect(err.message).toMatch(re);
    expect(err.message).toContain('0.0.0.0 (--admin-host or ADMIN_HOST)');
    expect(refused.lines.join('')).not.toContain('"msg":"listening"');

    const allowed = await start(file, { adminHost: '0.0.0.0', adminToken: 's3cret' }).run;
    try {
      expect((await fetch(`http://127.0.0.1:${allowed.adminPort}/healthz`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${allowed.adminPort}/routes`)).status).toBe(401);
    } finally {
      await allowed.shutdown();
    }
  });

  it('is refused at start when server.adminHost in the file sets it, naming the file', async () => {
    const file = await writeConfig(`server:\n  adminHost: 0.0.0.0\n${ROUTES}`);
    const err = (await start(file, {}).run.then(() => undefined, (e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(Error);
    for (const re of WHY_AND_FIX) expect(err.message).toMatch(re);
    expect(err.message).toContain(`0.0.0.0 (server.adminHost in ${file})`);
  });
});

describe('ADMIN_HOST', () => {
  it('sets the admin host, below the --admin-host flag', () => {
    expect(parseCommand([], { ADMIN_HOST: '10.0.0.5' })).toMatchObject({ kind: 'serve', adminHost: '10.0.0.5' });
    expect(parseCommand(['--admin-host', '127.0.0.1'], { ADMIN_HOST: '10.0.0.5' })).toMatchObject({ adminHost: '127.0.0.1' });
  });

  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
  });

  it('=0.0.0.0 without ADMIN_TOKEN: the built CLI exits 1 and says why on stderr, never listening', async () => {
    const file = await writeConfig(ROUTES);
    const env: NodeJS.ProcessEnv = { ...process.env, ADMIN_HOST: '0.0.0.0' };
    delete env.ADMIN_TOKEN;
    const child = spawn(process.execPath, [path.resolve('dist/src/main.js'), '--config', file, '--port', '0', '--admin-port', '0', '--host', '127.0.0.1'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let out = '';
    let err = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    // Ends either way: the refusal exits; a proxy that starts says "listening", and is killed.
    const outcome = await new Promise<'exited' | 'listening'>((resolve) => {
      child.once('close', () => resolve('exited')); // stdout and stderr read to their end
      child.stdout!.on('data', () => {
        if (out.includes('"msg":"listening"')) resolve('listening');
      });
    });
    expect(outcome, out).toBe('exited');
    expect(child.exitCode).toBe(1);
    for (const re of WHY_AND_FIX) expect(err).toMatch(re);
    expect(err).toContain('0.0.0.0');
  });
});

describe('strangler check', () => {
  it('reports a non-loopback server.adminHost where ADMIN_TOKEN is unset, at its line and column', async () => {
    const file = await writeConfig(`server:\n  adminHost: 0.0.0.0\n${ROUTES}`);
    const r = await cli(['check', file], {});
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${file}:2:14 server.adminHost: strangler would refuse to start: the admin API would listen on 0.0.0.0`);
    for (const re of WHY_AND_FIX.slice(1)) expect(r.err).toMatch(re);
    expect((await cli(['check', file], { ADMIN_TOKEN: 's3cret' })).code).toBe(0);
    expect((await cli(['check', file], { ADMIN_HOST: '127.0.0.1' })).code).toBe(0);
    const loopback = await writeConfig(`server:\n  adminHost: localhost\n${ROUTES}`);
    expect((await cli(['check', loopback], {})).code).toBe(0);
  });
});
