// npm run drill: the proof that /users survives its service dying under load, and that a canary
// of it is halted when it goes bad. Loopback only, bounded (~15 s + ~10 s), stops by itself.
//
// Scenario "fault": the demo's legacy monolith and users service and strangler in front (/users
// -> users with timeout, retry, breaker and fallback to the monolith), a steady GET load to the
// users API, the users service SIGKILLed at ~3 s and restarted ~4 s later on the same port; prints
// what the clients saw, the breaker's transitions and the latency. PASS: no client-visible error,
// and the breaker closes within halfOpenAfterMs + 1 s of the service's return.
//
// Scenario "canary": /users on the monolith with a sticky 20 % canary (x-user-id) to "users", a
// stand-in in the drill process in front of the real users service; the stand-in starts answering
// 500 at ~3 s. Prints the requests per side before and after, the halt's time after the flip, the
// canary failures before it, its reason, and the canary traffic after it. PASS: the canary halts
// within halt.windowMs of the flip, no request reaches the canary after the halt, and the primary
// (the monolith) answers every request as expected.
//
// --scenario all (the default) runs fault, then canary, each with its own stack. Exit 0 when every
// scenario run passes, 1 on FAIL or error, 2 on a usage error.
import { parseArgs } from 'node:util';
import { renderCanarySummary } from './drill/canary-report.js';
import { CANARY_DEFAULTS, runCanaryDrill, type CanaryDrillOptions } from './drill/canary-run.js';
import { renderFaultSummary } from './drill/fault-report.js';
import { FAULT_DEFAULTS, runFaultDrill, type FaultDrillOptions } from './drill/fault-run.js';

const SCENARIOS = ['fault', 'canary', 'all'] as const;
type Scenario = (typeof SCENARIOS)[number];

const USAGE = `usage: node dist/scripts/drill.js [options]
  --scenario S     fault, canary or all: fault then canary (default all)
 both scenarios:
  --clients C      concurrent keep-alive clients (default ${FAULT_DEFAULTS.clients} fault, ${CANARY_DEFAULTS.clients} canary)
  --rate R         target requests per second, all clients (default ${FAULT_DEFAULTS.rate} fault, ${CANARY_DEFAULTS.rate} canary)
  --pin            pin the proxy to its own CPU, the rest to another (taskset, 2+ CPUs)
  --quiet          no progress lines (stderr)
 fault:
  --duration MS    length of the load (default ${FAULT_DEFAULTS.durationMs})
  --kill-at MS     when the users service is SIGKILLed, since the load started (default ${FAULT_DEFAULTS.killAtMs})
  --down MS        how long it stays down before the restart (default ${FAULT_DEFAULTS.downMs})
 canary:
  --canary-duration MS  shortest length of the load (default ${CANARY_DEFAULTS.durationMs}); it goes on at least
                        ${CANARY_DEFAULTS.afterHaltMs} ms after the halt
  --flip-at MS     when the canary's stand-in starts answering 500, since the load started (default ${CANARY_DEFAULTS.flipAtMs})
  --canary-fallback  run the canary route with fallback: legacy (default: no fallback, clients see the 500s)
  -h, --help
environment: STRANGLER_BIN=/path/to/main.js drills another strangler build (default dist/src/main.js)`;

function int(flag: string, v: string | undefined, dflt: number, min: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`${flag} must be an integer >= ${min}, got ${v}`);
  return n;
}

interface Plan {
  readonly fault?: FaultDrillOptions;
  readonly canary?: CanaryDrillOptions;
}

