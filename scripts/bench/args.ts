// Command-line flags of `npm run bench`.
import { parseArgs } from 'node:util';

/** The flags (USAGE); closedLoop, fixedRate and cpu: which sections run. */
export type BenchOptions = Exclude<ReturnType<typeof parseBenchArgs>, 'help'>;

export const USAGE = `usage: node dist/scripts/bench.js [options]
  --duration S        seconds measured per run (default 5)
  --warmup S          seconds of warm-up load before each measured run (default 1; 0 = none)
  --rounds N          rounds; targets are interleaved within each round (default 3)
  --connections C     concurrent connections (default 64)
  --only NAME         one body size: small | large
  --targets a,b,c     subset of: direct, bare, strangler, strangler-w2 (--workers 2; closed loop
                      unpinned), strangler-policies, nginx, express, fastify,
                      strangler-w2-2x (2 workers at twice the rate), strangler-ratelimit, strangler-jwt,
                      strangler-forward-auth, strangler-trace-1, strangler-trace-001 (tracing at
                      sampleRatio 1.0 / 0.01), strangler-record (record at 100%), strangler-aa (the
                      plain strangler again: an A/A control of the noise), strangler-https,
                      strangler-h2, nginx-https, nginx-h2, bare-h2 (node:http2's stream API over TLS +
                      undici, no features: HTTP/2's floor) (the last thirteen: CPU section only)
  --json FILE         also write the results as JSON to FILE
  --load TOOL         wrk | autocannon (default: wrk when installed)
  --no-pin            do not pin processes to CPUs
  --log-to null|pipe  strangler's access log (stdout): /dev/null (default), or a pipe this process
                      reads, as a container's log pipe is
fixed-rate section (open loop: strangler without shadow, with shadow 100%, with shadow 100% to a 2 s upstream):
  --rate R            requests per second (default 2000)
  --rate-duration S   seconds measured per run (default 12; after --warmup seconds at the same rate)
  --rate-rounds N     rounds of the fixed-rate section (default 5: a p99 needs more samples than a
                      median, and the bar is 10%)
  --only-rate         run only the fixed-rate section (--only, --targets and --load do not apply to it)
  --no-rate           skip the fixed-rate section
CPU-per-request section (open loop, small body: bare, strangler, strangler + retry/breaker,
strangler + local rate limit, + JWT, + forward auth (cache hit), nginx, fastify,
and HTTPS/1.1 and HTTP/2 over TLS through strangler and nginx with the same certificate):
  --cpu-rate R        requests per second, below every target's saturation (default 3000)
  --cpu-duration S    seconds measured per run (default 8; after --warmup seconds at the same rate)
  --cpu-rounds N      rounds (default 3)
  --only-cpu          run only this section (--targets narrows its rows)
  --no-cpu            skip it
paired section (two strangler processes loaded together at --cpu-rate each, the feature on
in one of them, then in the other: tracing at 0, 0.01 and 1.0, record at 100%, an A/A control;
and the ratio rows: strangler, and strangler + retry/breaker, with the bare forwarder, and
strangler over HTTPS/1.1 and HTTP/2 with plain strangler, each pair loaded together;
and, without a bar, the bare HTTP/2 forwarder with plain strangler: the floor under the HTTP/2 bar):
  --paired-cycles N   windows per feature, measured in both processes at once (default 24)
  --paired-window-ms M  milliseconds measured per feature window (default 1000; each after 300 ms at the rate)
  --ratio-window-ms M   milliseconds measured per ratio row window (default 6000: over 1 s windows
                      a generator on a slow machine fell behind and the rows read half the CPU)
  --paired-rows a,b   subset of: aa, trace-0, trace-001, trace-1, record, ratios (default: all)
  --only-paired       run only this section
  --no-paired         skip it
  (--connections, --warmup, --json and --no-pin apply to every section)
  -h, --help
environment: BENCH_STRANGLER_MAIN=/path/to/main.js benches another strangler build (default dist/src/main.js)`;

/** The ratio rows' window: over 1 s windows a load generator on a slow machine fell behind the
 *  rate in every window, and the rows read about half the CPU per request they read over 6 s. */
