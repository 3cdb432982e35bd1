// What a bench target is, and the rows of the bench in table order: adding a row is adding one
// Target to TARGETS. Every target runs as a child process on the proxy's core (--no-pin: anywhere),
// answers the same route table (routes.ts), and is started fresh for every run.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasCommand, type Pinning } from '../lib/cpu.js';
import { Child, freePort, waitForHttpOk } from '../lib/procs.js';
import { nginxConf } from './nginx-config.js';
import { stranglerRoutesYaml, type StranglerConfigOptions } from './strangler-config.js';

export interface BenchContext {
  readonly upstreamUrl: string;        // the shared upstream (on the load cpu)
  readonly pinning: Pinning;
  readonly tmpDir: string;             // removed when the bench ends
  readonly readyPath: string;          // a path that answers 200 through every proxy
}

export interface RunningTarget {
  readonly url: string;                // base URL; the scenario path is appended
  readonly pgid?: number | undefined;  // its process group, for the CPU column
  stop(): Promise<unknown>;
}

export interface Target {
  readonly key: string;                // for --targets
  readonly name: string;               // the row label
  /** Why this target cannot run here (e.g. "nginx not installed"), or null. Checked once. */
  unavailable?(): string | null;
  start(ctx: BenchContext): Promise<RunningTarget>;
}

const here = fileURLToPath(new URL('.', import.meta.url));

