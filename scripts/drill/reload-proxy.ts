// strangler under drill: the built dist/src/main.js as a child process (the demo's Child: its own
// process group, stdout and stderr piped and read line by line to the end, so the pipe never
// fills), optionally pinned to a CPU. Of its JSON log lines the drill keeps the reload outcomes,
// timestamped on arrival; the access lines (one per request) are skipped after a substring test.
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { Child, describeExit, type ExitInfo } from '../lib/demo/child.js';
import { Output } from '../lib/demo/output.js';
import { proxyListening } from '../lib/demo/readiness.js';

export type OutcomeKind = 'reloaded' | 'rejected' | 'unchanged' | 'failed';

export interface ReloadOutcomeLine {
  /** performance.now() when the line arrived. */
  readonly at: number;
  readonly kind: OutcomeKind;
  readonly trigger: string;
  readonly version?: string;
  readonly previousVersion?: string;
  readonly liveVersion?: string;
  readonly changes?: readonly string[];
  readonly errors?: readonly string[];
}

const OUTCOME_BY_MSG: Readonly<Record<string, OutcomeKind>> = {
  'config reloaded': 'reloaded',
  'config rejected, the live table stays': 'rejected',
  'config unchanged': 'unchanged',
  'config reload failed': 'failed',
};

/** Parses one stdout line; undefined unless it is a reload outcome. */
export function parseOutcomeLine(line: string, at: number): ReloadOutcomeLine | undefined {
  if (!line.includes('"msg":"config ')) return undefined; // cheap: most lines are access lines
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const kind = typeof entry['msg'] === 'string' ? OUTCOME_BY_MSG[entry['msg']] : undefined;
  if (kind === undefined) return undefined;
  const str = (k: string) => (typeof entry[k] === 'string' ? { [k]: entry[k] as string } : {});
  const list = (k: string) => (Array.isArray(entry[k]) ? { [k]: (entry[k] as unknown[]).map(String) } : {});
  return {
    at,
    kind,
    trigger: typeof entry['trigger'] === 'string' ? entry['trigger'] : '?',
    ...str('version'),
    ...str('previousVersion'),
    ...str('liveVersion'),
    ...list('changes'),
    ...list('errors'),
  };
}

/** The demo's terminal output, turned into a line sink for the drill. */
class LineSink extends Output {
  constructor(
    private readonly onStdout: (line: string) => void,
    private readonly onStderr: (line: string) => void,
  ) {
    super(false);
  }

  override line(_name: string, text: string, stream: NodeJS.WritableStream = process.stdout): void {
    if (stream === process.stderr) this.onStderr(text);
    else this.onStdout(text);
  }
}

export interface ProxyOptions {
  readonly main: string;              // dist/src/main.js
  readonly configFile: string;
  readonly cpu?: number | undefined;  // pin with `taskset -pc` once started
  readonly startTimeoutMs?: number;
}

export interface DrillProxy {
  readonly port: number;
  readonly adminUrl: string;
  readonly pid: number | undefined;
  readonly outcomes: readonly ReloadOutcomeLine[];
  /** Lines at level error/fatal other than the reload outcomes (for the report). */
  readonly errorLines: readonly string[];
  /** Every line but the access lines (the first 1000), each with its arrival time. */
  readonly otherLines: readonly { readonly at: number; readonly line: string }[];
  /** Resolves with the first outcome line (other than `config unchanged`, which concludes no write
   *  of the drill) that arrived at or after `since`, or undefined after timeoutMs. */
  nextOutcome(since: number, timeoutMs: number): Promise<ReloadOutcomeLine | undefined>;
  stderrTail(): string;
  running(): boolean;
  /** SIGTERM, then SIGKILL after graceMs. Resolves with how it ended. */
  stop(graceMs?: number): Promise<ExitInfo>;
  /** For exit handlers: SIGKILL now, synchronously. */
  kill(): void;
}

