// Child processes of the bench: spawn (optionally pinned to a CPU), track, stop, and make sure
// none outlives the bench (normal end, error, Ctrl-C). Each child gets its own process group so
// that stopping it also stops what it forked (nginx workers).
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';

export interface ChildOptions {
  readonly cpu?: number | undefined;            // pin with `taskset -c N` when set
  readonly env?: NodeJS.ProcessEnv;
  readonly stdoutFile?: string;                 // default /dev/null
  readonly stderrFile?: string;                 // default /dev/null
  readonly cwd?: string;
}

export interface Child {
  readonly name: string;
  readonly proc: ChildProcess;
  readonly exited: Promise<number | null>;      // exit code (null when killed by a signal)
  exitCode(): number | null | undefined;        // undefined while running
  stderrTail(): string;
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<Child>();

export function spawnChild(name: string, cmd: string, args: readonly string[], opts: ChildOptions = {}): Child {
  const [file, argv] = opts.cpu === undefined ? [cmd, [...args]] : ['taskset', ['-c', String(opts.cpu), cmd, ...args]];
  // Output goes to files (or /dev/null) through fds, never through pipes into the bench process.
  const outFd = openSync(opts.stdoutFile ?? '/dev/null', 'a');
  const errFd = openSync(opts.stderrFile ?? '/dev/null', 'a');
  let proc: ChildProcess;
  try {
    proc = spawn(file, argv, { stdio: ['ignore', outFd, errFd], detached: true, env: opts.env ?? process.env, cwd: opts.cwd });
  } finally {
    closeSync(outFd);
    closeSync(errFd);
  }
  let code: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => {
    proc.once('exit', (c) => { code = c; resolve(c); });
    proc.once('error', () => { code = code ?? -1; resolve(-1); });
  });
  const child: Child = {
    name,
    proc,
    exited,
    exitCode: () => code,
    stderrTail: () => tailOf(opts.stderrFile),
    stop: async (graceMs = 5000) => {
      if (code === undefined) {
        signalGroup(proc, 'SIGTERM');
        const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), graceMs).unref());
        if ((await Promise.race([exited, timer])) === 'timeout') {
          signalGroup(proc, 'SIGKILL');
          await exited;
        }
      }
      signalGroup(proc, 'SIGKILL');             // leftovers in the group (e.g. nginx workers)
      live.delete(child);
    },
  };
  live.add(child);
  return child;
}

/** Each child leads its own process group (detached), so its pid is the group id. */
export function pgidOf(child: Child): { pgid?: number } {
  return child.proc.pid === undefined ? {} : { pgid: child.proc.pid };
}

function signalGroup(proc: ChildProcess, sig: NodeJS.Signals): void {
  if (proc.pid === undefined) return;
  try { process.kill(-proc.pid, sig); } catch { /* group gone */ }
}

function tailOf(file: string | undefined, max = 2000): string {
  if (!file || !existsSync(file)) return '';
  const text = readFileSync(file, 'utf8');
  return text.length > max ? '...' + text.slice(-max) : text;
}

/** Stops every live child; used on the normal path and from signal handlers. */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((c) => c.stop(3000)));
}

function killAllSync(): void {
  for (const c of live) signalGroup(c.proc, 'SIGKILL');
  live.clear();
}

let installed = false;
/** On SIGINT/SIGTERM: stop the children, then exit 130/143. On any exit: SIGKILL what is left. */
export function installCleanup(onSignal?: () => void): void {
  if (installed) return;
  installed = true;
  process.once('exit', killAllSync);
  for (const [sig, status] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    process.once(sig, () => {
      onSignal?.();
      process.stderr.write(`\nbench: ${sig}, stopping child processes...\n`);
      const hard = setTimeout(() => { killAllSync(); process.exit(status); }, 4000);
      void stopAll().finally(() => { clearTimeout(hard); process.exit(status); });
    });
  }
}

/** A port that was free a moment ago on 127.0.0.1 (listen on 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('no port'))));
    });
  });
}

/** Polls url until it answers 200, the child exits, or timeoutMs passes (then throws, with details). */
export async function waitForHttpOk(url: string, child: Child, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    const code = child.exitCode();
    if (code !== undefined) {
      throw new Error(`${child.name} exited with code ${code} before ${url} answered 200` + detail(child));
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${child.name}: ${url} did not answer 200 within ${timeoutMs / 1000}s (last: ${last})` + detail(child));
}

function detail(child: Child): string {
  const tail = child.stderrTail().trim();
  return tail ? `\n  stderr of ${child.name}:\n    ${tail.split('\n').join('\n    ')}` : '';
}
