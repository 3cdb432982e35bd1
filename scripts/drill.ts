// npm run drill: the proof that /users survives its service dying under load. Loopback only,
// bounded (~15 s), stops by itself. Starts the demo's legacy monolith and users service and
// strangler in front (/users -> users with timeout, retry, breaker and fallback to the monolith),
// sends a steady GET load to the users API, SIGKILLs the users service at ~3 s, restarts it ~4 s
// later on the same port, and prints what the clients saw, the breaker's transitions and the
// latency. PASS: no client-visible error, and the breaker closes within halfOpenAfterMs + 1 s of
// the service's return. Exit 0 on PASS, 1 on FAIL or error, 2 on a usage error.
import { parseArgs } from 'node:util';
import { renderFaultSummary } from './drill/fault-report.js';
import { FAULT_DEFAULTS, runFaultDrill, type FaultDrillOptions } from './drill/fault-run.js';

const USAGE = `usage: node dist/scripts/drill.js [options]
  --clients C      concurrent keep-alive clients (default ${FAULT_DEFAULTS.clients})
  --rate R         target requests per second, all clients (default ${FAULT_DEFAULTS.rate})
  --duration MS    length of the load (default ${FAULT_DEFAULTS.durationMs})
  --kill-at MS     when the users service is SIGKILLed, since the load started (default ${FAULT_DEFAULTS.killAtMs})
  --down MS        how long it stays down before the restart (default ${FAULT_DEFAULTS.downMs})
  --pin            pin the proxy to its own CPU, the rest to another (taskset, 2+ CPUs)
  --quiet          no progress lines (stderr)
  -h, --help
environment: STRANGLER_BIN=/path/to/main.js drills another strangler build (default dist/src/main.js)`;

function int(flag: string, v: string | undefined, dflt: number, min: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`${flag} must be an integer >= ${min}, got ${v}`);
  return n;
}

function parse(argv: readonly string[]): FaultDrillOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      clients: { type: 'string' },
      rate: { type: 'string' },
      duration: { type: 'string' },
      'kill-at': { type: 'string' },
      down: { type: 'string' },
      pin: { type: 'boolean' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const clients = int('--clients', values.clients, FAULT_DEFAULTS.clients, 1);
  const rate = int('--rate', values.rate, FAULT_DEFAULTS.rate, clients);
  const killAtMs = int('--kill-at', values['kill-at'], FAULT_DEFAULTS.killAtMs, 100);
  const downMs = int('--down', values.down, FAULT_DEFAULTS.downMs, 0);
  const durationMs = int('--duration', values.duration, FAULT_DEFAULTS.durationMs, 1000);
  if (durationMs <= killAtMs + downMs) throw new Error(`--duration (${durationMs}) must be longer than --kill-at + --down (${killAtMs + downMs})`);
  const quiet = values.quiet === true;
  return {
    clients,
    rate,
    durationMs,
    killAtMs,
    downMs,
    pin: values.pin === true,
    say: (line) => {
      if (!quiet) process.stderr.write(`drill: ${line}\n`);
    },
  };
}

async function main(): Promise<number> {
  let opts: FaultDrillOptions;
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
  // The stack's exit hook SIGKILLs every child and removes the temp dir, whatever ends the process.
  for (const [sig, status] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    process.once(sig, () => {
      process.stderr.write(`\ndrill: ${sig}, stopping the stack and removing its temp directory\n`);
      process.exit(status);
    });
  }
  const { observations, verdict } = await runFaultDrill(opts);
  process.stdout.write('\n' + renderFaultSummary(observations, verdict));
  return verdict.pass ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`drill: ${err instanceof Error ? err.message : String(err)}\nFAIL: the drill could not run\n`);
    process.exit(1);
  },
);
