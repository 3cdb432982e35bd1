// What a bench target is, and the rows of the bench in table order: adding a row is adding one
// Target to TARGETS. Every target runs as a child process on the proxy's core (--no-pin: anywhere),
// answers the same route table (routes.ts), and is started fresh for every run.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import { hasCommand, type Pinning } from '../lib/cpu.js';
import { Child, freePort, waitForHttpOk } from '../lib/procs.js';
import { nginxConf, type NginxTls } from './nginx-config.js';
import { stranglerRoutesYaml, type StranglerConfigOptions } from './strangler-config.js';

export interface BenchContext {
  readonly upstreamUrl: string;        // the shared upstream (on the load cpu)
  readonly pinning: Pinning;
  readonly tmpDir: string;             // removed when the bench ends
  readonly readyPath: string;          // a path that answers 200 through every proxy
  /** A certificate for 127.0.0.1 from the bench's private CA (null: no openssl here). */
  readonly tls: { readonly certFile: string; readonly keyFile: string; readonly caFile: string } | null;
  /** Set by the closed-loop section (a target may run unpinned there: strangler --workers 2). */
  readonly closedLoop?: boolean;
  /** strangler's stdout (its access log): /dev/null through an fd, or a pipe the bench drains (--log-to pipe). */
  readonly logTo?: 'null' | 'pipe';
}

export interface RunningTarget {
  readonly url: string;                // base URL; the scenario path is appended
  readonly pgid?: number | undefined;  // its process group, for the CPU column
  readonly ca?: string;                // https: the CA file that signed its certificate
  readonly h2?: boolean;               // speak HTTP/2 to it (ALPN)
  readonly headers?: Readonly<Record<string, string>>;   // the load sends these (credentials)
  stop(): Promise<unknown>;
}

/** Starts `t`, again with fresh ports when the first try lost its port to another process (the
 *  port was free when picked; a load generator's connection took it as its source port before
 *  the target listened: seen once in a 9-minute paired run). At most 3 tries. */
export async function startTarget<R extends RunningTarget>(t: { readonly name: string; start(ctx: BenchContext): Promise<R> }, ctx: BenchContext): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await t.start(ctx);
    } catch (err) {
      if (attempt >= 3 || !/EADDRINUSE|Address already in use/.test((err as Error).message)) throw err;
      process.stderr.write(`bench: ${t.name} lost its port to another process (EADDRINUSE): starting it again on others\n`);
    }
  }
}

export interface Target {
  readonly key: string;                // for --targets
  readonly name: string;               // the row label
  readonly cpuOnly?: boolean;          // a row of the CPU section only (the closed-loop tools speak no h2 / private CA)
  readonly rateFactor?: number;        // the CPU section sends this many times its rate (N workers at N x: each at the 1-process rate)
  /** Why this target cannot run here (e.g. "nginx not installed"), or null. Checked once. */
  unavailable?(): string | null;
  start(ctx: BenchContext): Promise<RunningTarget>;
}

const here = fileURLToPath(new URL('.', import.meta.url));

/** One of the bench's own node programs (upstream-server.js, express-proxy.js, ...), ready when
 *  readyPath answers 200; `caFile`: it serves HTTPS with a certificate that CA signed. */
