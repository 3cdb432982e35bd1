// Real servers on 127.0.0.1 port 0 for proxy tests, and a proxy started from an inline routes.yaml.

import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { startStrangler, type Strangler } from '../../src/bootstrap.js';
import { createStreamLogger, type Logger } from '../../src/observability/logger.js';
import type { Clock, Random } from '../../src/util/clock.js';
import type { Ticker } from '../../src/canary/stepper.js';
import type { RecordersOptions } from '../../src/record/recorders.js';
import type { BodyBudget } from '../../src/policies/body-budget.js';

export interface Running {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

export interface Upstream extends Running {
  readonly server: http.Server;
  /** Every request the upstream received, in arrival order. */
  readonly received: http.IncomingMessage[];
}

export async function startUpstream(handler: http.RequestListener): Promise<Upstream> {
  const received: http.IncomingMessage[] = [];
  const server = http.createServer((req, res) => {
    received.push(req);
    handler(req, res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    received,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port on which nothing listens yet (bound once, then released): for a server a test starts
 *  on it later. For an upstream that must stay down, refusedPort(): a released port can be taken
 *  meanwhile by a server or an outgoing connection of a test file running in parallel. */
export async function closedPort(): Promise<number> {
  const s = net.createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

let refused: Promise<number> | null = null;

/** A port on 127.0.0.1 that refuses connections and goes on refusing them: 1 (tcpmux, unused),
 *  below the ephemeral range, so no listen(0) or outgoing connection can take it. Checked once;
 *  on a machine where something listens there, a released port (closedPort) as before. */
export function refusedPort(): Promise<number> {
  return (refused ??= new Promise<boolean>((resolve) => {
    const s = net.connect(1, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  }).then((ok) => (ok ? 1 : closedPort())));
}

export interface TestProxy extends Running {
  readonly proxy: Strangler;
  readonly adminUrl: string;
  /** The routes.yaml the proxy was started from (in its own temp dir). */
  readonly file: string;
  /** Parsed JSON log lines written so far. */
  readonly logs: Record<string, unknown>[];
  /** The logger the proxy writes to (a test-built front writes its lines to the same place). */
  readonly logger: Logger;
  /** Resolves with the first log line matching the predicate (already written or future). */
  logLine(match: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
}

export async function writeConfig(yaml: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'strangler-test-'));
  const file = path.join(dir, 'routes.yaml');
  await writeFile(file, yaml);
  return file;
}

export interface ProxyOptions {
  readonly adminToken?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** A test clock for canary halts and breakers, and a chance source for canary and shadow sampling. */
  readonly clock?: Clock;
  readonly random?: Random;
  /** The bound on kept request bodies (policies/body-budget.ts). */
  readonly bodies?: BodyBudget;
  /** How often server.tls's certificate files are read (default 1 s). */
  readonly certPollMs?: number;
  /** How long finished spans wait to be batched for export (server.tracing; default 5 s). */
  readonly traceDelayMs?: number;
  /** Watch routes.yaml (default true); false: only explicit reloads load it. */
  readonly watch?: boolean;
  /** The logger's level at start (default debug). */
  readonly logLevel?: string;
  /** What calls the progressive canaries' check (default a timer). */
  readonly canaryTicker?: Ticker;
  /** Recording's writers: the disk and the queue bounds (route key `record`). */
  readonly record?: RecordersOptions;
}

/** A clock that moves only when told to. */
export function testClock(start = 1_800_000_000_000): Clock & { advance(ms: number): void } {
  let now = start;
  return { now: () => now, advance: (ms) => void (now += ms) };
}

export async function startProxy(yaml: string, opts: ProxyOptions = {}): Promise<TestProxy> {
  const file = await writeConfig(yaml);
  const logs: Record<string, unknown>[] = [];
  const waiters: { match: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const text of chunk.toString().split('\n')) {
        if (text === '') continue;
        const line = JSON.parse(text) as Record<string, unknown>;
        logs.push(line);
        for (let i = waiters.length - 1; i >= 0; i--) {
          if (waiters[i]!.match(line)) waiters.splice(i, 1)[0]!.resolve(line);
        }
      }
      cb();
    },
  });
  const logger = createStreamLogger(opts.logLevel ?? 'debug', sink);
  const proxy = await startStrangler({
    configPath: file,
    logger,
    port: 0,
    host: '127.0.0.1',
    adminPort: 0,
    adminHost: '127.0.0.1',
    adminToken: opts.adminToken,
    env: opts.env ?? {},
    clock: opts.clock,
    random: opts.random,
    bodies: opts.bodies,
    certPollMs: opts.certPollMs,
    traceDelayMs: opts.traceDelayMs,
    ...(opts.watch === undefined ? {} : { watch: opts.watch }),
    canaryTicker: opts.canaryTicker,
    record: opts.record,
  });
  return {
    proxy,
    port: proxy.port,
    url: `http://127.0.0.1:${proxy.port}`,
    adminUrl: `http://127.0.0.1:${proxy.adminPort}`,
    file,
    logs,
    logger,
    logLine: (match) => {
      const found = logs.find(match);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
    close: () => proxy.shutdown(),
  };
}

/** One upstream URL per name, as a YAML `upstreams:` block. */
export function upstreamsYaml(map: Record<string, string>): string {
  return 'upstreams:\n' + Object.entries(map).map(([n, u]) => `  ${n}: { url: "${u}" }`).join('\n') + '\n';
}
