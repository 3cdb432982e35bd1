// The fuzz inputs: request heads (and bodies) built from a seeded PRNG, each a mutation of a plain
// GET/POST to one of the fuzz routes: methods, versions, targets (dot segments raw, %2e/%2E,
// double-encoded %252e, backslashes, ;params, ..;, merged slashes, NUL/CTL, absolute form, *),
// Host, Content-Length and Transfer-Encoding (huge, duplicate, conflicting, obfuscated), obs-fold,
// bad field lines, Expect, Upgrade, spoofable headers, truncated or overlong bodies, bare LF.
// A case is one connection: one request, several sent in turn on keep-alive, or a pipelined
// pair; sometimes written in pieces, sometimes half-closed after the last write.

export interface FuzzRequest {
  readonly bytes: Buffer;
  readonly method: string;
  /** Bytes smuggled past the body of the entry before it, and written with it (RFC 9112: the next
   * request on the connection): a request of its own, or a fragment that can start no request,
   * answered by a closing 400 (with whatever follows it, when pipelined). */
  readonly spare?: 'request' | 'fragment';
}
export interface FuzzCase {
  readonly id: number;
  readonly requests: FuzzRequest[];
  /** seq: each request after the previous response; pipe: all at once. */
  readonly mode: 'seq' | 'pipe';
  readonly halfClose: boolean;
  /** Write the bytes in this many pieces. */
  readonly pieces: number;
}

type Rng = () => number;
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const chance = (r: Rng, p: number): boolean => r() < p;