export async function startNodeProgram(
  name: string, script: string, args: readonly string[], cpu: number | undefined, ctx: BenchContext, readyPath: string, caFile?: string,
): Promise<RunningTarget & { port: number }> {
  const port = await freePort();
  const child = new Child(name, join(here, script), {
    args: ['--port', String(port), ...args], cpu, env: { ...process.env, NODE_ENV: 'production' }, stderrFile: join(ctx.tmpDir, `${script}.${port}.stderr`),
  });
  const url = `${caFile === undefined ? 'http' : 'https'}://127.0.0.1:${port}`;
  await waitForHttpOk(url + readyPath, child, 15_000, caFile);
  return { url, port, pgid: child.pid, stop: () => child.stop(), ...(caFile === undefined ? {} : { ca: caFile }) };
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

const noOpenssl = (): string | null => (hasCommand('openssl') ? null : 'openssl not installed (apt-get install -y openssl)');

/** The bare forwarder's HTTP/2 twin (bare-h2-forwarder.js): node:http2's stream API over TLS with
 *  the bench's certificate, + undici, no features. Its CPU per request is node:http2's own floor. */
const bareH2Target = (key: string, name: string): Target => ({
  key,
  name,
  cpuOnly: true,
  unavailable: noOpenssl,
  async start(ctx) {
    const tls = ctx.tls!;
    const args = ['--upstream', ctx.upstreamUrl, '--cert', tls.certFile, '--key', tls.keyFile];
    return { ...(await startNodeProgram(name, 'bare-h2-forwarder.js', args, ctx.pinning.proxyCpu, ctx, ctx.readyPath, tls.caFile)), h2: true };
  },
});

/** nginx as a reverse proxy (only when installed): generated config in a temp dir, daemon off, 1
 *  worker, as the current user; with `tls`, HTTPS (and HTTP/2 for 'h2') with the bench's certificate. */
const nginxTarget = (key: string, name: string, tls?: 'h1' | 'h2'): Target => ({
  key,
  name,
  ...(tls ? { cpuOnly: true } : {}),
  unavailable: () => (hasCommand('nginx') ? (tls ? noOpenssl() : null) : 'nginx not installed (apt-get install -y nginx)'),
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
    const t: NginxTls | undefined = tls && ctx.tls ? { certFile: ctx.tls.certFile, keyFile: ctx.tls.keyFile, http2: tls === 'h2' } : undefined;
    writeFileSync(conf, nginxConf({ dir, port, upstreamHostPort: new URL(ctx.upstreamUrl).host, ...(user ? { user } : {}), ...(t ? { tls: t } : {}) }));
    let errorLogFlag = false;
    try { errorLogFlag = /-e filename/.test(execFileSync('sh', ['-c', 'nginx -h 2>&1'], { encoding: 'utf8' })); } catch { /* old nginx */ }
    const args = ['-c', conf, '-p', dir + '/', ...(errorLogFlag ? ['-e', join(dir, 'nginx-error.log')] : [])];
    const child = new Child('nginx', 'nginx', { args, cpu: ctx.pinning.proxyCpu, stderrFile: join(dir, 'stderr') });
    const url = `${t ? 'https' : 'http'}://127.0.0.1:${port}`;
    await waitForHttpOk(url + ctx.readyPath, child, 10_000, t ? ctx.tls!.caFile : undefined);
    return { url, pgid: child.pid, stop: () => child.stop(), ...(t ? { ca: ctx.tls!.caFile, h2: tls === 'h2' } : {}) };
  },
});

/** A started strangler: also its routes.yaml (rewritten, then POST /reload, by the paired section) and admin URL. */
export interface RunningStrangler extends RunningTarget {
  readonly configFile: string;
  readonly admin: string;
}

/** dist/src/main.js next to this build; BENCH_STRANGLER_MAIN=/path/main.js benches another build. */
export const STRANGLER_MAIN = process.env['BENCH_STRANGLER_MAIN'] || fileURLToPath(new URL('../../src/main.js', import.meta.url));

/** strangler itself, ready when GET /readyz on its admin port answers 200; access log (stdout, to
 *  /dev/null through an fd, or a pipe with --log-to pipe) and metrics stay on. */
