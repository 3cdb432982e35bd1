// Child program: an open-loop (fixed-rate) load generator, wrk2-style. Request i is due at
// start + i / rate whatever happened to the earlier ones; its latency is measured from that
// SCHEDULED time, not from when it was actually sent, so a stall of the target (or a request
// queued behind busy connections) counts in full instead of quietly lowering the send rate
// (coordinated omission). One undici Pool of up to C keep-alive connections; a request that
// finds them all busy waits in the pool's queue, and that wait counts too. With --h2: C node:http2
// sessions taking the requests in turn, at most C streams open in all, the rest waiting likewise
// (h2-sender.ts says why not undici, and why the bound).
// Usage: node open-loop.js --url URL --rate R --duration S --warmup W --connections C
//          --start-at EPOCH_MS --expect-bytes N [--timeout-ms T] [--ca FILE] [--h2]
// (https: --ca trusts that CA; --h2 speaks HTTP/2 over C connections)
// Prints one JSON object (OpenLoopOutput) on stdout. Requests due during the first W seconds
// are sent and answered like the others but left out of the numbers.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { H2Sender } from './h2-sender.js';
import { percentile } from '../lib/stats.js';
import { argValue, exitWithParent } from './parent-watch.js';

/** scheduled: requests due in the measured window; answered: of those, with a complete answer (any
 *  status); achievedRps: answered / time from window start to the last answer; ok: 2xx with the
 *  expected body size (wrongBody: another size); errors: socket errors; timeouts: no answer within
 *  timeout-ms of the scheduled time; lag: how late the generator itself sent (timer + event loop);
 *  latenciesUs: scheduled time to the end of the body, answered requests, sorted. */
export interface OpenLoopOutput {
  readonly rate: number;
  readonly durationS: number;
  readonly scheduled: number;
  readonly answered: number;
  readonly achievedRps: number;
  readonly ok: number;
  readonly non2xx: number;
  readonly wrongBody: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly lagP99Ms: number;
  readonly latenciesUs: readonly number[];
  /** What the failed answers were, by kind (an error's code or message, `timeout`, `status 502`,
   *  `wrong body`), with how many of each: at most 5 kinds, the rest as `other`. */
  readonly failures: Readonly<Record<string, number>>;
}

const url = new URL(argValue('--url'));
const rate = Number(argValue('--rate'));
const durationS = Number(argValue('--duration'));
const warmupS = Number(argValue('--warmup'));
const connections = Number(argValue('--connections'));
const startAt = Number(argValue('--start-at'));           // wall clock (Date.now()) of the first request
const expectBytes = Number(argValue('--expect-bytes'));
const timeoutIdx = process.argv.indexOf('--timeout-ms');
const timeoutMs = timeoutIdx >= 0 ? Number(process.argv[timeoutIdx + 1]) : 10_000;
const caIdx = process.argv.indexOf('--ca');
const h2 = process.argv.includes('--h2');
/** `--header name:value`, repeatable: sent with every request (a route's credentials). */
const extraHeaders: Record<string, string> = {};
process.argv.forEach((a, i) => {
  if (a !== '--header') return;
  const h = process.argv[i + 1]!;
  extraHeaders[h.slice(0, h.indexOf(':'))] = h.slice(h.indexOf(':') + 1);
});
exitWithParent();

const intervalMs = 1000 / rate;
const warmupN = Math.round(rate * warmupS);
const measuredN = Math.round(rate * durationS);
const totalN = warmupN + measuredN;
const path = url.pathname + url.search;
const HEADERS = { host: url.host, ...extraHeaders };
const TIMEOUT = new Error('timeout');

const ca = caIdx >= 0 ? readFileSync(process.argv[caIdx + 1]!) : undefined;
const pool = h2 ? null : new Pool(url.origin, {
  connections,
  pipelining: 1,
  keepAliveTimeout: 60_000,
  headersTimeout: timeoutMs,
  bodyTimeout: timeoutMs,
  ...(ca ? { connect: { ca } } : {}),
});
const h2Sender = h2 ? new H2Sender(url.origin, path, connections, HEADERS, ca) : null;