function parse(argv: readonly string[]): Plan | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      scenario: { type: 'string' },
      clients: { type: 'string' },
      rate: { type: 'string' },
      duration: { type: 'string' },
      'kill-at': { type: 'string' },
      down: { type: 'string' },
      'canary-duration': { type: 'string' },
      'flip-at': { type: 'string' },
      'canary-fallback': { type: 'boolean' },
      pin: { type: 'boolean' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const scenario = (values.scenario ?? 'all') as Scenario;
  if (!SCENARIOS.includes(scenario)) throw new Error(`--scenario must be one of ${SCENARIOS.join(', ')}, got ${values.scenario}`);
  const runFault = scenario !== 'canary';
  const runCanary = scenario !== 'fault';
  const only = (flags: readonly (keyof typeof values)[], which: string): void => {
    for (const f of flags) if (values[f] !== undefined) throw new Error(`--${f} applies to the ${which} scenario only (--scenario ${scenario})`);
  };
  if (!runFault) only(['duration', 'kill-at', 'down'], 'fault');
  if (!runCanary) only(['canary-duration', 'flip-at', 'canary-fallback'], 'canary');

  const quiet = values.quiet === true;
  const say = (line: string): void => {
    if (!quiet) process.stderr.write(`drill: ${line}\n`);
  };
  const pin = values.pin === true;
  let fault: FaultDrillOptions | undefined;
  if (runFault) {
    const clients = int('--clients', values.clients, FAULT_DEFAULTS.clients, 1);
    const rate = int('--rate', values.rate, FAULT_DEFAULTS.rate, clients);
    const killAtMs = int('--kill-at', values['kill-at'], FAULT_DEFAULTS.killAtMs, 100);
    const downMs = int('--down', values.down, FAULT_DEFAULTS.downMs, 0);
    const durationMs = int('--duration', values.duration, FAULT_DEFAULTS.durationMs, 1000);
    if (durationMs <= killAtMs + downMs) throw new Error(`--duration (${durationMs}) must be longer than --kill-at + --down (${killAtMs + downMs})`);
    fault = { clients, rate, durationMs, killAtMs, downMs, pin, say };
  }
  let canary: CanaryDrillOptions | undefined;
  if (runCanary) {
    const clients = int('--clients', values.clients, CANARY_DEFAULTS.clients, 1);
    const rate = int('--rate', values.rate, CANARY_DEFAULTS.rate, clients);
    const flipAtMs = int('--flip-at', values['flip-at'], CANARY_DEFAULTS.flipAtMs, 100);
    const durationMs = int('--canary-duration', values['canary-duration'], CANARY_DEFAULTS.durationMs, 1000);
    if (durationMs <= flipAtMs) throw new Error(`--canary-duration (${durationMs}) must be longer than --flip-at (${flipAtMs})`);
    canary = { clients, rate, durationMs, flipAtMs, afterHaltMs: CANARY_DEFAULTS.afterHaltMs, fallback: values['canary-fallback'] === true, pin, say };
  }
  return { ...(fault && { fault }), ...(canary && { canary }) };
}

async function main(): Promise<number> {
  let plan: Plan;
  try {
    const parsed = parse(process.argv.slice(2));
    if (parsed === 'help') {
      console.log(USAGE);
      return 0;
    }
    plan = parsed;
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
  const results: { name: string; pass: boolean; line: string }[] = [];
  const verdictLine = (summary: string): string => summary.trimEnd().split('\n').pop() ?? '';
  if (plan.fault) {
    const { observations, verdict } = await runFaultDrill(plan.fault);
    const summary = renderFaultSummary(observations, verdict);
    process.stdout.write('\n' + summary);
    results.push({ name: 'fault', pass: verdict.pass, line: verdictLine(summary) });
  }
  if (plan.canary) {
    try {
      const { observations, verdict } = await runCanaryDrill(plan.canary);
      const summary = renderCanarySummary(observations, verdict);
      process.stdout.write('\n' + summary);
      results.push({ name: 'canary', pass: verdict.pass, line: verdictLine(summary) });
    } catch (err) {
      // With the fault scenario's result already printed, a canary that could not run still ends in the overall line.
      if (results.length === 0) throw err;
      process.stderr.write(`drill: ${err instanceof Error ? err.message : String(err)}\n`);
      results.push({ name: 'canary', pass: false, line: 'FAIL: the canary drill could not run' });
    }
  }
  if (results.length > 1) {
    process.stdout.write(`\ndrill: ${results.map((r) => `${r.name} ${r.pass ? 'PASS' : 'FAIL'}`).join(', ')}\n`);
    for (const r of results) process.stdout.write(`  ${r.name.padEnd(7)} ${r.line}\n`);
  }
  return results.every((r) => r.pass) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`drill: ${err instanceof Error ? err.message : String(err)}\nFAIL: the drill could not run\n`);
    process.exit(1);
  },
);