export const ROUTE_PREFIXES = ['/public', '/api', '/retry'] as const;
const PREFIXES = [...ROUTE_PREFIXES, ...ROUTE_PREFIXES, '/public/admin', '/nope', '', '/PUBLIC', '/api/v1'];
const SEGMENTS = [
  'a', 'admin', 'x.json', 'v1', '.', '..', '%2e', '%2E', '%2e%2e', '.%2e', '%2E.', '%252e', '%252e%252e', '%252E.', '.%252e',
  '..;', '..;x', '.;', '..%3b', '..%3B', '..%253b', '%2e%2e;a', 'a;b=c', ';', '', '\\..', '..\\', '%5c', '%5C..', '%255c',
  '%2f', '%2F..', '%252f', '%00', '%2500', '\x00', '\x01', '\t', '\x7f', ' ', '%20', '%c0%ae%c0%ae', '%u002e', '~', '%7e',
  '\xe9', '%', '%g1', '%2', '@', '*', ':', '..%00', '%25%32%65%25%32%65', '%2525', '...', '..%2f', '%3f', '%23',
];
const METHODS = ['GET', 'GET', 'GET', 'GET', 'POST', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'];
const ODD_METHODS = ['get', 'CONNECT', 'TRACE', 'PRI', 'G\x00T', 'GE T', '', 'M'.repeat(300), 'PROPFIND', 'BREW', 'GET\t'];
const VERSIONS = ['HTTP/1.0', 'HTTP/2.0', 'HTTP/1.2', 'HTTP/0.9', 'http/1.1', 'HTTP/1.1 ', 'HTTP/11', 'HTTP/1.1\x00', '', 'HTTP/3'];
const RESPONSES = ['cl', 'cl', 'cl', 'chunked', 'chunked', '204', '304', 'hints', 'continue', 'empty', 'big'];
// Spellings of the body's length N (so that a reading that accepts one frames the body exactly).
const CONTENT_LENGTHS = ['99999999999999999999', '-1', '+N', '0xN', ' N', 'N ', '00N', 'N, N', 'N,N6', '', '1e3'];
const SMUGGLED = ['GET /api/smuggled HTTP/1.1\r\nHost: x\r\n\r\n', 'xyz', '\r\n'];
const TRANSFER_ENCODINGS = ['chunked, identity', 'identity, chunked', ' chunked', 'xchunked', 'chunked\x0b', 'CHUNKED', 'gzip, chunked', 'chunked;q=1', 'identity'];
const FIELDS = [
  'X-Folded: a\r\n b', 'Foo : bar', 'Fo\x01o: x', 'X-Nul: a\x00b', 'X-Cr: a\rb', 'no colon here', ': empty-name', 'X-Lf: a\nb',
  'X-Forwarded-For: evil', 'X_Forwarded_For: 6.6.6.6', 'Proxy: http://evil.test', 'Forwarded: for=6.6.6.6', 'X-Real-IP: 6.6.6.6',
  'X-Original-URL: /admin', 'X-Rewrite-URL: /admin', 'Connection: close', 'Connection: keep-alive', 'Connection: x-fuzz-resp',
  'Keep-Alive: timeout=99', 'TE: trailers', 'Proxy-Connection: keep-alive', 'Expect: 100-continue', 'Expect: bogus',
  'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13',
  'Upgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA', 'Upgrade: foo',
  `X-Big: ${'b'.repeat(20_000)}`, Array.from({ length: 150 }, (_, i) => `X-Many-${i}: ${i}`).join('\r\n'), 'Host: second.test',
  'X-Request-Id: \x7fbad', 'Trailer: X-T', 'Content-Type: text/plain', 'Transfer-Encoding: chunked',
];

function target(r: Rng): string {
  const n = Math.floor(r() * 5);
  let path = pick(r, PREFIXES);
  for (let i = 0; i < n; i++) path += (chance(r, 0.85) ? '/' : pick(r, ['//', '\\', '/./', '///'])) + (chance(r, 0.4) ? pick(r, ['a', 'b', 'x.json']) : pick(r, SEGMENTS));
  if (chance(r, 0.1)) path += '/';
  if (path === '' || chance(r, 0.03)) path = '/' + path;
  if (chance(r, 0.1)) path += '?' + pick(r, ['q=1', 'a=..%2f', '../x', 'x#y', '']);
  if (chance(r, 0.02)) path += '#frag';
  const form = r();
  if (form < 0.08) return pick(r, ['http://fuzz.test', 'https://fuzz.test', 'HTTP://Fuzz.Test:80', 'http://u:p@fuzz.test', 'http://fuzz.test:99999', 'ftp://fuzz.test', 'http://']) + path;
  if (form < 0.1) return pick(r, ['*', '', 'public/a', '//public', 'http:/public', '/public?x', '%2fpublic']);
  return path;
}

/** A body of `n` bytes, sent chunked in 1..3 chunks when `chunked`. */
function body(r: Rng, n: number, chunked: boolean, eol: string): string {
  const data = 'x'.repeat(n);
  if (!chunked) return data;
  let out = '';
  for (let at = 0; at < n; ) {
    const size = Math.min(n - at, 1 + Math.floor(r() * n));
    out += `${size.toString(16)}${chance(r, 0.05) ? ';ext=1' : ''}${eol}${data.slice(at, at + size)}${eol}`;
    at += size;
  }
  return out + `0${eol}${eol}`;
}

/** One request, and the bytes smuggled past its body (the 'long' framing) as an entry of their own. */
export function fuzzRequest(r: Rng, id: number): FuzzRequest[] {
  const method = chance(r, 0.9) ? pick(r, METHODS) : pick(r, ODD_METHODS);
  const version = chance(r, 0.88) ? 'HTTP/1.1' : pick(r, VERSIONS);
  const eol = chance(r, 0.97) ? '\r\n' : pick(r, ['\n', '\r', '\r\r\n']);
  const lines = [`${method} ${target(r)} ${version}`];
  if (chance(r, 0.96)) lines.push(`Host: ${chance(r, 0.9) ? 'fuzz.test' : pick(r, ['', 'a b', 'h:99999', '[::1]:80', 'evil.test\x00', 'FUZZ.TEST.', 'x@y'])}`);
  lines.push(`X-Fuzz-Id: ${id}`, `X-Fuzz-Resp: ${pick(r, RESPONSES)}`);
  for (let k = Math.floor(r() * 3) * (chance(r, 0.4) ? 1 : 0); k > 0; k--) lines.push(pick(r, FIELDS));
  const n = method === 'POST' || method === 'PUT' || chance(r, 0.05) ? Math.floor(r() * (chance(r, 0.05) ? 100_000 : 600)) : 0;
  const framing = n === 0 && chance(r, 0.9) ? 'none' : chance(r, 0.6) ? pick(r, ['cl', 'cl', 'chunked']) : pick(r, ['short', 'long', 'badchunk', 'truncchunk', 'cl+te', 'te-odd', 'cl-dup', 'cl-odd', 'te-10']);
  let [payload, spare] = ['', ''];
  switch (framing) {
    case 'none': break;
    case 'cl': lines.push(`Content-Length: ${n}`); payload = body(r, n, false, eol); break;
    case 'chunked': lines.push('Transfer-Encoding: chunked'); payload = body(r, n, true, eol); break;
    case 'short': lines.push(`Content-Length: ${n + 1 + Math.floor(r() * 50)}`); payload = body(r, n, false, eol); break;
    case 'long': lines.push(`Content-Length: ${n}`); payload = body(r, n, false, eol); spare = pick(r, SMUGGLED); break;
    case 'badchunk': lines.push('Transfer-Encoding: chunked'); payload = pick(r, ['zz\r\nabc\r\n0\r\n\r\n', 'ffffffffffffffffff\r\nx\r\n', '3\r\nabcdef\r\n0\r\n\r\n', '3;\x00\r\nabc\r\n0\r\n\r\n', '-1\r\n\r\n', '3\nabc\n0\n\n', '0x3\r\nabc\r\n0\r\n\r\n']); break;
    case 'truncchunk': lines.push('Transfer-Encoding: chunked'); payload = `a${eol}01234`; break;
    case 'cl+te': lines.push(`Content-Length: ${n}`, 'Transfer-Encoding: chunked'); payload = body(r, n, chance(r, 0.5), eol); break;
    case 'te-odd': lines.push(`Transfer-Encoding: ${pick(r, TRANSFER_ENCODINGS)}`); payload = body(r, n, chance(r, 0.5), eol); break;
    case 'te-10': lines[0] = lines[0]!.replace(/ \S*$/, ' HTTP/1.0'); lines.push('Transfer-Encoding: chunked'); payload = body(r, n, true, eol); break;
    case 'cl-dup': lines.push(`Content-Length: ${n}`, `Content-Length: ${chance(r, 0.5) ? n : n + 1}`); payload = body(r, n, false, eol); break;
    case 'cl-odd': lines.push(`Content-Length: ${pick(r, CONTENT_LENGTHS).replace(/N/g, String(n))}`); payload = body(r, n, false, eol); break;
  }
  if (chance(r, 0.02)) lines.splice(1 + Math.floor(r() * (lines.length - 1)), 0, pick(r, FIELDS)); // a field anywhere
  const head = lines.join(eol) + eol + eol;
  // An empty line before a request line is ignored (RFC 9112 section 2.2): no entry of its own.
  const own = Buffer.from(head + payload + (spare === '\r\n' ? spare : ''), 'latin1');
  const entry: FuzzRequest = { bytes: own, method };
  if (spare === '' || spare === '\r\n') return [entry];
  return [entry, { bytes: Buffer.from(spare, 'latin1'), method: spare.split(' ')[0]!, spare: spare === 'xyz' ? 'fragment' : 'request' }];
}

export function fuzzCase(r: Rng, id: number, nextId: () => number): FuzzCase {
  const shape = r();
  const count = shape < 0.5 ? 1 : shape < 0.8 ? 2 + Math.floor(r() * 3) : 2;
  const requests = Array.from({ length: count }, () => fuzzRequest(r, nextId())).flat();
  return { id, requests, mode: shape < 0.8 ? 'seq' : 'pipe', halfClose: chance(r, 0.08), pieces: chance(r, 0.1) ? 2 + Math.floor(r() * 4) : 1 };
}
