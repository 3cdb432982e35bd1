// npm run bench: strangler against the upstream directly, nginx, express + http-proxy-middleware
// and @fastify/http-proxy, same load for each, medians across interleaved rounds (closed loop);
// then strangler at a fixed request rate without and with shadow traffic (open loop); then CPU
// per request at a fixed rate for bare, strangler (plain, with policies, with a local rate limit),
// nginx and fastify, and strangler and nginx over HTTPS/1.1 and HTTP/2 with the same certificate.
// Flags: node dist/scripts/bench.js --help
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBenchArgs, USAGE, type BenchOptions } from './bench/args.js';
import { runCpuSection, type CpuSection } from './bench/rate.js';
import { PAIRED_FEATURES, renderPaired, SETTLE_MS, SWITCH_S, runPairedSection, type PairedSection } from './bench/paired.js';
import { pairedRatioChecks, ratioPairSeconds, RATIO_PAIRS, RATIO_WINDOWS, renderPairedRatios, runPairedRatios } from './bench/paired-ratio.js';
import { OPEN_LOOP_NAME, pickLoadRunner } from './bench/load.js';
import { renderReport, reportJson, type BenchReport } from './bench/report.js';
import { runRateSection, SLOW_SHADOW_DELAY_MS, type RateSection } from './bench/rate.js';
import { MEASURED_PREFIX, SCENARIOS } from './bench/routes.js';
import { runRounds } from './bench/runner.js';
import { BARE_KEY, FASTIFY_KEY, NGINX_KEY, nginxVersion, RATELIMIT_KEY, startNodeProgram, STRANGLER_KEY, TARGETS, WORKERS_KEY, type BenchContext } from './bench/targets.js';
import { hasCommand, idleCheck, planPinning } from './lib/cpu.js';
import { TestPki } from './lib/pki.js';
import { killNow, onSignals, stopAll } from './lib/procs.js';

const require = createRequire(import.meta.url);
function version(pkg: string): string {
  try { return (require(`${pkg}/package.json`) as { version: string }).version; } catch { return '?'; }
}

/** The paired section's key for its ratio rows (paired-ratio.ts), beside the features' keys. */
const RATIOS_KEY = 'ratios';

function pairedFeatures(opts: BenchOptions): typeof PAIRED_FEATURES {
  if (opts.pairedRows === undefined) return PAIRED_FEATURES;
  const known = [...PAIRED_FEATURES.map((f) => f.key), RATIOS_KEY];
  const unknown = opts.pairedRows.filter((k) => !known.includes(k));
  if (unknown.length) throw new Error(`--paired-rows: unknown ${unknown.join(', ')} (known: ${known.join(', ')})`);
  return PAIRED_FEATURES.filter((f) => opts.pairedRows!.includes(f.key));
}

function select(opts: BenchOptions) {
  const scenarios = opts.only ? SCENARIOS.filter((s) => s.name === opts.only) : SCENARIOS;
  if (scenarios.length === 0) throw new Error(`--only: unknown size ${opts.only} (${SCENARIOS.map((s) => s.name).join(', ')})`);
  const keys = opts.targets ?? TARGETS.map((t) => t.key);
  const unknown = keys.filter((k) => !TARGETS.some((t) => t.key === k));
  if (unknown.length) throw new Error(`--targets: unknown ${unknown.join(', ')} (known: ${TARGETS.map((t) => t.key).join(', ')})`);
  const cpuKeys = [BARE_KEY, STRANGLER_KEY, WORKERS_KEY, 'strangler-policies', RATELIMIT_KEY, NGINX_KEY, FASTIFY_KEY, ...TARGETS.filter((t) => t.cpuOnly).map((t) => t.key)];
  return {
    scenarios,
    features: pairedFeatures(opts),
    ratios: opts.paired && (opts.pairedRows === undefined || opts.pairedRows.includes(RATIOS_KEY)),
    targets: TARGETS.filter((t) => keys.includes(t.key) && !t.cpuOnly),
    cpuTargets: TARGETS.filter((t) => cpuKeys.includes(t.key) && keys.includes(t.key)),
  };
}

/** The TLS rows' certificate for 127.0.0.1, from a private CA made here (null without openssl). */
function benchCertificate(tmpDir: string): BenchContext['tls'] {
  if (!hasCommand('openssl')) return null;
  const dir = join(tmpDir, 'pki');
  mkdirSync(dir);
  const pki = new TestPki('strangler bench CA', dir);
  const leaf = pki.issue({ names: ['127.0.0.1', 'localhost'] });
  return { certFile: leaf.certFile, keyFile: leaf.keyFile, caFile: pki.caFile };
}