/** One of the bench's own node programs (upstream-server.js, express-proxy.js, ...), ready when readyPath answers 200. */
export async function startNodeProgram(
  name: string, script: string, args: readonly string[], cpu: number | undefined, ctx: BenchContext, readyPath: string,
): Promise<RunningTarget & { port: number }> {
  const port = await freePort();
  const child = new Child(name, join(here, script), {
    args: ['--port', String(port), ...args], cpu, env: { ...process.env, NODE_ENV: 'production' }, stderrFile: join(ctx.tmpDir, `${script}.${port}.stderr`),
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttpOk(url + readyPath, child, 15_000);
  return { url, port, pgid: child.pid, stop: () => child.stop() };
}

/** A proxy program of the bench in front of the shared upstream, on the proxy's core. */
const nodeProxy = (key: string, name: string, script: string): Target => ({
  key, name, start: (ctx) => startNodeProgram(name, script, ['--upstream', ctx.upstreamUrl], ctx.pinning.proxyCpu, ctx, ctx.readyPath),
});

export function nginxVersion(): string | null {
  if (!hasCommand('nginx')) return null;
  try {
    return /nginx\/(\S+)/.exec(execFileSync('sh', ['-c', 'nginx -v 2>&1'], { encoding: 'utf8' }))?.[1] ?? '?';   // it prints on stderr
  } catch {
    return '?';
  }
}

/** nginx as a reverse proxy (only when installed): generated config in a temp dir, daemon off, 1 worker, as the current user. */
const nginxTarget: Target = {
  key: 'nginx',
  name: 'nginx',
  unavailable: () => (hasCommand('nginx') ? null : 'nginx not installed (apt-get install -y nginx)'),
  async start(ctx) {
    const port = await freePort();
    const dir = join(ctx.tmpDir, `nginx-${port}`);
    mkdirSync(dir, { recursive: true });
    const conf = join(dir, 'nginx.conf');
    let user: string | undefined;
    if (process.getuid?.() === 0) {        // "user" only matters when started as root
      user = userInfo().username;
      try { user += ' ' + (execFileSync('id', ['-gn'], { encoding: 'utf8' }).trim() || user); } catch { user += ' ' + user; }
    }
    writeFileSync(conf, nginxConf({ dir, port, upstreamHostPort: new URL(ctx.upstreamUrl).host, ...(user ? { user } : {}) }));
    let errorLogFlag = false;
    try { errorLogFlag = /-e filename/.test(execFileSync('sh', ['-c', 'nginx -h 2>&1'], { encoding: 'utf8' })); } catch { /* old nginx */ }
    const args = ['-c', conf, '-p', dir + '/', ...(errorLogFlag ? ['-e', join(dir, 'nginx-error.log')] : [])];
    const child = new Child('nginx', 'nginx', { args, cpu: ctx.pinning.proxyCpu, stderrFile: join(dir, 'stderr') });
    const url = `http://127.0.0.1:${port}`;
    await waitForHttpOk(url + ctx.readyPath, child, 10_000);
    return { url, pgid: child.pid, stop: () => child.stop() };
  },
};

/** dist/src/main.js next to this build; BENCH_STRANGLER_MAIN=/path/main.js benches another build. */
export const STRANGLER_MAIN = process.env['BENCH_STRANGLER_MAIN'] || fileURLToPath(new URL('../../src/main.js', import.meta.url));

/** strangler itself, ready when GET /readyz on its admin port answers 200; access log (stdout, to
 *  /dev/null through an fd) and metrics stay on. */
export function stranglerTarget(o: { key: string; name: string; config?: Omit<StranglerConfigOptions, 'upstreamUrl'> }): Target {
  return {
    key: o.key,
    name: o.name,
    unavailable: () => (existsSync(STRANGLER_MAIN) ? null : 'strangler not built: run npm run build'),
    async start(ctx) {
      const [port, adminPort] = [await freePort(), await freePort()];
      const yamlFile = join(ctx.tmpDir, `routes-${o.key}-${port}.yaml`);
      writeFileSync(yamlFile, stranglerRoutesYaml({ upstreamUrl: ctx.upstreamUrl, ...o.config }));
      const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'info' };
      for (const k of ['ADMIN_TOKEN', 'STRANGLER_CONFIG', 'PORT', 'ADMIN_PORT']) delete env[k];
      const child = new Child(o.name, STRANGLER_MAIN, {
        args: ['--config', yamlFile, '--port', String(port), '--admin-port', String(adminPort)],
        cpu: ctx.pinning.proxyCpu, env, stderrFile: join(ctx.tmpDir, `strangler-${port}.stderr`),
      });
      const admin = `http://127.0.0.1:${adminPort}`;
      await waitForHttpOk(`${admin}/readyz`, child, 20_000).catch((err: Error) => {
        throw new Error(`${err.message}${checkOutput(yamlFile)}`);
      });
      return {
        url: `http://127.0.0.1:${port}`,
        pgid: child.pid,
        async stop() {
          try {
            const text = await (await fetch(`${admin}/metrics`, { signal: AbortSignal.timeout(3000) })).text();
            if (!text.includes('strangler_requests_total')) process.stderr.write(`  warning: ${o.name}: /metrics has no strangler_requests_total\n`);
          } catch (err) {
            process.stderr.write(`  warning: ${o.name}: GET /metrics failed: ${(err as Error).message}\n`);
          }
          await child.stop(12_000);
        },
      };
    },
  };
}

/** On a failed start: what `strangler check` says about the generated file (stdout is /dev/null). */
function checkOutput(yamlFile: string): string {
  try {
    execFileSync(process.execPath, [STRANGLER_MAIN, 'check', yamlFile], { stdio: 'pipe', timeout: 10_000 });
    return `\n  (strangler check ${yamlFile}: ok)`;
  } catch (err) {
    const e = err as { stdout?: Buffer; stderr?: Buffer };
    return `\n  strangler check ${yamlFile}:\n    ${(String(e.stdout ?? '') + String(e.stderr ?? '')).trim().slice(-1500).split('\n').join('\n    ')}`;
  }
}

export const STRANGLER_KEY = 'strangler';
export const NGINX_KEY = 'nginx';
export const FASTIFY_KEY = 'fastify';
export const BARE_KEY = 'bare';

export const TARGETS: readonly Target[] = [
  // The upstream itself, on the proxy's core: the ceiling for this load generator.
  { key: 'direct', name: 'direct (upstream)', start: (ctx) => startNodeProgram('upstream (direct)', 'upstream-server.js', [], ctx.pinning.proxyCpu, ctx, ctx.readyPath) },
  // node:http + undici dispatch with no features: what strangler's features cost.
  nodeProxy(BARE_KEY, 'bare node:http + undici', 'bare-forwarder.js'),
  stranglerTarget({ key: STRANGLER_KEY, name: 'strangler' }),
  // The same route with timeout + retry + breaker configured (no failures happen): the cost of
  // the resilient path itself (issue bar: within 10% of the row above).
  stranglerTarget({
    key: 'strangler-policies',
    name: 'strangler + retry/breaker',
    config: {
      measuredRoute: {
        timeoutMs: 2000,
        retry: { attempts: 3, backoffMs: 25, maxBackoffMs: 250, on: ['connect-error', 'reset', 'timeout', 502, 503, 504] },
        breaker: { consecutiveFailures: 5, halfOpenAfterMs: 10000 },
      },
    },
  }),
  nginxTarget,
  nodeProxy('express', 'express + http-proxy-middleware', 'express-proxy.js'),
  nodeProxy(FASTIFY_KEY, '@fastify/http-proxy', 'fastify-proxy.js'),
];
