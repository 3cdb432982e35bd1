// npm run fuzz: mutated HTTP/1.x requests over raw loopback sockets to the proxy (a child process)
// in front of echo upstreams, one per route (fuzz/upstream.ts). Seeded, bounded by --requests and
// --seconds, stops by itself. The oracle: every response reads strictly (fuzz/responses.ts), every
// connection ends within the configured timeouts plus a margin after our last write (else: hang),
// the proxy never dies and keeps answering /healthz, and what an upstream receives never leaves
// its route's prefix under any reading (raw, decoded once or twice, backslashes, merged slashes,
// ;params), carries no spoofable or hop-by-hop header, and parses. Exit 0 clean, 1 on a finding.
import { connect } from 'node:net';
import { seededRandom } from './lib/seeded-random.js';
import { onSignals } from './lib/procs.js';
import { countInto } from './lib/stats.js';
import { proxyDown, runFlags, startProxy, startUpstreams } from './fuzz/kit.js';
import { fuzzCase, type FuzzCase } from './fuzz/requests.js';
import { parseResponse } from './fuzz/responses.js';
import type { Finding } from './fuzz/upstream.js';

const TIMEOUT_MS = 2000;
const HANG_MS = 2 * TIMEOUT_MS + 3000; // requestTimeoutMs (2x) + margin, after our last write
const USAGE = `usage: node dist/scripts/fuzz.js [--requests N (100000)] [--seconds S (600)] [--seed S (1)] [--concurrency C (48)] [--quiet]`;

interface Outcome {
  readonly statuses: (number | 'none')[];
  readonly sent: number;
  readonly malformed?: string;
  readonly hang?: boolean;
}

function runCase(port: number, c: FuzzCase): Promise<Outcome> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    const n = c.requests.length;
    const statuses: (number | 'none')[] = [];
    let buf: Buffer = Buffer.alloc(0);
    let [off, sent, closed, done, closing] = [0, 0, false, false, false];
    let malformed: string | undefined;
    let hang = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      while (statuses.length < n) statuses.push('none');
      const got = malformed === undefined ? '' : `; the proxy sent ${JSON.stringify(buf.toString('latin1', 0, 900))}`;
      resolve({ statuses, sent, ...(malformed !== undefined && { malformed: malformed + got }), ...(hang && { hang }) });
    };
    const write = (bytes: Buffer, last: boolean): void => {
      const step = Math.ceil(bytes.length / c.pieces);
      for (let at = 0; at < bytes.length; at += step) sock.write(bytes.subarray(at, at + step));
      if (last && c.halfClose) sock.end();
      clearTimeout(timer);
      timer = setTimeout(() => ((hang = true), finish()), HANG_MS);
    };
    const sendNext = (): void => {
      // In turn: a request with the bytes smuggled past its body, written at once.
      let to = c.mode === 'pipe' ? n : sent + 1;
      while (to < n && c.requests[to]!.spare !== undefined) to++;
      const bytes = Buffer.concat(c.requests.slice(sent, to).map((r) => r.bytes));
      sent = to;
      write(bytes, sent === n);
    };
    const read = (): void => {
      while (!done && statuses.length < sent && off < buf.length) {
        if (closing) return void (malformed = `${buf.length - off} bytes after a Connection: close response`);
        const q = c.requests[statuses.length]!;
        const p = parseResponse(buf, off, q.method === 'HEAD', closed);
        if (p.kind === 'more') return;
        if (p.kind === 'malformed') return void ((malformed = p.why), finish());
        off = p.end;
        if (p.status < 200 && p.status !== 101) continue;
        // Bytes past a body that can start no request: one answer, a 400 that ends the connection.
        if (q.spare === 'fragment' && (p.status !== 400 || !p.close)) return void ((malformed = `a ${p.status}${p.close ? '' : ' keeping the connection'} for the bytes ${JSON.stringify(q.bytes.toString('latin1'))} past a body, not a closing 400`), finish());
        statuses.push(p.status);
        if (p.status === 101) return finish(); // a tunnel now
        if (p.close) closing = true;
        else if (statuses.length === sent && sent < n) sendNext();
      }
      if (!closing && statuses.length === n && !c.halfClose) finish();
      if (closed && off < buf.length && malformed === undefined) malformed = `${buf.length - off} bytes no request asked for`;
    };
    sock.on('connect', sendNext);
    sock.on('data', (d: Buffer) => ((buf = buf.length === 0 ? d : Buffer.concat([buf, d])), read()));
    sock.on('error', () => undefined);
    sock.on('close', () => ((closed = true), read(), finish()));
  });
}

