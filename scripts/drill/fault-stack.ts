// The fault drill's stack: the demo's legacy monolith and extracted users service (built entries,
// temp data dirs, the users store seeded by the demo's copy step) and strangler in front, each a
// child process run through the demo's Child (own process group, stdout/stderr read line by line
// to the end, so no pipe ever fills). The users service can be SIGKILLed and restarted on the same
// port with the same data dir. Everything it started is stopped, and the temp dir removed, by
// stop() on the normal path and by killNow() from exit and signal handlers. The canary drill uses
// the same stack with its own routes.yaml (routesYaml) and reads the proxy's lines (onProxyLine).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../bench/procs.js';
import { copyUsers, describeCopy, usersStoreIsEmpty } from '../../demo-kit/copy-users.js';
import { Child, describeExit, type ExitInfo } from '../lib/demo/child.js';
import { Output } from '../lib/demo/output.js';
import { appListening, proxyListening, waitForConnect } from '../lib/demo/readiness.js';
import { readDemoSettings } from '../lib/demo/settings.js';
import { epochMs } from './common-clock.js';
import { ProxyLog } from './fault-log.js';
import { faultRoutesYaml, type FaultPolicy } from './fault-routes.js';

/** The demo's terminal output turned into a line sink: nothing printed, every line handed on. */
class LineSink extends Output {
  constructor(private readonly onLine: (text: string, stderr: boolean) => void) {
    super(false);
  }

  override line(_name: string, text: string, stream: NodeJS.WritableStream = process.stdout): void {
    this.onLine(text, stream === process.stderr);
  }
}

/** The last lines a child wrote (both streams), for error messages. */
class Tail {
  readonly #lines: string[] = [];
  push(line: string): void {
    this.#lines.push(line);
    if (this.#lines.length > 15) this.#lines.shift();
  }
  text(): string {
    return this.#lines.length ? `\n  last lines:\n    ${this.#lines.join('\n    ')}` : '';
  }
}

interface Running<R> {
  readonly child: Child<R>;
  readonly ready: R;
  /** Epoch ms when its listening line arrived. */
  readonly readyAt: number;
  readonly tail: Tail;
  /** Set once it has exited. */
  exit?: ExitInfo;
}

export interface FaultStackOptions {
  /** The fault drill's policies for /users (ignored when routesYaml is given). */
  readonly policy?: FaultPolicy;
  /** The proxy's routes.yaml, given the monolith's and the users service's URLs (default: the fault drill's). */
  readonly routesYaml?: (urls: { readonly legacyUrl: string; readonly usersUrl: string }) => string;
  /** Every stdout line of the proxy after its listening line, with its arrival (epoch ms), besides proxyLog. */
  readonly onProxyLine?: (line: string, arrivedAt: number) => void;
  /** Prefix of the temp dir's name (default strangler-fault-drill-). */
  readonly tmpPrefix?: string;
  /** Pin the proxy to this CPU (taskset -pc) once it runs. */
  readonly proxyCpu?: number | undefined;
  readonly say: (line: string) => void;
}

export interface UsersReturn {
  /** Epoch ms when the restart was issued. */
  readonly issuedAt: number;
  /** Epoch ms when the new process said it listens (the service's return). */
  readonly backAt: number;
  readonly pid: number | undefined;
  /** Starts that failed before this one (port still taken), with why. */
  readonly failedStarts: readonly string[];
}

const distDir = fileURLToPath(new URL('../../', import.meta.url));

export class FaultStack {
  readonly tmpDir: string;
  readonly legacyDataDir: string;
  readonly usersDataDir: string;
  readonly routesFile: string;
  readonly proxyLog = new ProxyLog();
  readonly #entries: { legacy: string; users: string; proxy: string };
  readonly #startTimeoutMs: number;
  readonly #stopTimeoutMs: number;
  readonly #children = new Set<Child<unknown>>();
  readonly #opts: FaultStackOptions;
  #legacy: Running<{ port: number }> | undefined;
  #users: Running<{ port: number }> | undefined;
  #proxy: Running<{ port: number; adminPort: number }> | undefined;
  #usersPort = 0;
  #removed = false;