// Per measured request: latency in us (NaN: no answer), and the generator's own lag.
const latency = new Float64Array(measuredN).fill(Number.NaN);
const lag = new Float64Array(measuredN);
let answered = 0, ok = 0, non2xx = 0, wrongBody = 0, errors = 0, timeouts = 0;
const failures: Record<string, number> = {};
function failed(kind: string): void {
  const k = kind in failures || Object.keys(failures).length < 5 ? kind : 'other';
  failures[k] = (failures[k] ?? 0) + 1;
}
let lastAnswerAt = 0;
let outstanding = 0;
let allSent: () => void;
const sentAll = new Promise<void>((r) => { allSent = r; });
let drained: () => void = () => {};

// performance.now() of the scheduled start: the wall-clock start mapped onto the monotonic clock.
const t0 = performance.now() + Math.max(0, startAt - Date.now());
const windowStart = t0 + warmupN * intervalMs;

function fire(i: number, due: number): void {
  const m = i - warmupN;                // < 0: warm-up
  if (m >= 0) lag[m] = performance.now() - due;
  outstanding++;
  let status = 0;
  let bytes = 0;
  let settled = false;
  let abort: ((err: Error) => void) | undefined;
  const finish = (err: Error | null): void => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    if (m >= 0) {
      if (err === null) {
        answered++;
        lastAnswerAt = performance.now();
        latency[m] = (lastAnswerAt - due) * 1000;
        if (status < 200 || status > 299) non2xx++, failed(`status ${status}`);
        else if (bytes !== expectBytes) wrongBody++, failed('wrong body');
        else ok++;
      } else if (err === TIMEOUT || (err as { code?: string }).code?.includes('TIMEOUT')) timeouts++, failed('timeout');
      else errors++, failed((err as { code?: string }).code ?? err.message.slice(0, 60));
    }
    if (--outstanding === 0) drained();
  };
  // Bound the whole request (queue wait included) from its scheduled time.
  const timer = setTimeout(() => { abort?.(TIMEOUT); finish(TIMEOUT); }, Math.max(1, due + timeoutMs - performance.now()));
  if (h2Sender !== null) {
    abort = h2Sender.send({ head: (st) => { status = st; }, data: (n) => { bytes += n; }, done: finish });
    return;
  }
  // The raw dispatch API: no stream object per answer, so the generator stays cheap on the load core.
  pool!.dispatch({ method: 'GET', path, headers: HEADERS }, {
    onConnect(a: (err: Error) => void) { abort = a; },
    onHeaders(statusCode: number) { status = statusCode; return true; },
    onData(chunk: Buffer) { bytes += chunk.length; return true; },
    onComplete() { finish(null); },
    onError(err: Error) { finish(err); },
  });
}

let next = 0;
function tick(): void {
  const now = performance.now();
  while (next < totalN) {
    const due = t0 + next * intervalMs;
    if (due > now) break;
    fire(next, due);
    next++;
  }
  if (next < totalN) setTimeout(tick, Math.max(0, t0 + next * intervalMs - performance.now()));
  else allSent();
}

async function main(): Promise<void> {
  setTimeout(tick, Math.max(0, t0 - performance.now()));
  await sentAll;
  if (outstanding > 0) await new Promise<void>((r) => { drained = r; });
  await pool?.destroy().catch(() => {});   // everything measured is in; a timed-out request may still sit in its queue
  h2Sender?.close();
  const lat = Float64Array.from(latency.filter((x) => !Number.isNaN(x))).sort();
  const lags = Float64Array.from(lag).sort();
  const out: OpenLoopOutput = {
    rate, durationS, scheduled: measuredN, answered,
    achievedRps: answered > 0 && lastAnswerAt > windowStart ? (answered * 1000) / (lastAnswerAt - windowStart) : 0,
    ok, non2xx, wrongBody, errors, timeouts,
    lagP99Ms: percentile(lags, 99),
    latenciesUs: Array.from(lat, (x) => Math.round(x)),
    failures,
  };
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`open-loop: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
