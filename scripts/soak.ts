// npm run soak: a long, bounded, loopback-only mix through the proxy (a child process, on HTTPS with
// a certificate from a private CA made here) in front of an echo upstream (fuzz/upstream.ts):
// keep-alive requests, new connections, client aborts mid-response, streamed uploads echoed back,
// and HTTP/2 streams (one session per worker, reopened when the proxy closes it). Every --sample seconds the proxy's RSS (VmRSS) and
// open fds (/proc/<pid>/fd) are sampled; the summary prints the samples, the least-squares slopes
// (KB and fds per 100k requests, the first quarter of the run left out as warm-up) and a verdict.
// Seeded; stops after --requests or --seconds. Exit 0 when no growth is seen, 1 otherwise.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestPki } from './lib/pki.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { seededRandom } from './lib/seeded-random.js';
import { countInto } from './lib/stats.js';
import { onSignals } from './lib/procs.js';
import { proxyDown, runFlags, startProxy, startUpstreams } from './fuzz/kit.js';

const USAGE = `usage: node dist/scripts/soak.js [--requests N (1000000)] [--seconds S (1800)] [--seed S (1)] [--concurrency C (32)] [--quiet]
environment: SOAK_SAMPLE_SECONDS (5)`;
const SAMPLE_S = Number(process.env['SOAK_SAMPLE_SECONDS'] ?? 5);
/** Growth above these (per 100k requests, after warm-up) is reported as a leak. */
const LIMIT = { kb: 4096, fds: 5 };

interface Ctx {
  readonly base: string;
  readonly keepAlive: http.Agent;
  readonly ca: string;
  /** This worker's HTTP/2 session (opened on first use, again after the proxy closed it). */
  h2: http2.ClientHttp2Session | null;
}
/** One request of a kind; resolves with its status ('abort' for a deliberate abort). */
type Kind = (ctx: Ctx) => Promise<string>;

function request(ctx: Ctx, o: { agent: http.Agent | false; path: string; resp: string; method?: string; body?: number; abortAfter?: number }): Promise<string> {
  return new Promise((resolve) => {
    const req = https.request(`${ctx.base}${o.path}`, { agent: o.agent, ca: ctx.ca, method: o.method ?? 'GET', headers: { 'x-fuzz-resp': o.resp, ...(o.agent === false && { connection: 'close' }) } }, (res) => {
      let got = 0;
      res.on('data', (c: Buffer) => {
        got += c.length;
        if (o.abortAfter !== undefined && got >= o.abortAfter) (req.destroy(), resolve('abort'));
      });
      res.on('end', () => resolve(String(res.statusCode)));
      res.on('error', () => resolve('abort'));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve(o.abortAfter !== undefined ? 'abort' : `error ${e.code ?? e.message}`));
    if (o.body === undefined) return void req.end();
    // A streamed upload: chunked, in 16 KiB pieces, each after the previous one drained.
    let left = o.body;
    const piece = Buffer.alloc(16 * 1024, 'u');
    const more = (): void => {
      while (left > 0) {
        left -= piece.length;
        if (!req.write(piece)) return void req.once('drain', more);
      }
      req.end();
    };
    more();
  });
}

/** One HTTP/2 stream on the worker's session; every 10th is cancelled after its first bytes. */
function h2Request(ctx: Ctx, cancel: boolean): Promise<string> {
  if (ctx.h2 === null || ctx.h2.closed || ctx.h2.destroyed) {
    const session = http2.connect(ctx.base, { ca: ctx.ca });
    session.on('error', () => {});
    ctx.h2 = session;
  }
  const session = ctx.h2;
  return new Promise((resolve) => {
    const stream = session.request({ ':path': cancel ? '/soak/big' : '/soak/h2', 'x-fuzz-resp': cancel ? 'big' : 'cl' });
    let status = '?';
    stream.on('response', (h) => (status = String(h[':status'])));
    stream.on('data', () => {
      if (cancel) (stream.close(http2.constants.NGHTTP2_CANCEL), resolve('abort'));
    });
    stream.on('end', () => resolve(status));
    stream.on('error', (e: NodeJS.ErrnoException) => resolve(cancel ? 'abort' : `error ${e.code ?? ''} ${e.message}`));
  });
}

/** The mix (weights in percent). */
const KINDS: Record<string, { weight: number; run: Kind }> = {
  keepAlive: { weight: 55, run: (c) => request(c, { agent: c.keepAlive, path: '/soak/a', resp: 'cl' }) },
  h2Stream: { weight: 18, run: (c) => h2Request(c, false) },
  h2Cancel: { weight: 2, run: (c) => h2Request(c, true) },
  newConnection: { weight: 10, run: (c) => request(c, { agent: false, path: '/soak/b', resp: 'chunked' }) },
  abortMidResponse: { weight: 8, run: (c) => request(c, { agent: c.keepAlive, path: '/soak/big', resp: 'big', abortAfter: 1 }) },
  streamUpDown: { weight: 7, run: (c) => request(c, { agent: c.keepAlive, path: '/soak/echo', resp: 'echo', method: 'POST', body: 128 * 1024 }) },
};

interface Sample {
  readonly s: number;
  readonly requests: number;
  readonly rssKb: number;
  readonly fds: number;
}

function sample(pid: number, requests: number, startedAt: number): Sample {
  const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return { s: (Date.now() - startedAt) / 1000, requests, rssKb: Number(rss), fds: readdirSync(`/proc/${pid}/fd`).length };
}

/** Least-squares slope of y over x. */
function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) [num, den] = [num + (xs[i]! - mx) * (ys[i]! - my), den + (xs[i]! - mx) ** 2];
  return den === 0 ? 0 : num / den;
}

