// No Docker engine runs here, so the image's filesystem is built the way the Dockerfile says: its
// instructions are read and carried out one by one (COPY from the context, filtered by
// .dockerignore, or from an earlier stage; RUN in the stage's folder standing for WORKDIR /app;
// ENV kept), then the last stage is started as its ENTRYPOINT would be, with the routes file in
// a folder standing for the /etc/strangler mount. An instruction this reader does not know fails
// the test, so the Dockerfile cannot drift away from what is tested here without notice.
// `docker build` itself (the base image, its Node 24, uid 1000) is checked only where an engine runs.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closedPort, startUpstream } from './helpers/servers.js';
import { LOG, msgField } from '../src/observability/log-messages.js';

const repo = path.resolve('.');
const dockerfile = readFileSync(path.join(repo, 'Dockerfile'), 'utf8');
const ignore = readFileSync(path.join(repo, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));

interface Instruction { readonly op: string; readonly args: string }
function instructions(text: string): Instruction[] {
  const joined = text.replace(/\\\r?\n/g, ' ');
  return joined.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#')).map((l) => {
    const [op, ...rest] = l.split(/\s+/);
    return { op: op!.toUpperCase(), args: rest.join(' ') };
  });
}

function ignored(rel: string): boolean {
  const re = (p: string): RegExp => new RegExp('^' + p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*') + '(/|$)');
  return ignore.some((p) => re(p).test(rel));
}

interface Stage { readonly name: string; readonly image: string; readonly dir: string; readonly env: Record<string, string>; user?: string; entrypoint?: string[]; healthcheck?: string[] }

const root = await mkdtemp(path.join(tmpdir(), 'strangler-image-'));
afterAll(() => rm(root, { recursive: true, force: true }));
const children: ChildProcess[] = [];
afterAll(() => children.forEach((c) => c.kill('SIGKILL')));

/** The RUN environment: npm from this machine's cache where it can, nothing from the test's own npm run. */
function runEnv(stage: Stage): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('npm_') && !k.startsWith('VITEST') && k !== 'NODE_ENV') env[k] = v;
  return { ...env, ...stage.env, npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
}

async function build(): Promise<Stage[]> {
  const stages: Stage[] = [];
  for (const { op, args } of instructions(dockerfile)) {
    const stage = stages.at(-1);
    if (op === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args)!;
      const name = m[2] ?? String(stages.length);
      const dir = path.join(root, name);
      await mkdir(dir, { recursive: true });
      stages.push({ name, image: m[1]!, dir, env: {} });
      continue;
    }
    if (stage === undefined) throw new Error(`${op} before FROM`);
    if (op === 'WORKDIR') {
      expect(args).toBe('/app'); // the stage's folder stands for /app
    } else if (op === 'ENV') {
      for (const m of args.matchAll(/(\w+)=(\S+)/g)) stage.env[m[1]!] = m[2]!;
    } else if (op === 'COPY') {
      const words = args.split(/\s+/);
      const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
      const [dest, ...srcs] = words.filter((w) => !w.startsWith('--')).reverse();
      const source = from === undefined ? null : stages.find((s) => s.name === from)!;
      for (const src of srcs.reverse()) {
        const abs = source === null ? path.join(repo, src) : path.join(source.dir, path.relative('/app', src));
        if (source === null) expect(ignored(src), `.dockerignore leaves out ${src}, which the Dockerfile copies`).toBe(false);
        const target = dest!.endsWith('/') ? path.join(stage.dir, dest!, path.basename(src)) : path.join(stage.dir, dest!);
        await cp(abs, target, { recursive: true, filter: (f) => source !== null || !ignored(path.relative(repo, f)) });
      }
    } else if (op === 'RUN') {
      const r = spawnSync('bash', ['-c', args], { cwd: stage.dir, env: runEnv(stage), encoding: 'utf8', timeout: 75_000 });
      expect(r.status, `RUN ${args}\n${r.stdout}\n${r.stderr}`).toBe(0);
    } else if (op === 'USER') {
      stage.user = args;
    } else if (op === 'ENTRYPOINT') {
      stage.entrypoint = JSON.parse(args) as string[];
    } else if (op === 'HEALTHCHECK') {
      stage.healthcheck = JSON.parse(args.slice(args.indexOf('CMD') + 3).trim()) as string[];
    } else if (op !== 'EXPOSE') {
      throw new Error(`Dockerfile instruction ${op} is not carried out by this test: teach it, or the image goes untested`);
    }
  }
  return stages;
}

