// Upstreams that misbehave the way real ones do, on 127.0.0.1 port 0: refuse connections, reset
// the socket after reading the request, hang before headers, send headers then stall, fail N
// times then answer, close idle keep-alive sockets (with and without the Keep-Alive hint).
// Every one counts what reached it: arrivals (with their bodies and sockets) and connections.
// Nothing here knows the proxy: these are plain servers the proxy talks to over real sockets.

import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { refusedPort } from './servers.js';

/** One request as the upstream received it. */
export interface Arrival {
  /** 1-based arrival number. */
  readonly n: number;
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly socket: net.Socket;
  /** The whole request body, once read (every upstream here reads it before misbehaving). */
  readonly body: Promise<Buffer>;
  /** Resolves when this request's socket has closed (on the upstream's side). */
  readonly socketClosed: Promise<void>;
}

/** What an upstream does with one request, once it has read the whole body. */
export type Behaviour =
  | { readonly kind: 'reset' }
  | { readonly kind: 'hang' }
  | { readonly kind: 'stall'; readonly status: number; readonly headers: Record<string, string>; readonly firstChunk: string }
  | { readonly kind: 'answer'; readonly status: number; readonly headers?: Record<string, string>; readonly body?: string | Buffer }
  | { readonly kind: 'custom'; readonly handle: (req: http.IncomingMessage, res: http.ServerResponse, a: Arrival) => void };

export const reset: Behaviour = { kind: 'reset' };
export const hang: Behaviour = { kind: 'hang' };
export const answer = (status: number, body: string | Buffer = '', headers: Record<string, string> = {}): Behaviour => ({
  kind: 'answer',
  status,
  body,
  headers,
});
export const stall = (firstChunk = 'first-bytes', status = 200): Behaviour => ({
  kind: 'stall',
  status,
  headers: { 'content-type': 'text/plain', 'content-length': '1000' },
  firstChunk,
});

export interface Misbehaving {
  readonly url: string;
  readonly port: number;
  readonly server: http.Server;
  /** Every request that reached this upstream, in arrival order. */
  readonly arrivals: Arrival[];
  /** Every TCP connection this upstream accepted. */
  readonly connections: net.Socket[];
  /** Resolves with the n-th arrival (1-based), already there or future. */
  arrival(n: number): Promise<Arrival>;
  /** Destroys every open socket (e.g. to end a stalled response mid-body). */
  destroySockets(): void;
  close(): Promise<void>;
}

export interface ScriptOptions {
  /** node:http keepAliveTimeout (ms; 0 = never close idle sockets). Node announces it as `Keep-Alive: timeout=<s>`. */
  readonly keepAliveTimeoutMs?: number;
}

/**
 * An upstream that treats its n-th request (1-based) with `script[n-1]`; the last step repeats.
 * A function script decides per arrival.
 */