async function main(): Promise<number> {
  const o = runFlags('soak', { requests: 1_000_000, seconds: 1800, seed: 1, concurrency: 32 }, USAGE);
  const say = (line: string): void => void (o.quiet || process.stderr.write(`soak: ${line}\n`));
  const findings: string[] = [];
  const pkiDir = mkdtempSync(join(tmpdir(), 'strangler-soak-pki-'));
  const pki = new TestPki('strangler soak CA', pkiDir);
  const leaf = pki.issue({ names: ['127.0.0.1', 'localhost'] });
  const up = await startUpstreams([{ prefix: '/soak' }], ['keepAliveTimeoutMs: 2000', `tls: { cert: ${leaf.certFile}, key: ${leaf.keyFile} }`], (f) => findings.push(`${f.what}: ${f.detail}`));
  const stack = await startProxy('soak', up.yaml, say);
  onSignals((sig, status) => (process.stderr.write(`\nsoak: ${sig}, stopping\n`), stack.killNow(), process.exit(status)));
  const pid = stack.proxyPid!;
  const ctx: Ctx = { base: stack.proxyUrl.replace(/^http:/, 'https:'), keepAlive: new https.Agent({ keepAlive: true, maxSockets: o.concurrency, ca: pki.ca }), ca: pki.ca, h2: null };
  const r = seededRandom(o.seed);
  const kinds = Object.entries(KINDS);
  const total = kinds.reduce((a, [, k]) => a + k.weight, 0);
  const pick = (): [string, Kind] => {
    let x = r() * total;
    const found = kinds.find(([, k]) => (x -= k.weight) < 0) ?? kinds[0]!;
    return [found[0], found[1].run];
  };
  const [outcomes, samples, startedAt, stopAt] = [new Map<string, number>(), [] as Sample[], Date.now(), Date.now() + o.seconds * 1000];
  let [done, issued, down] = [0, 0, undefined as string | undefined];
  say(`proxy ${stack.proxyUrl} pid ${pid}; seed ${o.seed}, ${o.requests} requests, at most ${o.seconds} s, ${o.concurrency} at a time`);
  samples.push(sample(pid, 0, startedAt));
  const timer = setInterval(() => {
    const s = sample(pid, done, startedAt);
    samples.push(s);
    say(`${s.s.toFixed(0)} s: ${s.requests} requests, rss ${s.rssKb} KB, ${s.fds} fds`);
  }, SAMPLE_S * 1000);
  const sessions: http2.ClientHttp2Session[] = [];
  const worker = async (): Promise<void> => {
    const own: Ctx = { ...ctx, h2: null }; // a session per worker: 32 sessions with streams in turn
    while (issued < o.requests && Date.now() < stopAt && down === undefined) {
      issued++;
      const [name, run] = pick();
      countInto(outcomes, `${name} ${await run(own)}`);
      if (++done % 20_000 === 0) down = await proxyDown(stack);
    }
    if (own.h2 !== null) sessions.push(own.h2);
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  clearInterval(timer);
  const seconds = (Date.now() - startedAt) / 1000;
  samples.push(sample(pid, done, startedAt));
  ctx.keepAlive.destroy();
  for (const s of sessions) s.close();
  rmSync(pkiDir, { recursive: true, force: true });
  await sleep(3000); // the proxy's keep-alive timeout (2 s) closes what the clients left open
  const idle = sample(pid, done, startedAt);
  down ??= await proxyDown(stack);
  const proxyExit = await stack.stop();
  await Promise.all(up.echoes.map((e) => e.close()));
  const steady = samples.filter((s) => s.requests >= done / 4);
  const per100k = (ys: number[]) => slope(steady.map((s) => s.requests), ys) * 100_000;
  const [kb, fds] = steady.length >= 3 ? [per100k(steady.map((s) => s.rssKb)), per100k(steady.map((s) => s.fds))] : [NaN, NaN];
  const reasons = [
    ...(down === undefined ? [] : [`proxy down: ${down}`]),
    ...(Number.isNaN(kb) ? ['too few samples for a slope (run longer)'] : []),
    ...(kb > LIMIT.kb ? [`RSS grows ${kb.toFixed(0)} KB per 100k requests (limit ${LIMIT.kb})`] : []),
    ...(fds > LIMIT.fds ? [`fds grow ${fds.toFixed(1)} per 100k requests (limit ${LIMIT.fds})`] : []),
    ...findings.slice(0, 3),
  ];
  const out = [
    `soak: seed ${o.seed}, ${done} requests in ${seconds.toFixed(1)} s (${Math.round(done / seconds)} req/s), ${o.concurrency} at a time`,
    `  outcomes: ${[...outcomes].sort().map(([k, v]) => `${k} ${v}`).join(', ')}`,
    '  samples (s, requests, rss KB, fds):',
    ...samples.map((s) => `    ${s.s.toFixed(0).padStart(5)} ${String(s.requests).padStart(8)} ${String(s.rssKb).padStart(8)} ${String(s.fds).padStart(4)}`),
    `    idle ${String(idle.requests).padStart(8)} ${String(idle.rssKb).padStart(8)} ${String(idle.fds).padStart(4)}  (3 s after the load)`,
    `  slope after warm-up (${steady.length} samples): ${kb.toFixed(0)} KB and ${fds.toFixed(2)} fds per 100k requests`,
    `  proxy ${proxyExit}`,
    reasons.length === 0 ? 'PASS: no growth in RSS or fds' : `FAIL: ${reasons.join('; ')}`,
  ];
  process.stdout.write(out.join('\n') + '\n');
  return reasons.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => (process.stderr.write(`soak: ${err instanceof Error ? err.stack : String(err)}\n`), process.exit(1)),
);
