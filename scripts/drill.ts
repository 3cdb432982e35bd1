// npm run drill / npm run drill:reload: one runner, one scenario file each (scripts/drill/: fault,
// canary, reload; each file says what it checks). Loopback only, bounded, stops by itself; every
// scenario starts its own stack (drill/stack.ts). --scenario all (the default) runs fault, then
// canary; with --workers 2+ (the proxy's flag) fault, worker (drill/worker-kill.ts), canary. Exit 0 when every scenario passes, 1 on FAIL or error, 2 on a usage error.
import { parseArgs } from 'node:util';
import { CANARY_DEFAULTS, canaryStack, newStandin, runCanary } from './drill/canary.js';
import { FAULT_DEFAULTS, faultStack, runFault } from './drill/fault.js';
import { DRILL_DEFAULTS as RELOAD, renderSummary, runDrill } from './drill/reload.js';
import { withStack, type Verdict } from './drill/runner.js';
import { runWorkerKill, WORKER_DEFAULTS } from './drill/worker-kill.js';
import { onSignals } from './lib/procs.js';

const USAGE = `usage: node dist/scripts/drill.js [options]
  --scenario S     fault, canary, worker (needs --workers 2+), all (fault, [worker,] canary; the default) or reload
  --workers N      run the proxy with --workers N (node:cluster; default: the flag is not given)
  --clients C      concurrent keep-alive clients (default ${FAULT_DEFAULTS.clients} fault, ${CANARY_DEFAULTS.clients} canary, ${RELOAD.clients} reload)
  --rate R         fault/canary: target requests per second (default ${FAULT_DEFAULTS.rate} fault, ${CANARY_DEFAULTS.rate} canary)
  --pin, --no-pin  pin the proxy to its own CPU, the rest to another (taskset, 2+ CPUs; default: reload only)
  --quiet          no progress lines (stderr)
 worker: one worker SIGKILLed at +${WORKER_DEFAULTS.killAtMs} ms of ${WORKER_DEFAULTS.durationMs} ms of closed-loop load (${WORKER_DEFAULTS.clients} clients)
 fault:  --duration MS (${FAULT_DEFAULTS.durationMs})  --kill-at MS (${FAULT_DEFAULTS.killAtMs})  --down MS (${FAULT_DEFAULTS.downMs})
 canary: --canary-duration MS (${CANARY_DEFAULTS.durationMs}; and ${CANARY_DEFAULTS.afterHaltMs} ms after the halt)  --flip-at MS (${CANARY_DEFAULTS.flipAtMs})
         --canary-fallback (run the canary route with fallback: legacy)
 reload: --rewrites N (${RELOAD.rewrites})  --invalid-every K (${RELOAD.invalidEvery}, K >= 2)  --min-gap MS (${RELOAD.minGapMs})  --max-gap MS (${RELOAD.maxGapMs})  --seed S (${RELOAD.seed})
  -h, --help
environment: STRANGLER_BIN=/path/to/main.js drills another strangler build (default dist/src/main.js)`;

const FLAGS = {
  fault: ['duration', 'kill-at', 'down', 'rate'],
  canary: ['canary-duration', 'flip-at', 'canary-fallback', 'rate'],
  reload: ['rewrites', 'invalid-every', 'min-gap', 'max-gap', 'seed'],
} as const;

