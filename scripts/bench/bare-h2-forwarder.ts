// Child program: the floor of an HTTP/2 front door in Node: node:http2 over TLS (h2 and, for the
// readiness check, HTTP/1.1 by ALPN on one port) + one undici Pool, on node:http2's stream API
// (cheaper than its compat API, which waits for trailers on every stream), no routing table, no
// header rules, no logs, no metrics, no timeouts. Beside plain strangler it shows where issue 12's
// HTTP/2 bar lies against what node:http2 itself costs.
// Usage: node bare-h2-forwarder.js --port P --upstream URL --cert FILE --key FILE
import { readFileSync } from 'node:fs';
import http2, { type IncomingHttpHeaders, type OutgoingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import { Pool, type Dispatcher } from 'undici';
import { argValue, exitWithParent } from './parent-watch.js';

const pool = new Pool(argValue('--upstream'), { connections: 128, pipelining: 1, headersTimeout: 0, bodyTimeout: 0 });
const pathOf = (url: string): string => (url.startsWith('/api/users') ? '/users' + url.slice('/api/users'.length) : url);
/** Response fields HTTP/2 does not carry (RFC 9113 8.2.2). */
const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);
/** Every option named, as strangler names them (respond() copies the options and sets endStream
 *  on the copy); the upstream's Date is relayed. */
const RESPOND = { endStream: false, waitForTrailers: false, sendDate: false };

/** The request's fields as the HTTP/1.1 bare forwarder sends them (its client's, as they came):
 *  all but the pseudo-headers, and the Host the :authority names. */
function requestHeaders(headers: IncomingHttpHeaders): string[] {
  const out = ['host', String(headers[':authority'])];
  for (const name in headers) {
    if (name.startsWith(':')) continue;
    const v = headers[name]!;
    if (Array.isArray(v)) for (const one of v) out.push(name, one);
    else out.push(name, String(v));
  }
  return out;
}

function onStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
  stream.on('error', () => {});
  let resume: () => void = () => {};
  const handler = {
    onConnect(abort: () => void) {
      stream.once('close', () => {
        if (!stream.writableFinished) abort(); // (a reset stream: its upstream request stops too)
      });
    },
    onHeaders(status: number, raw: Buffer[], r: () => void): boolean {
      resume = r;
      const out: OutgoingHttpHeaders = { ':status': status };
      for (let i = 0; i < raw.length; i += 2) {
        const name = raw[i]!.toString('latin1').toLowerCase();
        if (!CONNECTION_SPECIFIC.has(name)) out[name] = raw[i + 1]!.toString('latin1');
      }
      stream.respond(out, RESPOND);
      return true;
    },
    onData(chunk: Buffer): boolean {
      if (stream.write(chunk)) return true;
      stream.once('drain', resume);
      return false;
    },
    onComplete() {
      stream.end();
    },
    onError() {
      if (!stream.headersSent && !stream.destroyed) stream.respond({ ':status': 502 }, { endStream: true });
      else stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
    },
  };
  const path = pathOf(String(headers[':path']));
  const dispatch = { path, method: String(headers[':method']), headers: requestHeaders(headers), body: null };
  pool.dispatch(dispatch, handler as unknown as Dispatcher.DispatchHandler);
}

const server = http2.createSecureServer({ cert: readFileSync(argValue('--cert')), key: readFileSync(argValue('--key')), allowHTTP1: true });
server.on('stream', onStream);
// HTTP/1.1 over TLS (the bench's readiness check), answered from the upstream. node:http2 would
// serve every HTTP/2 stream through its compat API as soon as a 'request' listener is added (its
// 'newListener' hook): removed first, so the streams stay on the stream API above.
server.removeAllListeners('newListener');
server.on('request', (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => {
  pool.request({ path: pathOf(req.url), method: 'GET' }).then(
    async (r) => res.writeHead(r.statusCode).end(Buffer.from(await r.body.arrayBuffer())),
    () => res.writeHead(502).end(),
  );
});
server.listen(Number(argValue('--port')), '127.0.0.1');
exitWithParent(() => process.exit(0));