async function main(): Promise<number> {
  const o = runFlags('fuzz', { requests: 100_000, seconds: 600, seed: 1, concurrency: 48 }, USAGE);
  const say = (line: string): void => void (o.quiet || process.stderr.write(`fuzz: ${line}\n`));
  const findings: (Finding & { input?: string })[] = [];
  const live = new Map<string, Buffer>();
  const onFinding = (f: Finding): void => void findings.push({ ...f, ...(f.id !== undefined && live.has(f.id) && { input: JSON.stringify(live.get(f.id)!.toString('latin1')) }) });
  const up = await startUpstreams([
    { prefix: '/public' }, { prefix: '/api' }, { prefix: '/api/v1', host: 'fuzz.test' },
    { prefix: '/retry', fail: 0.3, lines: ['retry: { attempts: 2, backoffMs: 5, on: [connect-error, reset, timeout, 502, 503, 504] }', 'breaker: { consecutiveFailures: 5, halfOpenAfterMs: 500 }'] },
  ], [`headersTimeoutMs: ${TIMEOUT_MS}`, `requestTimeoutMs: ${2 * TIMEOUT_MS}`, `keepAliveTimeoutMs: ${TIMEOUT_MS}`, 'maxBufferBytes: 65536'], onFinding);
  const yaml = up.yaml + `defaults:\n  timeoutMs: ${TIMEOUT_MS}\n  idleTimeoutMs: ${TIMEOUT_MS}\n`;
  const stack = await startProxy('fuzz', yaml, say);
  onSignals((sig, status) => (process.stderr.write(`\nfuzz: ${sig}, stopping\n`), stack.killNow(), process.exit(status)));
  say(`proxy ${stack.proxyUrl} (admin ${stack.adminUrl}); seed ${o.seed}, ${o.requests} requests, at most ${o.seconds} s, ${o.concurrency} connections at a time`);
  const port = Number(new URL(stack.proxyUrl).port);
  const r = seededRandom(o.seed);
  const [byStatus, started, stopAt] = [new Map<string, number>(), Date.now(), Date.now() + o.seconds * 1000];
  const bad: { what: string; detail: string; input: string }[] = [];
  let [generated, sent, cases, ids, down] = [0, 0, 0, 0, undefined as string | undefined];
  let [malformed, hangs, lastProbe, lastSay] = [0, 0, Date.now(), Date.now()];
  const worker = async (): Promise<void> => {
    while (generated < o.requests && Date.now() < stopAt && down === undefined) {
      const c = fuzzCase(r, cases++, () => ids++);
      generated += c.requests.length;
      for (const q of c.requests) live.set(/X-Fuzz-Id: (\d+)/.exec(q.bytes.toString('latin1'))?.[1] ?? '', q.bytes);
      const out = await runCase(port, c);
      for (const q of c.requests) live.delete(/X-Fuzz-Id: (\d+)/.exec(q.bytes.toString('latin1'))?.[1] ?? '');
      sent += out.sent;
      out.statuses.slice(0, out.sent).forEach((s) => countInto(byStatus, String(s)));
      const input = JSON.stringify(Buffer.concat(c.requests.map((q) => q.bytes)).toString('latin1').slice(0, 700));
      if (out.malformed !== undefined) (malformed++, bad.push({ what: 'malformed', detail: out.malformed, input }));
      if (out.hang) (hangs++, bad.push({ what: 'hang', detail: `open ${HANG_MS} ms after the last write; statuses ${out.statuses.join(',')}`, input }));
      if (Date.now() - lastProbe > 5000 || (out.statuses.includes('none') && !stack.proxyRunning())) {
        lastProbe = Date.now();
        down = await proxyDown(stack);
        if (down !== undefined) bad.push({ what: 'crash', detail: 'the proxy died during this connection (or one beside it)', input });
      }
      if (Date.now() - lastSay > 10_000) (lastSay = Date.now(), say(`${sent} requests sent, ${malformed} malformed, ${hangs} hangs, ${findings.length} upstream findings`));
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  const seconds = (Date.now() - started) / 1000;
  down ??= await proxyDown(stack);
  const proxyExit = await stack.stop();
  await Promise.all(up.echoes.map((e) => e.close()));
  const by = (what: string): number => findings.filter((f) => f.what === what).length;
  const escapes = by('escape');
  const other = findings.length - escapes;
  const out = [
    `fuzz: seed ${o.seed}, ${cases} connections, ${sent} requests sent (${generated} generated) in ${seconds.toFixed(1)} s, ${Math.round(sent / seconds)} req/s`,
    `  by status: ${[...byStatus].sort().map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `  upstreams received: ${up.echoes.map((e) => `${e.prefix} ${e.received}`).join(', ')}`,
    `  crashes ${down === undefined ? 0 : 1}${down === undefined ? '' : ` (${down})`}, malformed ${malformed}, hangs ${hangs}, escapes ${escapes}, upstream leaks/parse errors ${other}`,
    `  proxy ${proxyExit}`,
    // The first three of each kind of finding, with the bytes that provoked it.
    ...[...bad, ...findings.map((f) => ({ what: f.what, detail: `${f.route}: ${f.detail}`, input: f.input ?? '(input not kept)' }))]
      .filter((b, i, all) => all.slice(0, i).filter((x) => x.what === b.what).length < 3).map((b) => `  ${b.what}: ${b.detail}\n    input: ${b.input}`),
  ];
  const pass = down === undefined && malformed === 0 && hangs === 0 && findings.length === 0;
  process.stdout.write(out.join('\n') + `\n${pass ? 'PASS' : 'FAIL'}\n`);
  return pass ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => (process.stderr.write(`fuzz: ${err instanceof Error ? err.stack : String(err)}\n`), process.exit(1)),
);
