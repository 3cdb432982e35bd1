// The child processes of the demo, the drills and the bench, one way: each leads its own process
// group (detached), so a Ctrl-C in the terminal reaches only the parent and stopping a child also
// stops what it forked (nginx workers); optionally pinned to a CPU (taskset -c); its output either
// read line by line (so no pipe ever fills) or written to files through fds (nothing piped into a
// process that measures); stopped with SIGTERM, a bounded wait, then SIGKILL. None outlives the
// parent: on exit, every live child's group gets SIGKILL.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fetchTrusting } from './fetch-trusting.js';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}
export function describeExit(exit: ExitInfo): string {
  if (exit.error) return `failed to run (${exit.error.message})`;
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

export interface ChildOptions<R> {
  readonly args?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Pin with `taskset -c N` when set. */
  readonly cpu?: number | undefined;
  /** Each line of stdout and stderr; without it (and readyLine) output goes to these files (default /dev/null). */
  readonly onLine?: (line: string, stderr: boolean) => void;
  readonly stdoutFile?: string;
  readonly stderrFile?: string;
  /** stdout a pipe this process reads and drops (what a container's log pipe costs the child); stderr to stderrFile. */
  readonly drainStdout?: boolean;
  /** Recognises the line that says the child is listening, and what it tells (ports). */
  readonly readyLine?: (line: string) => R | undefined;
}

const live = new Set<Child<unknown>>();
process.once('exit', () => killNow());

export class Child<R = unknown> {
  readonly exited: Promise<ExitInfo>;
  readonly #proc: ChildProcess;
  readonly #ready: Promise<R>;
  readonly #stderrFile: string | undefined;
  #exit: ExitInfo | undefined;

  /** A .js/.mjs/.cjs entry runs with this node; anything else is executed directly. */
  constructor(readonly name: string, entry: string, o: ChildOptions<R> = {}) {
    const node = /\.[cm]?js$/.test(entry);
    if (node && !existsSync(entry)) throw new Error(`${name}: ${entry} does not exist (run npm run build first)`);
    const cmd = [...(o.cpu === undefined ? [] : ['taskset', '-c', String(o.cpu)]), ...(node ? [process.execPath] : []), entry, ...(o.args ?? [])];
    const piped = o.onLine !== undefined || o.readyLine !== undefined;
    const fds = piped ? [] : [openSync(o.stdoutFile ?? '/dev/null', 'a'), openSync(o.stderrFile ?? '/dev/null', 'a')];
    try {
      const out = piped ? (['pipe', 'pipe'] as const) : o.drainStdout ? ['pipe' as const, fds[1]!] : fds;
      this.#proc = spawn(cmd[0]!, cmd.slice(1), { stdio: ['ignore', ...out], detached: true, env: o.env ?? process.env, cwd: o.cwd });
    } finally {
      fds.forEach((fd) => closeSync(fd));
    }
    if (!piped && o.drainStdout) this.#proc.stdout!.resume();
    this.#stderrFile = o.stderrFile;
    this.exited = new Promise((resolve) => {
      this.#proc.once('error', (error) => resolve((this.#exit ??= { code: null, signal: null, error })));
      this.#proc.once('close', (code, signal) => resolve((this.#exit ??= { code, signal })));
    });
    live.add(this);
    void this.exited.then(() => live.delete(this));
    let ready: (r: R) => void = () => {};
    this.#ready = new Promise<R>((resolve, reject) => {
      ready = resolve;
      void this.exited.then((exit) => reject(new Error(`${name} ${describeExit(exit)} before it was listening`)));
    });
    this.#ready.catch(() => undefined);
    if (!piped) return;
    for (const [input, stderr] of [[this.#proc.stdout!, false], [this.#proc.stderr!, true]] as const) {
      createInterface({ input, crlfDelay: Infinity }).on('line', (line) => {
        o.onLine?.(line, stderr);
        const r = o.readyLine?.(line);
        if (r !== undefined) ready(r);
      });
    }
  }

  /** Also its process group's id. */
  get pid(): number | undefined { return this.#proc.pid; }
  get running(): boolean { return this.#exit === undefined; }

  /** What the ready line told; rejects when the child exits first or after `timeoutMs`. */
  async waitReady(timeoutMs: number): Promise<R> {
    const ac = new AbortController();
    const timeout = sleep(timeoutMs, undefined, { signal: ac.signal }).then(() => {
      throw new Error(`${this.name} did not report listening within ${timeoutMs} ms`);
    });
    try {
      return await Promise.race([this.#ready, timeout]);
    } finally {
      ac.abort();
      timeout.catch(() => undefined);
    }
  }

  /** To the whole process group. */
  signal(signal: NodeJS.Signals): void {
    if (this.#proc.pid === undefined) return;
    try {
      process.kill(-this.#proc.pid, signal);
    } catch {
      // the group is gone
    }
  }

  /** See stopAll. */
  stop = (graceMs = 5000): Promise<boolean> => stopAll([this], graceMs);

  /** The end of its stderr file, for error messages. */
  stderrTail(max = 2000): string {
    const f = this.#stderrFile;
    const text = f && existsSync(f) ? readFileSync(f, 'utf8').trim() : '';
    return text.length > max ? '...' + text.slice(-max) : text;
  }
}

/** SIGTERM to each running child, SIGKILL (after onKill) to those still running after graceMs, then
 *  to every group (leftovers such as nginx workers). True when the grace ran out. */
export async function stopAll(children: Iterable<Child> = live, graceMs = 5000, onKill?: (c: Child) => void): Promise<boolean> {
  const running = [...children].filter((c) => c.running);
  for (const c of running) c.signal('SIGTERM');
  const all = Promise.all(running.map((c) => c.exited));
  const graceOver = await Promise.race([all.then(() => false), sleep(graceMs, true, { ref: false })]);
  if (graceOver) for (const c of running.filter((x) => x.running)) (onKill?.(c), c.signal('SIGKILL'));
  await all;
  for (const c of running) c.signal('SIGKILL');
  return graceOver;
}

/** Synchronous, for exit paths: SIGKILL to every group. */
export const killNow = (children: Iterable<Child> = live): void => [...children].forEach((c) => c.signal('SIGKILL'));

/** Calls f on SIGINT, SIGTERM and SIGHUP, with the exit status that goes with the signal. */
export function onSignals(f: (signal: NodeJS.Signals, status: number) => void): void {
  for (const [sig, status] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) process.on(sig, () => f(sig, status));
}

/** Listens on the loopback port and closes again: the port it got, 0 when it could not. */
export function listenOn(port: number): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(0));
    srv.listen(port, '127.0.0.1', () => {
      const got = (srv.address() as { port: number }).port;
      srv.close(() => resolve(got));
    });
  });
}
/** A port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const port = await listenOn(0);
  if (port === 0) throw new Error('no free port');
  return port;
}

/** Resolves once host:port accepts a connection; rejects after `timeoutMs`. */
export async function waitForConnect(name: string, host: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const accepts = (): Promise<boolean> =>
    new Promise((resolve) => {
      const socket = connect({ host, port });
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
  while (!(await accepts())) {
    if (Date.now() >= deadline) throw new Error(`${name} said it listens on port ${port} but ${host}:${port} refuses connections`);
    await sleep(100);
  }
}

/** Polls url until it answers 200 (else throws, with the child's stderr); on failure the child is stopped. */
export async function waitForHttpOk(url: string, child: Child, timeoutMs: number, caFile?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  let why: string | undefined;
  while (why === undefined) {
    if (!child.running) why = `${child.name} ${describeExit(await child.exited)} before ${url} answered 200`;
    else if (Date.now() >= deadline) why = `${child.name}: ${url} did not answer 200 within ${timeoutMs / 1000}s (last: ${last})`;
    else {
      try {
        const res = await fetchTrusting(url, caFile, { signal: AbortSignal.timeout(1000) });
        await res.arrayBuffer();
        if (res.status === 200) return;
        last = `HTTP ${res.status}`;
      } catch (err) {
        last = (err as Error).message;
      }
      await sleep(100);
    }
  }
  await child.stop();
  const tail = child.stderrTail();
  throw new Error(why + (tail ? `\n  stderr of ${child.name}:\n    ${tail.split('\n').join('\n    ')}` : ''));
}