export async function scripted(script: readonly Behaviour[] | ((a: Arrival) => Behaviour), opts: ScriptOptions = {}): Promise<Misbehaving> {
  const arrivals: Arrival[] = [];
  const connections: net.Socket[] = [];
  const open = new Set<net.Socket>();
  const waiters: { n: number; resolve: (a: Arrival) => void }[] = [];
  const pick = typeof script === 'function' ? script : (a: Arrival) => script[Math.min(a.n, script.length) - 1]!;

  const server = http.createServer((req, res) => {
    const socket = req.socket;
    const body = new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.once('end', () => resolve(Buffer.concat(chunks)));
      req.once('error', reject);
    });
    body.catch(() => {});
    const socketClosed = closedOf(socket);
    const a: Arrival = { n: arrivals.length + 1, method: req.method!, url: req.url!, headers: req.headers, socket, body, socketClosed };
    arrivals.push(a);
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (waiters[i]!.n === a.n) waiters.splice(i, 1)[0]!.resolve(a);
    }
    const step = pick(a);
    void body.then(
      () => act(step, req, res, a),
      () => {},
    );
  });
  if (opts.keepAliveTimeoutMs !== undefined) server.keepAliveTimeout = opts.keepAliveTimeoutMs;
  server.on('connection', (s: net.Socket) => {
    connections.push(s);
    open.add(s);
    s.once('close', () => open.delete(s));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    arrivals,
    connections,
    arrival: (n) => {
      const found = arrivals[n - 1];
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ n, resolve }));
    },
    destroySockets: () => {
      for (const s of open) s.destroy();
    },
    close: async () => {
      server.closeAllConnections();
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const closing = new WeakMap<net.Socket, Promise<void>>();
/** One 'close' promise per socket (keep-alive sockets carry many requests). */
function closedOf(socket: net.Socket): Promise<void> {
  let p = closing.get(socket);
  if (p === undefined) {
    // Not events.once: that rejects on 'error', and a reset socket emits one before 'close'.
    p = socket.destroyed ? Promise.resolve() : new Promise<void>((resolve) => socket.once('close', () => resolve()));
    closing.set(socket, p);
  }
  return p;
}

function act(step: Behaviour, req: http.IncomingMessage, res: http.ServerResponse, a: Arrival): void {
  switch (step.kind) {
    case 'reset':
      // An RST, after the whole request was read: the request reached the upstream.
      req.socket.resetAndDestroy();
      return;
    case 'hang':
      return; // never answers; the socket stays open until the other side gives up
    case 'stall':
      res.writeHead(step.status, step.headers);
      res.write(step.firstChunk); // ... and never the rest
      return;
    case 'answer': {
      const body = step.body ?? '';
      const headers: Record<string, string> = {
        'content-type': 'text/plain',
        'content-length': String(Buffer.byteLength(body)),
        ...step.headers,
      };
      res.writeHead(step.status, headers);
      res.end(body);
      return;
    }
    case 'custom':
      step.handle(req, res, a);
  }
}

/** (a) An upstream URL on which nothing listens: every connection is refused. */
export async function refusing(): Promise<{ url: string; port: number }> {
  const port = await refusedPort();
  return { url: `http://127.0.0.1:${port}`, port };
}

/** (b) Reads each request whole, then resets the socket (RST). */
export const resetting = (): Promise<Misbehaving> => scripted([reset]);

/** (c) Reads each request, never answers. */
export const hanging = (): Promise<Misbehaving> => scripted([hang]);

/** (d) Sends the head and a first chunk of a 1000-byte body, then nothing more. */
export const stalling = (): Promise<Misbehaving> => scripted([stall()]);

/** (e) Answers `status` to the first `n` requests, then 200 `ok`. */
export const failingThenOk = (n: number, status = 503, body = 'unavailable'): Promise<Misbehaving> =>
  scripted((a) => (a.n <= n ? answer(status, body) : answer(200, 'ok')));

/**
 * (f) A keep-alive upstream that closes sockets idle for longer than `idleMs` (1 s).
 * With `hint`: node:http's own keepAliveTimeout, announced as `Keep-Alive: timeout=1` (note: Node
 * 20 actually closes such a socket about 1 s after the announced time). Without: no hint at all
 * (`Connection: keep-alive` set by the handler keeps Node from adding one), Node's timer off, and
 * our own timer destroys a socket `idleMs` after its last response finished, as servers that never
 * announce their idle timeout do.
 */
export async function idleClosing(hint: boolean, idleMs = 1000): Promise<Misbehaving> {
  const timers = new WeakMap<net.Socket, NodeJS.Timeout>();
  const u = await scripted(
    [
      {
        kind: 'custom',
        handle: (req, res) => {
          const socket = req.socket;
          clearTimeout(timers.get(socket));
          const body = `${req.method} ${req.url}`;
          const headers: Record<string, string> = { 'content-type': 'text/plain', 'content-length': String(Buffer.byteLength(body)) };
          if (!hint) {
            headers.connection = 'keep-alive';
            res.once('finish', () => timers.set(socket, setTimeout(() => socket.destroy(), idleMs)));
          }
          res.writeHead(200, headers);
          res.end(body);
        },
      },
    ],
    { keepAliveTimeoutMs: hint ? idleMs : 0 },
  );
  if (!hint) {
    // A request arriving on a kept socket cancels its idle timer before the handler runs.
    u.server.prependListener('request', (req: http.IncomingMessage) => clearTimeout(timers.get(req.socket)));
  }
  return u;
}

/**
 * (f') The race no waiting avoids: the upstream's idle close crossing the next request on the wire.
 * The first request on each connection is answered (keep-alive, no hint); the next request on that
 * same connection meets a socket the upstream closes without answering, as if its idle timer had
 * fired while the request was in flight. (Counted as an arrival: the upstream may have read it.)
 */
export function idleCloseCrossing(): Promise<Misbehaving> {
  const served = new WeakSet<net.Socket>();
  return scripted((a): Behaviour => {
    if (served.has(a.socket)) return { kind: 'custom', handle: (req) => req.socket.destroy() };
    served.add(a.socket);
    return answer(200, `${a.method} ${a.url}`, { connection: 'keep-alive' });
  });
}

/** Reads a raw HTTP/1.1 response head from `port` for `GET path` (to see what an upstream says). */
export async function rawHead(port: number, path = '/'): Promise<string> {
  const socket = net.connect(port, '127.0.0.1');
  socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  let text = '';
  for await (const chunk of socket) {
    text += (chunk as Buffer).toString('latin1');
    if (text.includes('\r\n\r\n')) break;
  }
  socket.destroy();
  return text.slice(0, text.indexOf('\r\n\r\n'));
}

// Admin-side observations -------------------------------------------------------------------------

/** Sum of the samples of `name` whose labels include `labels` (0 when there is none). */
export async function metric(adminUrl: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(adminUrl + '/metrics')).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{') && !line.startsWith(name + ' ')) continue;
    const open = line.indexOf('{');
    const close = line.lastIndexOf('}');
    const have: Record<string, string> = {};
    if (open !== -1 && open < name.length + 1) {
      for (const m of line.slice(open + 1, close).matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) have[m[1]!] = m[2]!;
    }
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/** The `/routes` entry of the route with `prefix`. */
export async function routeState(adminUrl: string, prefix: string): Promise<{ state: Record<string, unknown> } & Record<string, unknown>> {
  const table = (await (await fetch(adminUrl + '/routes')).json()) as { routes: ({ prefix: string; state: Record<string, unknown> } & Record<string, unknown>)[] };
  const route = table.routes.find((r) => r.prefix === prefix);
  if (route === undefined) throw new Error(`no route ${prefix} in /routes`);
  return route;
}
