// The loopback upstreams of npm run fuzz and npm run soak: one node:http echo server per route, so
// that which server a request reached tells which route the proxy chose. Each records what it
// received (the request target exactly as sent, the raw header pairs) and checks it on arrival:
// the target must stay inside its route's prefix (escapeViews), no spoofable or hop-by-hop header
// may arrive, and node's strict parser must accept every request the proxy sends (an HPE_* error
// here means the proxy sent something malformed upstream). The client picks the answer with
// X-Fuzz-Resp: cl (default), chunked, 204, 304, hints (103 first), continue (unsolicited 100),
// empty, big (256 KiB chunked), echo (the request body streamed back).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Finding {
  readonly what: string;
  readonly route: string;
  readonly detail: string;
  /** X-Fuzz-Id of the request, to find the client's bytes. */
  readonly id: string | undefined;
}

export interface Echo {
  readonly prefix: string;
  readonly port: number;
  readonly url: string;
  received: number;
  close(): Promise<void>;
}

const BANNED = new Set(['proxy', 'forwarded', 'x-real-ip', 'true-client-ip', 'client-ip', 'x-forwarded-port', 'x-forwarded-prefix', 'x-original-url', 'x-rewrite-url', 'keep-alive', 'te', 'trailer', 'proxy-connection', 'expect']);
// (connection and upgrade are the proxy's own: undici's keep-alive, a forwarded WebSocket handshake.)
const pct = (s: string): string => s.replace(/%([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));

/** RFC 3986 5.2.4 on a path, climbing above the root clamped at the root (as servers do). */
export function removeDots(path: string): string {
  const out: string[] = [];
  const segs = path.split('/');
  for (let i = 1; i < segs.length; i++) {
    const s = segs[i]!;
    const last = i === segs.length - 1;
    if (s === '.' || s === '..') {
      if (s === '..') out.pop();
      if (last) out.push('');
    } else out.push(s);
  }
  return '/' + out.join('/');
}

/** How upstreams of every kind could read a forwarded target: raw, decoded once or twice, each with
 *  any of backslash-as-slash, merged slashes and `;params` stripped; dot segments removed last. */
export function escapeViews(target: string): string[] {
  const q = target.search(/[?#]/);
  const raw = q < 0 ? target : target.slice(0, q);
  const views: string[] = [];
  for (const d of [raw, pct(raw), pct(pct(raw))]) {
    for (let mask = 0; mask < 8; mask++) {
      let v = d;
      if (mask & 1) v = v.replaceAll('\\', '/');
      if (mask & 2) v = v.replace(/\/{2,}/g, '/');
      if (mask & 4) v = v.split('/').map((s) => s.split(';')[0]).join('/');
      views.push(removeDots(v));
    }
  }
  return views;
}

export const within = (prefix: string, path: string): boolean => prefix === '/' || path === prefix || path.startsWith(prefix + '/');

/** The first view of `target` outside `prefix`, or undefined. */
export function escapeOf(prefix: string, target: string): string | undefined {
  if (!target.startsWith('/')) return `not origin-form`;
  return escapeViews(target).find((v) => !within(prefix, v));
}

export interface EchoOptions {
  /** Answer 503 to this share of requests (the retry/breaker route). */
  readonly failShare?: number;
  readonly onFinding: (f: Finding) => void;
}

const BIG = Buffer.alloc(256 * 1024, 'abcdefghijklmnopqrstuvwxyz0123456789\n');

function answer(req: IncomingMessage, res: ServerResponse, prefix: string, bodyBytes: number): void {
  const kind = String(req.headers['x-fuzz-resp'] ?? 'cl');
  const json = Buffer.from(JSON.stringify({ route: prefix, method: req.method, url: req.url, bodyBytes }));
  if (kind === '204') return void res.writeHead(204).end();
  if (kind === '304') return void res.writeHead(304, { 'content-length': '5', etag: '"x"' }).end();
  if (kind === 'hints') res.writeEarlyHints({ link: '</a.css>; rel=preload' });
  if (kind === 'continue') res.writeContinue();
  if (kind === 'empty') return void res.writeHead(200, { 'content-length': '0' }).end();
  if (kind === 'chunked' || kind === 'big') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write(json);
    return void res.end(kind === 'big' ? BIG : json);
  }
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(json.length) }).end(json);
}

export async function startEcho(prefix: string, o: EchoOptions): Promise<Echo> {
  let n = 0;
  const server: Server = createServer({ requireHostHeader: false, keepAliveTimeout: 10_000 }, (req, res) => {
    echo.received++;
    const id = req.headers['x-fuzz-id'] as string | undefined;
    const target = req.url ?? '';
    const escaped = escapeOf(prefix, target);
    if (escaped !== undefined) o.onFinding({ what: 'escape', route: prefix, detail: `${JSON.stringify(target)} reads as ${JSON.stringify(escaped)}`, id });
    const names = new Set<string>();
    for (let i = 0; i < req.rawHeaders.length; i += 2) names.add(req.rawHeaders[i]!.toLowerCase());
    const leaked = [...names].filter((h) => BANNED.has(h) || (h.includes('_') && /^x_forwarded_|real_ip|client_ip/.test(h)));
    if (names.has('transfer-encoding') && names.has('content-length')) leaked.push('content-length with transfer-encoding');
    if (leaked.length > 0) o.onFinding({ what: 'leak', route: prefix, detail: `${leaked.join(', ')} reached the upstream`, id });
    if (req.headers['x-fuzz-resp'] === 'echo') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      req.pipe(res);
      return;
    }
    let bodyBytes = 0;
    req.on('data', (c: Buffer) => (bodyBytes += c.length));
    req.on('end', () => {
      if (o.failShare !== undefined && (n++ % 100) < o.failShare * 100) return void res.writeHead(503, { 'content-length': '0' }).end();
      answer(req, res, prefix, bodyBytes);
    });
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    // HPE_INVALID_EOF_STATE: the proxy closed mid-request, aborting a forward (not a malformed one).
    if (err.code?.startsWith('HPE_') && err.code !== 'HPE_INVALID_EOF_STATE') o.onFinding({ what: 'upstream-parse', route: prefix, detail: `${err.code}: ${err.message}`, id: undefined });
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const echo: Echo = {
    prefix, port, url: `http://127.0.0.1:${port}`, received: 0,
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
  return echo;
}
