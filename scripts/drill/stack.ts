// The one stack of the drills, in a temp dir: optionally the demo's legacy monolith and extracted
// users service (temp data dirs, the users store seeded by the demo's copy step), and strangler in
// front on the routes.yaml the scenario writes; each a child process (lib/procs.ts), read line by
// line; the proxy's stdout goes to one ProxyLog. The users service can be SIGKILLed and restarted
// on the same port and data dir. stop() (and, synchronously, the exit hook) ends every child and
// removes the temp dir.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { copyUsers, describeCopy, usersStoreIsEmpty } from '../../demo-kit/copy-users.js';
import { appListening, proxyListening } from '../lib/demo/readiness.js';
import { readDemoSettings } from '../lib/demo/settings.js';
import { Child, describeExit, killNow, listenOn, stopAll, waitForConnect, type ExitInfo } from '../lib/procs.js';
import { admin, epochMs, ProxyLog, type Admin } from './kit.js';

interface Running {
  readonly child: Child<{ port: number; adminPort?: number }>;
  readonly port: number;
  readonly adminPort: number;
  /** Epoch ms when its listening line arrived. */
  readonly readyAt: number;
  /** Its last 15 lines (stderr, and stdout but the proxy's), for error messages. */
  readonly tail: string[];
  exit?: ExitInfo;
}

export interface StackOptions {
  /** Start the monolith and the users service (default true). */
  readonly apps?: boolean;
  /** The proxy's routes.yaml, given the monolith's and the users service's URLs. */
  readonly routesYaml: (urls: { readonly legacyUrl: string; readonly usersUrl: string }) => string;
  readonly tmpPrefix: string;
  /** Pin the proxy to this CPU (taskset -c). */
  readonly proxyCpu?: number | undefined;
  /** `--workers N` for the proxy (undefined: the flag is not given: one process). */
  readonly workers?: number | undefined;
  /** The built proxy (default: STRANGLER_BIN or dist/src/main.js). */
  readonly proxyMain?: string;
  readonly say: (line: string) => void;
}

const distDir = fileURLToPath(new URL('../../', import.meta.url));
const tailText = (r: Running): string => (r.tail.length ? `\n  last lines:\n    ${r.tail.join('\n    ')}` : '');

export class Stack {
  readonly tmpDir: string;
  readonly routesFile: string;
  readonly log = new ProxyLog();
  readonly #o: StackOptions;
  readonly #entries: { legacy: string; users: string; proxy: string };
  readonly #startTimeoutMs: number;
  readonly #children = new Set<Child>();
  readonly #run: { legacy?: Running; users?: Running; proxy?: Running } = {};
  #usersPort = 0;
  #removed = false;

  constructor(o: StackOptions) {
    this.#o = o;
    const settings = readDemoSettings(process.env, distDir);
    this.#entries = { ...settings.entries, ...(o.proxyMain && { proxy: o.proxyMain }) };
    this.#startTimeoutMs = Math.min(settings.startTimeoutMs, 20_000);
    this.tmpDir = mkdtempSync(join(tmpdir(), o.tmpPrefix));
    this.routesFile = join(this.tmpDir, 'routes.yaml');
    process.once('exit', () => this.killNow());
  }

