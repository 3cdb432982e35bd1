// npm run drill:reload: the proof that editing routes.yaml moves the proxy within a second,
// atomically, without dropping a request. Loopback only, bounded (~40 s), stops by itself.
// Two upstreams (blue, green), strangler in front, 32 keep-alive clients on GET /svc, and the
// routes file rewritten 100 times: /svc flips between blue and green, every 7th write is
// invalid, the file is replaced in place, by rename, and by ConfigMap-style symlink swaps.
// Prints the summary; exit 0 on PASS, 1 on FAIL, 2 on a usage error.
import { parseArgs } from 'node:util';
import { STRANGLER_MAIN } from './bench/strangler-target.js';
import { exitOnSignals } from './drill/reload-cleanup.js';
import { renderSummary } from './drill/reload-report.js';
import { DRILL_DEFAULTS, runDrill, type DrillOptions } from './drill/reload-run.js';

const USAGE = `usage: node dist/scripts/drill-reload.js [options]
  --rewrites N        writes of routes.yaml (default ${DRILL_DEFAULTS.rewrites})
  --invalid-every K   every Kth write is invalid, K >= 2 (default ${DRILL_DEFAULTS.invalidEvery})
  --clients C         concurrent keep-alive clients (default ${DRILL_DEFAULTS.clients})
  --min-gap MS        shortest pause between writes (default ${DRILL_DEFAULTS.minGapMs})
  --max-gap MS        longest pause between writes (default ${DRILL_DEFAULTS.maxGapMs})
  --seed S            seed of the pauses (default ${DRILL_DEFAULTS.seed})
  --no-pin            do not pin the proxy to its own CPU
  --quiet             no progress line per write (stderr)
  -h, --help
environment: BENCH_STRANGLER_MAIN=/path/to/main.js drills another strangler build (default dist/src/main.js)`;

function int(flag: string, v: string | undefined, dflt: number, min: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`${flag} must be an integer >= ${min}, got ${v}`);
  return n;
}

function parse(argv: readonly string[]): DrillOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      rewrites: { type: 'string' },
      'invalid-every': { type: 'string' },
      clients: { type: 'string' },
      'min-gap': { type: 'string' },
      'max-gap': { type: 'string' },
      seed: { type: 'string' },
      'no-pin': { type: 'boolean' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const minGapMs = int('--min-gap', values['min-gap'], DRILL_DEFAULTS.minGapMs, 1);
  const maxGapMs = int('--max-gap', values['max-gap'], Math.max(minGapMs, DRILL_DEFAULTS.maxGapMs), minGapMs);
  return {
    stranglerMain: STRANGLER_MAIN,
    rewrites: int('--rewrites', values.rewrites, DRILL_DEFAULTS.rewrites, 1),
    invalidEvery: int('--invalid-every', values['invalid-every'], DRILL_DEFAULTS.invalidEvery, 2),
    clients: int('--clients', values.clients, DRILL_DEFAULTS.clients, 1),
    minGapMs,
    maxGapMs,
    seed: int('--seed', values.seed, DRILL_DEFAULTS.seed, 0),
    pin: !values['no-pin'],
    ...(values.quiet ? {} : { log: (line: string) => process.stderr.write(`${line}\n`) }),
  };
}

async function main(): Promise<number> {
  let opts: DrillOptions;
  try {
    const parsed = parse(process.argv.slice(2));
    if (parsed === 'help') {
      console.log(USAGE);
      return 0;
    }
    opts = parsed;
  } catch (err) {
    process.stderr.write(`drill: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  exitOnSignals('drill');
  const summary = await runDrill(opts);
  process.stdout.write('\n' + renderSummary(summary, opts.maxSwitchMs ?? DRILL_DEFAULTS.maxSwitchMs));
  return summary.pass ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`drill: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
