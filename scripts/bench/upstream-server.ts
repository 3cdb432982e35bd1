// Child program: the bench upstream. node:http with keep-alive; GET .../small answers a ~200-byte
// JSON body, GET .../large a 64 KiB body; precomputed buffers and headers, content-length set.
// Usage: node upstream-server.js --port P [--delay-ms D]
//   --delay-ms D   answer every request D ms after it arrived (the slow shadow upstream of the
//                  fixed-rate section); default 0: answer at once
// GET /__bench/requests answers {"requests":N}: how many requests arrived so far (this one not
// counted), so the fixed-rate section can tell how many shadow copies reached an upstream.
import { createServer, type ServerResponse } from 'node:http';
import { argValue, exitWithParent } from './parent-watch.js';
import { LARGE_BYTES, SMALL_BYTES } from './routes.js';

function jsonBody(bytes: number): Buffer {
  const head = '{"id":42,"name":"Ada Lovelace","email":"ada@example.com","pad":"';
  const tail = '"}';
  return Buffer.from(head + 'x'.repeat(Math.max(0, bytes - head.length - tail.length)) + tail);
}

const headers = (b: Buffer, type = 'application/json') => ({ 'content-type': type, 'content-length': String(b.length) });
const [small, large, notFound] = [jsonBody(SMALL_BYTES), Buffer.alloc(LARGE_BYTES, 'abcdefghijklmnopqrstuvwxyz0123456789\n'), Buffer.from('{"error":"not_found"}')];
const [smallHeaders, largeHeaders, notFoundHeaders] = [headers(small), headers(large, 'application/octet-stream'), headers(notFound)];

const delayIdx = process.argv.indexOf('--delay-ms');
const delayMs = delayIdx >= 0 ? Number(process.argv[delayIdx + 1]) : 0;
if (!Number.isInteger(delayMs) || delayMs < 0) throw new Error(`--delay-ms must be an integer >= 0`);
const COUNT_PATH = '/__bench/requests';
let requests = 0;

function answer(path: string, res: ServerResponse): void {
  if (path.endsWith('/small')) {
    res.writeHead(200, smallHeaders);
    res.end(small);
  } else if (path.endsWith('/large')) {
    res.writeHead(200, largeHeaders);
    res.end(large);
  } else if (path === COUNT_PATH) {
    const body = Buffer.from(JSON.stringify({ requests }));
    res.writeHead(200, headers(body));
    res.end(body);
  } else {
    res.writeHead(404, notFoundHeaders);
    res.end(notFound);
  }
}

/** The strangler-trace rows export their spans here (OTLP/HTTP): taken whole, answered 200, not counted. */
const TRACES_PATH = '/v1/traces';
const tracesHeaders = { 'content-type': 'application/x-protobuf', 'content-length': '0' };

const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (path === COUNT_PATH) return answer(path, res);
  if (path === TRACES_PATH) return void req.resume().once('end', () => res.writeHead(200, tracesHeaders).end()); // the tracing rows' OTLP sink
  requests++;
  if (delayMs === 0) answer(path, res);
  else setTimeout(answer, delayMs, path, res);
});
server.keepAliveTimeout = 60_000;
server.headersTimeout = 65_000;
server.listen(Number(argValue('--port')), '127.0.0.1');
exitWithParent(() => process.exit(0));