  constructor(opts: FaultStackOptions) {
    this.#opts = opts;
    const settings = readDemoSettings(process.env, distDir);
    this.#entries = settings.entries;
    this.#startTimeoutMs = Math.min(settings.startTimeoutMs, 20_000);
    this.#stopTimeoutMs = Math.min(settings.stopTimeoutMs, 5_000);
    this.tmpDir = mkdtempSync(join(tmpdir(), opts.tmpPrefix ?? 'strangler-fault-drill-'));
    this.legacyDataDir = join(this.tmpDir, 'legacy');
    this.usersDataDir = join(this.tmpDir, 'users');
    this.routesFile = join(this.tmpDir, 'routes.yaml');
    process.once('exit', () => this.killNow());
  }

  get legacyUrl(): string {
    return `http://127.0.0.1:${this.#need(this.#legacy, 'legacy').ready.port}`;
  }
  get usersUrl(): string {
    return `http://127.0.0.1:${this.#usersPort}`;
  }
  get proxyUrl(): string {
    return `http://127.0.0.1:${this.#need(this.#proxy, 'proxy').ready.port}`;
  }
  get adminUrl(): string {
    return `http://127.0.0.1:${this.#need(this.#proxy, 'proxy').ready.adminPort}`;
  }
  get pids(): { legacy?: number; users?: number; proxy?: number } {
    return { legacy: this.#legacy?.child.pid, users: this.#users?.child.pid, proxy: this.#proxy?.child.pid };
  }
  /** The proxy or the monolith, should either have died during the drill (the users service dies on purpose, unless includeUsers). */
  unexpectedExits(includeUsers = false): string[] {
    const dead = [this.#legacy, this.#proxy, ...(includeUsers ? [this.#users] : [])].filter((r) => r?.exit !== undefined) as Running<unknown>[];
    return dead.map((r) => `${r.child.name} ${describeExit(r.exit!)}${r.tail.text()}`);
  }

  /** Monolith, copy of the users, users service, proxy: each waited for until it accepts connections. */
  async start(): Promise<void> {
    const { say } = this.#opts;
    this.#legacy = await this.#startApp('legacy', this.#entries.legacy, { PORT: String(await freePort()), DATA_DIR: this.legacyDataDir });
    if (await usersStoreIsEmpty(this.usersDataDir)) say(describeCopy(await copyUsers(this.legacyDataDir, this.usersDataDir)));
    this.#usersPort = await stablePort();
    this.#users = await this.#startUsers();
    const urls = { legacyUrl: this.legacyUrl, usersUrl: this.usersUrl };
    const { routesYaml, policy } = this.#opts;
    writeFileSync(this.routesFile, routesYaml === undefined ? faultRoutesYaml({ ...urls, ...(policy && { policy }) }) : routesYaml(urls));
    this.#proxy = await this.#startProxy();
  }

  /** SIGKILL to the users service; resolves once it is gone, with the epoch ms of the kill. */
  async killUsers(): Promise<{ at: number; exit: ExitInfo }> {
    const users = this.#need(this.#users, 'users');
    const at = epochMs();
    users.child.signal('SIGKILL');
    const exit = await users.child.exited;
    this.#children.delete(users.child as Child<unknown>);
    return { at, exit };
  }

  /** Starts the users service again on its port and data dir; a start that loses the port is retried for ~2 s. */
  async restartUsers(): Promise<UsersReturn> {
    const issuedAt = epochMs();
    const failedStarts: string[] = [];
    for (;;) {
      try {
        this.#users = await this.#startUsers();
        return { issuedAt, backAt: this.#users.readyAt, pid: this.#users.child.pid, failedStarts };
      } catch (err) {
        failedStarts.push((err as Error).message.split('\n')[0]!);
        if (epochMs() - issuedAt > 2000) throw err;
        await sleep(100);
      }
    }
  }

  /** SIGTERM to every child, SIGKILL to what is left after the grace time, then the temp dir goes. */
  async stop(): Promise<void> {
    const running = [...this.#children].filter((c) => c.running);
    for (const child of running) child.signal('SIGTERM');
    const all = Promise.all(running.map((c) => c.exited));
    const graceOver = await Promise.race([all.then(() => false), sleep(this.#stopTimeoutMs, true, { ref: false })]);
    if (graceOver) for (const child of running) child.signal('SIGKILL');
    await all;
    this.#children.clear();
    this.#removeTmp();
  }

  /** Synchronous, for exit and signal handlers: SIGKILL every child, remove the temp dir. */
  killNow(): void {
    for (const child of this.#children) child.signal('SIGKILL');
    this.#children.clear();
    this.#removeTmp();
  }

  #removeTmp(): void {
    if (this.#removed) return;
    this.#removed = true;
    try {
      rmSync(this.tmpDir, { recursive: true, force: true });
    } catch {
      // best effort
    }
  }

  #startUsers(): Promise<Running<{ port: number }>> {
    return this.#startApp('users', this.#entries.users, { PORT: String(this.#usersPort), DATA_DIR: this.usersDataDir, LEGACY_URL: this.legacyUrl });
  }

  #startApp(name: string, entry: string, env: Record<string, string>): Promise<Running<{ port: number }>> {
    return this.#spawn(name, entry, [], { ...process.env, HOST: '127.0.0.1', ...env }, appListening, (r) => [r.port]);
  }

  async #startProxy(): Promise<Running<{ port: number; adminPort: number }>> {
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'info' };
    for (const k of ['ADMIN_TOKEN', 'STRANGLER_CONFIG', 'PORT', 'ADMIN_PORT', 'LEGACY_URL', 'USERS_URL']) delete env[k];
    const [port, adminPort] = [await freePort(), await freePort()];
    const args = ['--config', this.routesFile, '--port', String(port), '--admin-port', String(adminPort), '--host', '127.0.0.1'];
    const log = this.proxyLog;
    const onLine = this.#opts.onProxyLine;
    let listening = false;
    const proxy = await this.#spawn(
      'proxy',
      this.#entries.proxy,
      args,
      env,
      // Only until the listening line is any line parsed here; later ones go to the ProxyLog.
      (line) => (listening ? undefined : line.includes('"msg":"listening"') ? proxyListening(line) : undefined),
      (r) => [r.port, r.adminPort],
      onLine === undefined
        ? (line) => log.add(line, epochMs())
        : (line) => {
            const at = epochMs();
            log.add(line, at);
            onLine(line, at);
          },
    );
    listening = true;
    const cpu = this.#opts.proxyCpu;
    if (cpu !== undefined && proxy.child.pid !== undefined) {
      try {
        execFileSync('taskset', ['-pc', String(cpu), String(proxy.child.pid)], { stdio: 'ignore' });
      } catch {
        this.#opts.say(`could not pin the proxy to cpu ${cpu} (taskset failed); running unpinned`);
      }
    }
    return proxy;
  }

  async #spawn<R>(
    name: string,
    entry: string,
    args: string[],
    env: NodeJS.ProcessEnv,
    readyLine: (line: string) => R | undefined,
    portsOf: (r: R) => number[],
    onStdout?: (line: string) => void,
  ): Promise<Running<R>> {
    const tail = new Tail();
    let readyAt = 0;
    const sink = new LineSink((text, stderr) => {
      if (stderr || onStdout === undefined) tail.push(text);
      else onStdout(text);
    });
    const child = new Child<R>(
      {
        name,
        entry,
        args,
        env,
        readyLine: (line) => {
          const ready = readyLine(line);
          if (ready !== undefined && readyAt === 0) readyAt = epochMs();
          return ready;
        },
      },
      sink,
    );
    this.#children.add(child as Child<unknown>);
    try {
      const ready = await child.waitReady(this.#startTimeoutMs);
      for (const port of portsOf(ready)) await waitForConnect(name, '127.0.0.1', port, this.#startTimeoutMs);
      const running: Running<R> = { child, ready, readyAt, tail };
      void child.exited.then((exit) => (running.exit = exit));
      return running;
    } catch (err) {
      child.signal('SIGKILL');
      await child.exited;
      this.#children.delete(child as Child<unknown>);
      throw new Error(`${(err as Error).message}${tail.text()}`);
    }
  }

  #need<T>(value: T | undefined, name: string): T {
    if (value === undefined) throw new Error(`${name} is not running`);
    return value;
  }
}

/**
 * A free loopback port below the kernel's ephemeral range, so that no outgoing connection made
 * while the users service is down can take it as its local port before the restart. Falls back
 * to any free port.
 */
async function stablePort(): Promise<number> {
  let low = 32768;
  try {
    low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || low;
  } catch {
    // not Linux: the usual default
  }
  const from = Math.max(1024, Math.min(20_000, low - 2000));
  for (let i = 0; i < 50 && low - from > 100; i++) {
    const port = from + Math.floor(Math.random() * (low - from));
    if (await canListen(port)) return port;
  }
  return freePort();
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}