/** Other work on the machine makes the numbers noisy: measure it for 1 s before starting, and say so. */
async function machineLine(): Promise<string> {
  const { parts, idle } = await idleCheck(1000);
  const text = `busy before the run (1 s): ${parts || '?'}; loadavg ${loadavg().map((x) => x.toFixed(2)).join(' ')}`;
  if (idle) return text;
  process.stderr.write(`bench: warning: the machine is not idle (${parts}): expect noisy numbers\n`);
  return text + '  (NOT idle: expect noise)';
}

async function main(): Promise<number> {
  let opts: BenchOptions;
  let chosen: ReturnType<typeof select>;
  try {
    const parsed = parseBenchArgs(process.argv.slice(2));
    if (parsed === 'help') { console.log(USAGE); return 0; }
    opts = parsed;
    chosen = select(opts);
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { scenarios, targets, cpuTargets, features, ratios } = chosen;
  const tmpDir = mkdtempSync(join(tmpdir(), 'strangler-bench-'));
  // On SIGINT/SIGTERM/SIGHUP: stop the children, remove the temp dir, exit 130/143/129.
  onSignals((sig, status) => {
    rmSync(tmpDir, { recursive: true, force: true });
    process.stderr.write(`\nbench: ${sig}, stopping child processes...\n`);
    const hard = setTimeout(() => (killNow(), process.exit(status)), 4000);
    void stopAll(undefined, 3000).finally(() => (clearTimeout(hard), process.exit(status)));
  });
  try {
    const idle = await machineLine();                // before pinning narrows our own cpu list
    const pinning = planPinning(opts.pin);
    const load = opts.closedLoop ? pickLoadRunner(opts.load) : undefined;
    const readyPath = `${MEASURED_PREFIX}/small`;
    const bootCtx = { upstreamUrl: '', pinning, tmpDir, readyPath, tls: benchCertificate(tmpDir), logTo: opts.logTo };
    const upstream = await startNodeProgram('upstream', 'upstream-server.js', [], pinning.loadCpu, bootCtx, readyPath);
    const ctx: BenchContext = { ...bootCtx, upstreamUrl: upstream.url };
    const perRun = opts.warmupS + opts.durationS;
    const closedS = opts.closedLoop ? targets.length * scenarios.length * opts.rounds * perRun : 0;
    const rateS = opts.fixedRate ? 3 * opts.rateRounds * (opts.warmupS + opts.rateDurationS + 1) : 0;
    const cpuS = opts.cpu ? cpuTargets.length * opts.cpuRounds * (opts.warmupS + opts.cpuDurationS + 1) : 0;
    const pairedS = opts.paired ? (features.length * (opts.pairedCycles * (opts.pairedWindowMs + SETTLE_MS + 700) + 2 * SWITCH_S * 1000 + 2000)) / 1000 : 0;
    const ratioOpts = { rate: opts.cpuRate, windowMs: opts.ratioWindowMs, windows: RATIO_WINDOWS, connections: opts.connections };
    const ratiosS = ratios ? RATIO_PAIRS.reduce((sum, p) => sum + ratioPairSeconds(p, ratioOpts), 0) : 0;
    process.stderr.write(`bench: ${opts.closedLoop ? `${targets.length} targets x ${scenarios.length} sizes x ${opts.rounds} rounds x ${perRun} s` : 'no closed-loop runs'}` +
      `${opts.fixedRate ? ` + fixed rate: 3 rows x ${opts.rateRounds} rounds x ${opts.warmupS + opts.rateDurationS} s` : ''}` +
      `${opts.cpu ? ` + cpu: ${cpuTargets.length} rows x ${opts.cpuRounds} rounds x ${opts.warmupS + opts.cpuDurationS} s` : ''}` +
      `${opts.paired ? ` + paired: ${features.length} features x ${opts.pairedCycles} windows x ${opts.pairedWindowMs} ms` : ''}` +
      `${ratios ? ` + ${RATIO_PAIRS.length} paired ratios x ${RATIO_WINDOWS} windows` : ''}` +
      ` ~ ${Math.ceil((closedS + rateS + cpuS + pairedS + ratiosS) / 60)} min + start-up\n`);
    const startedAt = new Date();
    const results = load ? await runRounds(opts, targets, scenarios, ctx, load) : [];
    let rate: RateSection | undefined;
    if (opts.fixedRate) {
      rate = await runRateSection({
        rate: opts.rate, durationS: opts.rateDurationS, warmupS: opts.warmupS, rounds: opts.rateRounds, connections: opts.connections,
      }, ctx);
    }
    const cpu: CpuSection | undefined = opts.cpu ? await runCpuSection({
      rate: opts.cpuRate, durationS: opts.cpuDurationS, warmupS: opts.warmupS, rounds: opts.cpuRounds, connections: opts.connections,
    }, cpuTargets, ctx) : undefined;
    const paired: PairedSection | undefined = opts.paired
      ? await runPairedSection({ rate: opts.cpuRate, windowMs: opts.pairedWindowMs, cycles: opts.pairedCycles, connections: opts.connections }, ctx, features)
      : undefined;
    const ratioRows = ratios ? await runPairedRatios(ratioOpts, ctx) : undefined;
    await upstream.stop();
    const nginx = nginxVersion();
    const report: BenchReport = {
      header: [
        ['date', startedAt.toISOString()],
        ['node', `${process.version} (${process.platform} ${release()}, ${cpus().length} cpus: ${cpus()[0]?.model.trim() ?? '?'})`],
        ...(load ? [
          ['load tool', load.name],
          ['connections', String(opts.connections)],
          ['duration', `${opts.durationS} s measured per run, after ${opts.warmupS} s of warm-up load`],
        ] as const : []),
        ...(rate ? [
          ['fixed rate', `${opts.rate} req/s, ${opts.rateRounds} rounds, ${opts.rateDurationS} s measured per run after ${opts.warmupS} s at the same rate, ` +
            `up to ${opts.connections} connections; ${OPEN_LOOP_NAME}`],
        ] as const : []),
        ...(cpu ? [['cpu per request', `${opts.cpuRate} req/s, ${opts.cpuRounds} rounds, ${opts.cpuDurationS} s measured per run after ${opts.warmupS} s; same generator`]] as const : []),
        ...(cpu ? [['tls rows', 'one ECDSA P-256 certificate from a private CA, TLS 1.2+ (1.3 negotiated), keep-alive: handshakes amortised; HTTP/2 rows: the generator uses node:http2 sessions (one per connection), many streams each; nginx: ssl + http2 on the listen line']] as const : []),
        ...(load ? [['rounds', `${opts.rounds}; targets interleaved, order rotated each round, each target restarted each round; medians across rounds`]] as const : []),
        ['pinning', pinning.description],
        ['machine', idle],
        ['upstream', 'node:http, keep-alive, precomputed bodies, content-length set'],
        ['routes', `same 6-prefix table over 2 upstream names in every proxy; measured: ${MEASURED_PREFIX}/* rewritten to /users/*`],
        ...([...(load ? targets : []), ...(cpu ? cpuTargets : [])].some((t) => t.key === WORKERS_KEY) ? [
          ['workers', `strangler --workers 2 (node:cluster, ${cpus().length} cpus here): ${load ? 'closed loop UNPINNED (on every cpu, shared with the load generator and the upstream ' +
            'pinned to one of them): 2 workers pinned to the proxy\'s one cpu could not serve more req/s than 1, and unpinned they compete with the load, so ' +
            `its req/s vs the pinned 1-worker row is bounded by the machine, not the proxy${cpu ? '; ' : ''}` : ''}${cpu ? 'CPU section pinned like the other rows (CPU per ' +
            'request needs no second core); CPU: the process group, primary + workers; each worker serves half the rate, and one process\'s CPU ' +
            'per request rises as its rate falls (fewer requests per event-loop turn): compare with --cpu-rate at half the rate for 1 worker' : ''}`],
        ] as const : []),
        ['strangler', `LOG_LEVEL=info: JSON access log on stdout -> ${opts.logTo === 'pipe' ? 'a pipe the bench drains (--log-to pipe)' : '/dev/null (fd)'}, metrics on (checked at stop); defaults.timeoutMs 15000; upstream pool: its defaults`],
        ...(load || cpu ? [
          ['nginx', nginx ? `${nginx}: 1 worker, access_log on (combined, to /dev/null, buffer=4k, as strangler writes 4 KiB chunks to a pipe, 16 KiB to /dev/null), upstream keepalive 64, HTTP/1.1, proxy_buffers 8 x 16k` : 'not installed'],
          ['express', `express ${version('express')} + http-proxy-middleware ${version('http-proxy-middleware')}, keep-alive agent (maxSockets 128), no logging`],
          ['fastify', `fastify ${version('fastify')} + @fastify/http-proxy ${version('@fastify/http-proxy')}, logger off, undici pool defaults`],
        ] as const : []),
      ],
      results,
      ...(rate ? { rate } : {}),
      ...(cpu ? { cpu } : {}),
    };
    process.stdout.write('\n' + renderReport(report) + (paired ? '\n' + renderPaired(paired) : '') +
      (ratioRows ? `\n${renderPairedRatios(ratioRows, ratioOpts)}\n${pairedRatioChecks(ratioRows).map((c) => c.line).join('\n')}\n` : ''));
    if (opts.json) {
      const pairedRatios = ratioRows ? { rows: ratioRows, barChecks: pairedRatioChecks(ratioRows) } : undefined;
      writeFileSync(opts.json, JSON.stringify({ ...(reportJson(report) as object), ...(paired ? { paired } : {}), ...(pairedRatios ? { pairedRatios } : {}) }, null, 2) + '\n');
      process.stderr.write(`bench: results written to ${opts.json}\n`);
    }
    return 0;
  } finally {
    await stopAll(undefined, 3000);
    rmSync(tmpDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