const RATIO_WINDOW_MS = 6000;

function positiveInt(flag: string, v: string | undefined, dflt: number, min = 1): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`${flag} must be an integer >= ${min}, got ${v}`);
  return n;
}

const STRINGS = ['duration', 'warmup', 'rounds', 'connections', 'only', 'targets', 'json', 'load', 'rate', 'rate-duration', 'rate-rounds',
  'cpu-rate', 'cpu-duration', 'cpu-rounds', 'paired-cycles', 'paired-window-ms', 'ratio-window-ms', 'paired-rows', 'log-to'] as const;
const BOOLEANS = ['no-pin', 'only-rate', 'no-rate', 'only-cpu', 'no-cpu', 'only-paired', 'no-paired'] as const;

export function parseBenchArgs(argv: readonly string[]) {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      ...(Object.fromEntries(STRINGS.map((k) => [k, { type: 'string' }])) as Record<(typeof STRINGS)[number], { type: 'string' }>),
      ...(Object.fromEntries(BOOLEANS.map((k) => [k, { type: 'boolean' }])) as Record<(typeof BOOLEANS)[number], { type: 'boolean' }>),
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  if (values.load !== undefined && values.load !== 'wrk' && values.load !== 'autocannon') {
    throw new Error(`--load must be wrk or autocannon, got ${values.load}`);
  }
  if (values['log-to'] !== undefined && values['log-to'] !== 'null' && values['log-to'] !== 'pipe') {
    throw new Error(`--log-to must be null or pipe, got ${values['log-to']}`);
  }
  const only = (['only-rate', 'only-cpu', 'only-paired'] as const).filter((k) => values[k]);
  if (only.length > 1) throw new Error('--only-rate, --only-cpu and --only-paired exclude each other');
  if ((values['only-rate'] && values['no-rate']) || (values['only-cpu'] && values['no-cpu']) || (values['only-paired'] && values['no-paired'])) {
    throw new Error('--only-X and --no-X exclude each other');
  }
  return {
    durationS: positiveInt('--duration', values.duration, 5),
    warmupS: positiveInt('--warmup', values.warmup, 1, 0),
    rounds: positiveInt('--rounds', values.rounds, 3),
    connections: positiveInt('--connections', values.connections, 64),
    pin: !values['no-pin'],
    logTo: (values['log-to'] ?? 'null') as 'null' | 'pipe',
    rate: positiveInt('--rate', values.rate, 2000),
    rateDurationS: positiveInt('--rate-duration', values['rate-duration'], 12),
    rateRounds: positiveInt('--rate-rounds', values['rate-rounds'], 5),
    cpuRate: positiveInt('--cpu-rate', values['cpu-rate'], 3000),
    cpuDurationS: positiveInt('--cpu-duration', values['cpu-duration'], 8),
    cpuRounds: positiveInt('--cpu-rounds', values['cpu-rounds'], 3),
    closedLoop: only.length === 0,
    pairedCycles: positiveInt('--paired-cycles', values['paired-cycles'], 24),
    ...(values['paired-rows'] !== undefined ? { pairedRows: values['paired-rows'].split(',').map((s) => s.trim()).filter(Boolean) } : {}),
    pairedWindowMs: positiveInt('--paired-window-ms', values['paired-window-ms'], 1000, 100),
    ratioWindowMs: positiveInt('--ratio-window-ms', values['ratio-window-ms'], RATIO_WINDOW_MS, 100),
    fixedRate: !values['no-rate'] && only.length === 0 || values['only-rate'] === true,
    cpu: !values['no-cpu'] && only.length === 0 || values['only-cpu'] === true,
    paired: !values['no-paired'] && only.length === 0 || values['only-paired'] === true,
    ...(values.only !== undefined ? { only: values.only } : {}),
    ...(values.targets !== undefined ? { targets: values.targets.split(',').map((s) => s.trim()).filter(Boolean) } : {}),
    ...(values.json !== undefined ? { json: values.json } : {}),
    ...(values.load !== undefined ? { load: values.load as 'wrk' | 'autocannon' } : {}),
  };
}