  get legacyUrl(): string { return `http://127.0.0.1:${this.#need('legacy').port}`; }
  get usersUrl(): string { return `http://127.0.0.1:${this.#usersPort}`; }
  get proxyUrl(): string { return `http://127.0.0.1:${this.#need('proxy').port}`; }
  get adminUrl(): string { return `http://127.0.0.1:${this.#need('proxy').adminPort}`; }
  get admin(): Admin { return admin(this.adminUrl); }
  get proxyPid(): number | undefined { return this.#run.proxy?.child.pid; }
  proxyRunning(): boolean { return this.#run.proxy !== undefined && this.#run.proxy.exit === undefined; }
  /** Children that died during the drill (the users service dies on purpose, unless includeUsers). */
  unexpectedExits(includeUsers = false): string[] {
    const { legacy, users, proxy } = this.#run;
    return [legacy, proxy, ...(includeUsers ? [users] : [])].filter((r) => r?.exit !== undefined).map((r) => `${r!.child.name} ${describeExit(r!.exit!)}${tailText(r!)}`);
  }

  /** Monolith, copy of the users, users service, proxy: each waited for until it accepts connections. */
  async start(): Promise<void> {
    let urls = { legacyUrl: '', usersUrl: '' };
    if (this.#o.apps !== false) {
      const legacyData = join(this.tmpDir, 'legacy');
      this.#run.legacy = await this.#spawn('legacy', this.#entries.legacy, [], { PORT: '0', DATA_DIR: legacyData });
      const usersData = join(this.tmpDir, 'users');
      if (await usersStoreIsEmpty(usersData)) this.#o.say(describeCopy(await copyUsers(legacyData, usersData)));
      this.#usersPort = await stablePort();
      this.#run.users = await this.#startUsers();
      urls = { legacyUrl: this.legacyUrl, usersUrl: this.usersUrl };
    }
    writeFileSync(this.routesFile, this.#o.routesYaml(urls));
    const env: NodeJS.ProcessEnv = { NODE_ENV: 'production', LOG_LEVEL: 'info' };
    for (const k of ['ADMIN_TOKEN', 'STRANGLER_CONFIG', 'PORT', 'ADMIN_PORT', 'LEGACY_URL', 'USERS_URL', 'HOST']) env[k] = undefined;
    const args = ['--config', this.routesFile, '--port', '0', '--admin-port', '0', '--host', '127.0.0.1', ...(this.#o.workers ? ['--workers', String(this.#o.workers)] : [])];
    this.#run.proxy = await this.#spawn('proxy', this.#entries.proxy, args, env, this.#o.proxyCpu);
  }

  /** SIGKILL to the users service; resolves once it is gone, with the epoch ms of the kill. */
  async killUsers(): Promise<{ at: number; exit: string }> {
    const users = this.#need('users');
    const at = epochMs();
    users.child.signal('SIGKILL');
    const exit = await users.child.exited;
    this.#children.delete(users.child);
    return { at, exit: describeExit(exit) };
  }

  /** Starts the users service again on its port and data dir; a start that loses the port is retried for ~2 s. */
  async restartUsers(): Promise<{ backAt: number; pid: number | undefined }> {
    const issuedAt = epochMs();
    for (;;) {
      try {
        const users = (this.#run.users = await this.#startUsers());
        return { backAt: users.readyAt, pid: users.child.pid };
      } catch (err) {
        if (epochMs() - issuedAt > 2000) throw err;
        await sleep(100);
      }
    }
  }

  /** SIGTERM to every child, SIGKILL after graceMs, then the temp dir goes. Says how the proxy ended. */
  async stop(graceMs = 5000): Promise<string> {
    const proxy = this.#run.proxy;
    const diedEarly = proxy !== undefined && proxy.exit !== undefined;
    const graceOver = await stopAll(this.#children, graceMs);
    this.killNow();
    if (proxy === undefined) return 'not started';
    const exit = describeExit(await proxy.child.exited);
    return diedEarly ? `DIED during the drill: ${exit}` : graceOver ? `still running ${graceMs} ms after SIGTERM (${exit})` : `on SIGTERM: ${exit}`;
  }

  /** Synchronous, for exit and signal handlers: SIGKILL every child, remove the temp dir. */
  killNow(): void {
    killNow(this.#children);
    this.#children.clear();
    if (this.#removed) return;
    this.#removed = true;
    rmSync(this.tmpDir, { recursive: true, force: true });
  }

  #startUsers(): Promise<Running> {
    return this.#spawn('users', this.#entries.users, [], { PORT: String(this.#usersPort), DATA_DIR: join(this.tmpDir, 'users'), LEGACY_URL: this.legacyUrl });
  }

  async #spawn(name: string, entry: string, args: string[], env: NodeJS.ProcessEnv, cpu?: number): Promise<Running> {
    const isProxy = name === 'proxy';
    const tail: string[] = [];
    let readyAt = 0;
    let ready = false;
    const onLine = (line: string, stderr: boolean): void => {
      if (isProxy && !stderr && ready) return this.log.add(line);
      tail.push(line);
      if (tail.length > 15) tail.shift();
    };
    const readyLine = (line: string) => {
      const r = ready ? undefined : isProxy ? proxyListening(line) : appListening(line);
      if (r !== undefined) [ready, readyAt] = [true, epochMs()];
      return r;
    };
    const fullEnv: NodeJS.ProcessEnv = { ...process.env, HOST: '127.0.0.1', ...env };
    for (const k of Object.keys(fullEnv)) if (fullEnv[k] === undefined) delete fullEnv[k];
    const child = new Child<{ port: number; adminPort?: number }>(name, entry, { args, env: fullEnv, readyLine, onLine, cpu });
    this.#children.add(child);
    try {
      const { port, adminPort = 0 } = await child.waitReady(this.#startTimeoutMs);
      for (const p of [port, adminPort].filter((x) => x > 0)) await waitForConnect(name, '127.0.0.1', p, this.#startTimeoutMs);
      const running: Running = { child, port, adminPort, readyAt, tail };
      void child.exited.then((exit) => (running.exit = exit));
      return running;
    } catch (err) {
      child.signal('SIGKILL');
      await child.exited;
      this.#children.delete(child);
      throw new Error(`${(err as Error).message}${tail.length ? `\n  last lines:\n    ${tail.join('\n    ')}` : ''}`);
    }
  }

  #need(name: 'legacy' | 'users' | 'proxy'): Running {
    const r = this.#run[name];
    if (r === undefined) throw new Error(`${name} is not running`);
    return r;
  }
}

/**
 * A free loopback port below the kernel's ephemeral range, so that no outgoing connection made
 * while the users service is down can take it before the restart. Falls back to port 0's pick.
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
    if ((await listenOn(port)) !== 0) return port;
  }
  return listenOn(0);
}