export async function startProxy(o: ProxyOptions): Promise<DrillProxy> {
  const outcomes: ReloadOutcomeLine[] = [];
  const errorLines: string[] = [];
  const otherLines: { at: number; line: string }[] = [];
  const stderr: string[] = [];
  const waiters = new Set<() => void>();
  let listening = false;
  const onStdout = (line: string): void => {
    const at = performance.now();
    if (!line.includes('"msg":"request"') && otherLines.length < 1000) otherLines.push({ at, line });
    const outcome = parseOutcomeLine(line, at);
    if (outcome !== undefined) {
      outcomes.push(outcome);
      for (const wake of [...waiters]) wake();
    } else if (/"level":(50|60)[,}]/.test(line) && errorLines.length < 50) {
      errorLines.push(line);
    }
  };
  const onStderr = (line: string): void => {
    stderr.push(line);
    if (stderr.length > 40) stderr.shift();
  };
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'info' };
  for (const k of ['ADMIN_TOKEN', 'STRANGLER_CONFIG', 'PORT', 'ADMIN_PORT']) delete env[k];
  const child = new Child(
    {
      name: 'proxy',
      entry: o.main,
      args: ['--config', o.configFile, '--port', '0', '--admin-port', '0', '--host', '127.0.0.1'],
      env,
      // Only the listening line is parsed as JSON; every later line is skipped here at once.
      readyLine: (line) => (!listening && line.includes('"msg":"listening"') ? proxyListening(line) : undefined),
    },
    new LineSink(onStdout, onStderr),
  );
  let exit: ExitInfo | undefined;
  void child.exited.then((e) => {
    exit = e;
    for (const wake of [...waiters]) wake();
  });
  const stderrTail = () => stderr.join('\n');
  let ready: { port: number; adminPort: number };
  try {
    ready = await child.waitReady(o.startTimeoutMs ?? 15_000);
    listening = true;
  } catch (err) {
    child.signal('SIGKILL');
    throw new Error(`${(err as Error).message}${stderr.length ? `\n  stderr of the proxy:\n    ${stderrTail().split('\n').join('\n    ')}` : ''}`);
  }
  if (o.cpu !== undefined && child.pid !== undefined) {
    try {
      execFileSync('taskset', ['-pc', String(o.cpu), String(child.pid)], { stdio: 'ignore' });
    } catch {
      // best effort: the report says what was asked
    }
  }

  const stop = async (graceMs = 5000): Promise<ExitInfo> => {
    if (exit !== undefined) return exit;
    child.signal('SIGTERM');
    const done = await Promise.race([child.exited, sleep(graceMs, undefined, { ref: false })]);
    if (done !== undefined) return done;
    child.signal('SIGKILL');
    const killed = await child.exited;
    return { ...killed, error: new Error(`still running ${graceMs} ms after SIGTERM (${describeExit(killed)})`) };
  };

  return {
    port: ready.port,
    adminUrl: `http://127.0.0.1:${ready.adminPort}`,
    pid: child.pid,
    outcomes,
    errorLines,
    otherLines,
    stderrTail,
    running: () => exit === undefined,
    nextOutcome: (since, timeoutMs) =>
      new Promise((resolve) => {
        const check = (): void => {
          const found = outcomes.find((x) => x.at >= since && x.kind !== 'unchanged');
          if (found === undefined && exit === undefined) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        // On expiry, let pending I/O run first (a line already in the pipe counts; after a
        // stall of this process, the timer phase would otherwise come before the read).
        const timer = setTimeout(() => {
          setImmediate(() => {
            if (!waiters.has(check)) return;
            check();
            if (!waiters.delete(check)) return;
            resolve(undefined);
          });
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    stop,
    kill: () => child.signal('SIGKILL'),
  };
}

/** GET a JSON document from the admin API (bounded). */
export async function adminJson<T>(adminUrl: string, path: string, timeoutMs = 2000): Promise<T> {
  const res = await fetch(`${adminUrl}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
  if (res.status !== 200) throw new Error(`GET ${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

/** strangler_config_reloads_total by result, from GET /metrics. */
export async function reloadCounters(adminUrl: string): Promise<Record<string, number>> {
  const res = await fetch(`${adminUrl}/metrics`, { signal: AbortSignal.timeout(3000) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET /metrics: HTTP ${res.status}`);
  return parseReloadCounters(text);
}

export function parseReloadCounters(metricsText: string): Record<string, number> {
  const counters: Record<string, number> = {};
  for (const m of metricsText.matchAll(/^strangler_config_reloads_total\{result="([^"]+)"\} (\S+)$/gm)) {
    counters[m[1]!] = Number(m[2]);
  }
  return counters;
}