describe('the Docker image, built as its Dockerfile says', () => {
  it('is Node 24 LTS, multi-stage, non-root, production dependencies only, patched undici; it serves with a mounted config folder', async () => {
    const stages = await build();
    const image = stages.at(-1)!;
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const s of stages) expect(s.image).toBe('node:24-bookworm-slim');
    expect(image.user).toBe('node');
    // A baked PORT / ADMIN_PORT / ADMIN_HOST would beat the mounted routes.yaml.
    expect(Object.keys(image.env).filter((k) => /^(PORT|ADMIN_PORT|ADMIN_HOST|ADMIN_TOKEN)$/.test(k))).toEqual([]);
    expect(image.env.STRANGLER_CONFIG).toBe('/etc/strangler/routes.yaml');
    expect(ignore).toEqual(expect.arrayContaining(['.git', 'node_modules', 'dist', 'test-artifacts']));
    // Production dependencies only, and the undici patch (patches/) still applied after the prune.
    for (const dev of ['typescript', 'vitest', 'fastify', 'playwright-core']) expect(existsSync(path.join(image.dir, 'node_modules', dev))).toBe(false);
    expect(await readFile(path.join(image.dir, 'node_modules/undici/lib/dispatcher/client-h1.js'), 'utf8')).toContain('strangler patch');
    expect(existsSync(path.join(image.dir, 'src'))).toBe(false);

    const up = await startUpstream((req, res) => res.end(`upstream saw ${req.url}`));
    const mount = await mkdtemp(path.join(tmpdir(), 'strangler-etc-')); // docker run -v mount:/etc/strangler:ro
    const [port, adminPort] = [await closedPort(), await closedPort()];
    await writeFile(path.join(mount, 'routes.yaml'), `server: { port: ${port}, host: 127.0.0.1, adminPort: ${adminPort} }\nupstreams:\n  app: { url: "${up.url}" }\nroutes:\n  - { prefix: /, upstream: app }\n`);
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...image.env };
    env.STRANGLER_CONFIG = image.env.STRANGLER_CONFIG!.replace('/etc/strangler', mount);
    try {
      const [cmd, ...argv] = image.entrypoint!;
      expect(cmd).toBe('node');
      const child = spawn(process.execPath, argv, { cwd: image.dir, env, stdio: ['ignore', 'pipe', 'inherit'] });
      children.push(child);
      for await (const line of createInterface({ input: child.stdout! })) if (line.includes(msgField(LOG.listening))) break;
      child.stdout!.resume(); // the rest of its log is not read, but never left to fill the pipe

      const res = await fetch(`http://127.0.0.1:${port}/orders/7`);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('upstream saw /orders/7');
      expect((await fetch(`http://127.0.0.1:${adminPort}/healthz`)).status).toBe(200);

      const [hcmd, ...hargv] = image.healthcheck!;
      expect(hcmd).toBe('node');
      const health = spawnSync(process.execPath, hargv, { cwd: image.dir, env, encoding: 'utf8', timeout: 10_000 });
      expect(health.status, health.stderr).toBe(0);
      // An edit that is not valid leaves the proxy on its last good table: still healthy.
      await writeFile(path.join(mount, 'routes.yaml'), `server: { port: ${port}, host: 127.0.0.1, adminPort: ${adminPort} }\nupstreams: {}\nroutes:\n  - { prefix: /, upstream: gone }\n`);
      const afterBadEdit = spawnSync(process.execPath, hargv, { cwd: image.dir, env, encoding: 'utf8', timeout: 10_000 });
      expect(afterBadEdit.status, afterBadEdit.stderr).toBe(0);

      child.kill('SIGTERM');
      const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
      expect(code).toBe(0);
      // ...and with the proxy gone, the health check says so.
      expect(spawnSync(process.execPath, hargv, { cwd: image.dir, env, timeout: 10_000 }).status).toBe(1);
    } finally {
      await up.close();
      await rm(mount, { recursive: true, force: true });
    }
  }, 120_000);
});