export function stranglerTarget(o: {
  key: string; name: string; config?: Omit<StranglerConfigOptions, 'upstreamUrl'>; tls?: 'h1' | 'h2'; cpuOnly?: boolean;
  /** Made at start (key files in tmpDir): config added to `config`, and the headers the load sends. */
  credentials?: (ctx: BenchContext) => Promise<{ config: Omit<StranglerConfigOptions, 'upstreamUrl'>; headers: Record<string, string> }>;
  /** `--workers N` (node:cluster; the CPU meter's process group holds the primary and its workers). */
  workers?: number;
  /** Not pinned in the closed-loop section (N workers pinned to one cpu cannot serve more than 1). */
  unpinnedClosedLoop?: boolean;
  rateFactor?: number;
}): Omit<Target, 'start'> & { start(ctx: BenchContext): Promise<RunningStrangler> } {
  return {
    key: o.key,
    name: o.name,
    ...(o.rateFactor === undefined ? {} : { rateFactor: o.rateFactor }),
    ...(o.tls || o.cpuOnly ? { cpuOnly: true } : {}),
    unavailable: () => (existsSync(STRANGLER_MAIN) ? (o.tls ? noOpenssl() : null) : 'strangler not built: run npm run build'),
    async start(ctx) {
      const [port, adminPort] = [await freePort(), await freePort()];
      const yamlFile = join(ctx.tmpDir, `routes-${o.key}-${port}.yaml`);
      const tls = o.tls && ctx.tls ? { tls: { cert: ctx.tls.certFile, key: ctx.tls.keyFile }, http2: o.tls === 'h2' } : undefined;
      const creds = o.credentials ? await o.credentials(ctx) : null;
      const measuredRoute = { ...o.config?.measuredRoute, ...creds?.config.measuredRoute };
      writeFileSync(yamlFile, stranglerRoutesYaml({ upstreamUrl: ctx.upstreamUrl, ...o.config, ...creds?.config, measuredRoute, ...(tls ? { server: tls } : {}) }));
      const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'info' };
      for (const k of ['ADMIN_TOKEN', 'STRANGLER_CONFIG', 'PORT', 'ADMIN_PORT']) delete env[k];
      const child = new Child(o.name, STRANGLER_MAIN, {
        args: ['--config', yamlFile, '--port', String(port), '--admin-port', String(adminPort), ...(o.workers ? ['--workers', String(o.workers)] : [])],
        cpu: o.unpinnedClosedLoop && ctx.closedLoop ? undefined : ctx.pinning.proxyCpu, env, stderrFile: join(ctx.tmpDir, `strangler-${port}.stderr`), drainStdout: ctx.logTo === 'pipe',
      });
      const admin = `http://127.0.0.1:${adminPort}`;
      await waitForHttpOk(`${admin}/readyz`, child, 20_000).catch((err: Error) => {
        throw new Error(`${err.message}${checkOutput(yamlFile)}`);
      });
      return {
        url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
        ...(tls ? { ca: ctx.tls!.caFile, h2: o.tls === 'h2' } : {}),
        ...(creds ? { headers: creds.headers } : {}),
        pgid: child.pid,
        configFile: yamlFile,
        admin,
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
export const BARE_H2_KEY = 'bare-h2';
/** The plain strangler again: an A/A control of the method's noise. */
export const AA_KEY = 'strangler-aa';
export const RATELIMIT_KEY = 'strangler-ratelimit';
export const WORKERS_KEY = 'strangler-w2';

/** The measured route's timeout, retry and breaker in the strangler-policies rows (no failure
 *  happens: what the resilient path itself costs). */
export const POLICIES_ROUTE = {
  timeoutMs: 2000,
  retry: { attempts: 3, backoffMs: 25, maxBackoffMs: 250, on: ['connect-error', 'reset', 'timeout', 502, 503, 504] },
  breaker: { consecutiveFailures: 5, halfOpenAfterMs: 10000 },
} as const;

export const TARGETS: readonly Target[] = [
  // The upstream itself, on the proxy's core: the ceiling for this load generator.
  { key: 'direct', name: 'direct (upstream)', start: (ctx) => startNodeProgram('upstream (direct)', 'upstream-server.js', [], ctx.pinning.proxyCpu, ctx, ctx.readyPath) },
  // node:http + undici dispatch with no features: what strangler's features cost.
  nodeProxy(BARE_KEY, 'bare node:http + undici', 'bare-forwarder.js'),
  stranglerTarget({ key: STRANGLER_KEY, name: 'strangler' }),
  // --workers 2 (issue 14): closed loop unpinned (both cores, shared with the load generator and the
  // upstream), CPU section pinned like the row above (bar: CPU per request <= 1.1x the 1-worker row's).
  stranglerTarget({ key: WORKERS_KEY, name: 'strangler --workers 2', workers: 2, unpinnedClosedLoop: true }),
  // The same at twice the CPU section's rate, so each worker carries what the 1-worker row does:
  // one process costs more per request at a lower rate (fewer requests per event-loop turn), so
  // only this row isolates what the workers themselves add (the bar: <= 1.1x the 1-worker row).
  stranglerTarget({ key: 'strangler-w2-2x', name: 'strangler --workers 2, 2x rate', workers: 2, rateFactor: 2, cpuOnly: true }),
  // The same route with timeout + retry + breaker configured (no failures happen): the cost of
  // the resilient path itself (issue bar: within 10% of the row above).
  stranglerTarget({ key: 'strangler-policies', name: 'strangler + retry/breaker', config: { measuredRoute: POLICIES_ROUTE } }),
  // The same route with a local rate limit that never refuses (one bucket: every request comes
  // from 127.0.0.1): the cost of the gate and the bucket (issue 13 bar: at most +5 us of CPU per
  // request over the plain strangler row). CPU section only.
  stranglerTarget({
    key: RATELIMIT_KEY,
    name: 'strangler + rate limit (local)',
    cpuOnly: true,
    config: { measuredRoute: { rateLimit: { requestsPerSecond: 1_000_000 } } },
  }),
  // Identity rows (issue 13 bars, CPU section only): an RS256 JWT verified on every request with
  // its key in memory (what a cached JWKS costs; the key comes from a PEM file here so the bench
  // needs no JWKS server), and a forward-auth bridge answered from its cache (one call a minute).
  stranglerTarget({ key: 'strangler-jwt', name: 'strangler + JWT (RS256)', cpuOnly: true, credentials: jwtCredentials }),
  stranglerTarget({ key: 'strangler-forward-auth', name: 'strangler + forward auth (cache hit)', cpuOnly: true, credentials: forwardCredentials }),
  // Tracing rows (issue 15 bars, CPU section only): every request traced (a server and an attempt
  // span, OTLP protobuf batches to the bench upstream's POST /v1/traces, on the load cpu), and 1 in
  // 100 (what the unsampled 99 cost: the server span object, traceparent, the sampler's draw).
  stranglerTarget({ key: 'strangler-trace-1', name: 'strangler + tracing (sampleRatio 1.0)', cpuOnly: true, credentials: tracing(1) }),
  stranglerTarget({ key: 'strangler-trace-001', name: 'strangler + tracing (sampleRatio 0.01)', cpuOnly: true, credentials: tracing(0.01) }),
  // Recording row (issue 16 bar, CPU section only): every request of the measured route recorded
  // (its line built, queued and written to a file in the bench's tmp dir).
  stranglerTarget({ key: 'strangler-record', name: 'strangler + record (100%)', cpuOnly: true, credentials: recording }),
  // A/A control (CPU section only): the plain strangler row again, in a process of its own. Its
  // distance from the strangler row is the noise floor that every "+N us" bar above is read against.
  stranglerTarget({ key: AA_KEY, name: 'strangler again (A/A control)', cpuOnly: true }),
  nginxTarget(NGINX_KEY, 'nginx'),
  nodeProxy('express', 'express + http-proxy-middleware', 'express-proxy.js'),
  nodeProxy(FASTIFY_KEY, '@fastify/http-proxy', 'fastify-proxy.js'),
  // TLS rows (CPU section only): the same certificate (ECDSA P-256, from the bench's private CA) in
  // each; the bar is strangler's TLS rows within 1.3x its own plain-HTTP row.
  stranglerTarget({ key: 'strangler-https', name: 'strangler HTTPS/1.1', tls: 'h1' }),
  stranglerTarget({ key: 'strangler-h2', name: 'strangler HTTP/2 (TLS)', tls: 'h2' }),
  nginxTarget('nginx-https', 'nginx HTTPS/1.1', 'h1'),
  nginxTarget('nginx-h2', 'nginx HTTP/2 (TLS)', 'h2'),
  // node:http2's own floor (CPU section and paired ratios): what an HTTP/2 front door in Node costs
  // with no feature at all, beside the 1.3x bar strangler's HTTP/2 row is held to.
  bareH2Target(BARE_H2_KEY, 'bare node:http2 + undici (TLS)'),
];

async function jwtCredentials(ctx: BenchContext): Promise<{ config: Omit<StranglerConfigOptions, 'upstreamUrl'>; headers: Record<string, string> }> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyFile = join(ctx.tmpDir, 'jwt-public.pem');
  writeFileSync(keyFile, publicKey.export({ type: 'spki', format: 'pem' }));
  const token = await new SignJWT({ sub: 'bench-user' }).setProtectedHeader({ alg: 'RS256' }).setIssuer('bench').setExpirationTime('1d').sign(privateKey);
  return {
    config: {
      auth: { idp: { jwt: { publicKey: keyFile, issuer: 'bench', algorithms: ['RS256'], claimsToHeaders: { sub: 'x-user-id' } } } },
      measuredRoute: { auth: 'idp' },
    },
    headers: { authorization: `Bearer ${token}` },
  };
}

export async function recording(ctx: BenchContext): Promise<{ config: Omit<StranglerConfigOptions, 'upstreamUrl'>; headers: Record<string, string> }> {
  return { config: { measuredRoute: { record: { file: join(ctx.tmpDir, 'record', 'bench.jsonl'), percent: 100 } } }, headers: {} };
}

export function tracing(sampleRatio: number): (ctx: BenchContext) => Promise<{ config: Omit<StranglerConfigOptions, 'upstreamUrl'>; headers: Record<string, string> }> {
  return async (ctx) => ({ config: { server: { tracing: { otlpEndpoint: `${ctx.upstreamUrl}/v1/traces`, sampleRatio } } }, headers: {} });
}

async function forwardCredentials(): Promise<{ config: Omit<StranglerConfigOptions, 'upstreamUrl'>; headers: Record<string, string> }> {
  return {
    config: {
      // The bench upstream answers any path ending in /small with 200: the bridge's "who is this?".
      auth: { session: { forward: { upstream: 'legacy', path: '/auth/small', headers: ['cookie'], copyHeaders: ['x-user-id'], cacheMs: 60_000 } } },
      measuredRoute: { auth: 'session' },
    },
    headers: { cookie: 'sessionid=bench' },
  };
}
