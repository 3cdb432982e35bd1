// The drill runner: one stack per scenario run (started, handed to the scenario, stopped whatever
// happens), the CPU pinning, and what scenarios share of their routes.yaml and summary.
import { planPinning } from '../lib/cpu.js';
import { Stack, type StackOptions } from './stack.js';

export interface DrillOptions {
  readonly clients: number;
  /** Requests per second, all clients together (undefined: a closed loop). */
  readonly rate: number;
  readonly durationMs: number;
  /** Pin the proxy to its own CPU, the rest to another (taskset, 2+ CPUs). */
  readonly pin: boolean;
  /** Progress lines (stderr). */
  readonly say: (line: string) => void;
  /** Set by the runner: the summary's "pinning" line. */
  readonly pinning?: string;
  readonly proxyMain?: string;
  /** `--workers N` for the proxy (undefined: one process). */
  readonly workers?: number | undefined;
}

export interface Verdict {
  readonly pass: boolean;
  /** The PASS/FAIL line. */
  readonly verdict: string;
  readonly summary: string;
}

/** Starts a stack, runs the scenario on it, stops it (also on error). */
export async function withStack<O extends DrillOptions, V>(
  o: O,
  stackOpts: Omit<StackOptions, 'say' | 'proxyCpu' | 'proxyMain' | 'workers'>,
  scenario: (o: O & { pinning: string }, stack: Stack) => Promise<V>,
  onStopped?: (v: V, proxyExit: string) => void,
): Promise<V> {
  const pinning = planPinning(o.pin);
  const pinText = pinning.proxyCpu === undefined ? pinning.description.replace('(--no-pin)', '(default; --pin to pin)') : `proxy on cpu ${pinning.proxyCpu}; the drill and its stack on cpu ${pinning.loadCpu} (taskset)`;
  const stack = new Stack({ ...stackOpts, proxyCpu: pinning.proxyCpu, say: o.say, workers: o.workers, ...(o.proxyMain && { proxyMain: o.proxyMain }) });
  let result: V | undefined;
  try {
    o.say(`starting the stack in ${stack.tmpDir}`);
    await stack.start();
    o.say(`proxy ${stack.proxyUrl} (admin ${stack.adminUrl}${o.workers ? `, --workers ${o.workers}` : ''})${stackOpts.apps === false ? '' : `, legacy ${stack.legacyUrl}, users ${stack.usersUrl}`}`);
    result = await scenario({ ...o, pinning: pinText }, stack);
    return result;
  } finally {
    const exit = await stack.stop();
    if (result !== undefined) onStopped?.(result, exit);
  }
}

/** The routes.yaml of the fault and canary scenarios: /users with the scenario's settings, the rest on the monolith. */
export function routesYaml(comment: string, u: { readonly legacyUrl: string; readonly usersUrl: string }, usersRoute: readonly string[]): string {
  return `# written by ${comment}
server:
  host: 127.0.0.1
  adminHost: 127.0.0.1
  drainTimeoutMs: 2000

upstreams:
  legacy:
    url: ${u.legacyUrl}
  users:
    url: ${u.usersUrl}

routes:
  - prefix: /users
${usersRoute.map((line) => `    ${line}\n`).join('')}
  - prefix: /
    upstream: legacy
`;
}