async function main(): Promise<number> {
  const str = { type: 'string' } as const;
  const { values: v } = parseArgs({
    strict: true,
    options: {
      scenario: str, workers: str, clients: str, rate: str, duration: str, 'kill-at': str, down: str, 'canary-duration': str, 'flip-at': str,
      rewrites: str, 'invalid-every': str, 'min-gap': str, 'max-gap': str, seed: str,
      'canary-fallback': { type: 'boolean' }, pin: { type: 'boolean' }, 'no-pin': { type: 'boolean' }, quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (v.help) return (console.log(USAGE), 0);
  const scenario = v.scenario ?? 'all';
  const workers = v.workers === undefined ? undefined : Number(v.workers);
  if (workers !== undefined && !(Number.isInteger(workers) && workers >= 1)) throw new UsageError(`--workers must be an integer >= 1, got ${v.workers}`);
  const several = workers !== undefined && workers >= 2;
  const names = scenario === 'all' ? (several ? (['fault', 'worker', 'canary'] as const) : (['fault', 'canary'] as const)) : (['fault', 'canary', 'worker', 'reload'] as const).filter((s) => s === scenario);
  if (names.length === 0) throw new UsageError(`--scenario must be one of fault, canary, worker, all, reload; got ${scenario}`);
  if (names.includes('worker' as never) && !several) throw new UsageError('--scenario worker needs --workers 2 or more');
  if (names.includes('reload' as never) && workers !== undefined) throw new UsageError('--workers applies to the fault, worker and canary scenarios');
  const given = new Set(Object.keys(v).filter((k) => v[k as keyof typeof v] !== undefined));
  for (const [name, flags] of Object.entries(FLAGS)) {
    for (const f of flags) if (given.has(f) && !names.some((n) => ((FLAGS as Record<string, readonly string[]>)[n] ?? []).includes(f))) throw new UsageError(`--${f} applies to the ${name} scenario only (--scenario ${scenario})`);
  }
  const int = (flag: keyof typeof v, dflt: number, min: number): number => {
    const n = v[flag] === undefined ? dflt : Number(v[flag]);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`--${flag} must be an integer >= ${min}, got ${String(v[flag])}`);
    return n;
  };
  const say = (line: string): void => void (v.quiet || process.stderr.write(`drill: ${line}\n`));
  const pin = (dflt: boolean): boolean => (v['no-pin'] ? false : v.pin ?? dflt);
  const runs: { name: string; run: () => Promise<Verdict> }[] = [];
  for (const name of names) {
    if (name === 'fault') {
      const [clients, killAtMs, downMs, durationMs] = [int('clients', FAULT_DEFAULTS.clients, 1), int('kill-at', FAULT_DEFAULTS.killAtMs, 100), int('down', FAULT_DEFAULTS.downMs, 0), int('duration', FAULT_DEFAULTS.durationMs, 1000)];
      if (durationMs <= killAtMs + downMs) throw new UsageError(`--duration (${durationMs}) must be longer than --kill-at + --down (${killAtMs + downMs})`);
      const o = { clients, rate: int('rate', FAULT_DEFAULTS.rate, clients), durationMs, killAtMs, downMs, pin: pin(false), say, workers };
      runs.push({ name, run: () => withStack(o, faultStack(), runFault) });
    } else if (name === 'worker') {
      const o = { clients: int('clients', WORKER_DEFAULTS.clients, 1), rate: 0, durationMs: WORKER_DEFAULTS.durationMs, killAtMs: WORKER_DEFAULTS.killAtMs, pin: pin(false), say, workers };
      runs.push({ name, run: () => withStack(o, { ...faultStack(), tmpPrefix: 'strangler-worker-drill-' }, runWorkerKill) });
    } else if (name === 'canary') {
      const [clients, flipAtMs, durationMs] = [int('clients', CANARY_DEFAULTS.clients, 1), int('flip-at', CANARY_DEFAULTS.flipAtMs, 100), int('canary-duration', CANARY_DEFAULTS.durationMs, 1000)];
      if (durationMs <= flipAtMs) throw new UsageError(`--canary-duration (${durationMs}) must be longer than --flip-at (${flipAtMs})`);
      const o = { clients, rate: int('rate', CANARY_DEFAULTS.rate, clients), durationMs, flipAtMs, afterHaltMs: CANARY_DEFAULTS.afterHaltMs, fallback: v['canary-fallback'] === true, pin: pin(false), say, workers };
      runs.push({ name, run: async () => {
        const standin = await newStandin();
        return withStack(o, canaryStack(o, standin), (oo, stack) => runCanary(oo, stack, standin)).finally(() => standin.close());
      } });
    } else {
      const minGapMs = int('min-gap', RELOAD.minGapMs, 1);
      const o = {
        rewrites: int('rewrites', RELOAD.rewrites, 1), invalidEvery: int('invalid-every', RELOAD.invalidEvery, 2), clients: int('clients', RELOAD.clients, 1),
        minGapMs, maxGapMs: int('max-gap', Math.max(minGapMs, RELOAD.maxGapMs), minGapMs), seed: int('seed', RELOAD.seed, 0), pin: pin(true),
        ...(v.quiet ? {} : { log: (line: string) => process.stderr.write(`${line}\n`) }),
      };
      runs.push({ name, run: async () => {
        const s = await runDrill(o);
        const summary = renderSummary(s, RELOAD.maxSwitchMs);
        return { pass: s.pass, verdict: summary.trimEnd().split('\n').find((l) => l.trim().startsWith('result'))!.trim(), summary };
      } });
    }
  }
  // Each stack's exit hook SIGKILLs its children and removes its temp dir, whatever ends the process.
  onSignals((sig, status) => {
    process.stderr.write(`\ndrill: ${sig}, stopping the stack and removing its temp directory\n`);
    process.exit(status);
  });
  const results: { name: string; pass: boolean; line: string }[] = [];
  for (const { name, run } of runs) {
    try {
      const r = await run();
      process.stdout.write('\n' + r.summary);
      results.push({ name, pass: r.pass, line: r.verdict });
    } catch (err) {
      // With an earlier scenario's result printed, one that could not run still ends in the overall line.
      if (results.length === 0) throw err;
      process.stderr.write(`drill: ${err instanceof Error ? err.message : String(err)}\n`);
      results.push({ name, pass: false, line: `FAIL: the ${name} drill could not run` });
    }
  }
  if (results.length > 1) {
    process.stdout.write(`\ndrill: ${results.map((r) => `${r.name} ${r.pass ? 'PASS' : 'FAIL'}`).join(', ')}\n`);
    for (const r of results) process.stdout.write(`  ${r.name.padEnd(7)} ${r.line}\n`);
  }
  return results.every((r) => r.pass) ? 0 : 1;
}

class UsageError extends Error {}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    const usage = err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`drill: ${err instanceof Error ? err.message : String(err)}\n${usage ? USAGE : 'FAIL: the drill could not run'}\n`);
    process.exit(usage ? 2 : 1);
  },
);
