// The bench's open-loop generator speaks HTTP/2 with node:http2 sessions: each request is a stream
// on the next session in turn (so C connections carry the load, as the HTTP/1.1 rows' C
// connections do), the answer's status and body size come back, and a stream the server resets
// is reported as an error, not as an answer.
import http2, { constants } from 'node:http2';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, expect, it } from 'vitest';
import { H2Sender, type Answer } from '../bench/h2-sender.js';
import { TestPki } from '../lib/pki.js';

const pki = new TestPki();
const leaf = pki.issue({ names: ['localhost', '127.0.0.1'] });
afterAll(() => pki.cleanup());

interface Got {
  status: number;
  bytes: number;
  err: Error | null;
}

function ask(sender: H2Sender): Promise<Got> {
  return new Promise((resolve) => {
    const got: Got = { status: 0, bytes: 0, err: null };
    const a: Answer = {
      head: (s) => { got.status = s; },
      data: (n) => { got.bytes += n; },
      done: (err) => resolve({ ...got, err }),
    };
    sender.send(a);
  });
}

it('sends each request on the next session and reports status, body size and resets', async () => {
  const sessions = new Set<http2.ServerHttp2Session>();
  const streamsOn = new Map<http2.Http2Session, number>();
  const server = http2.createSecureServer({ cert: leaf.cert, key: leaf.key });
  server.on('session', (s) => sessions.add(s));
  server.on('stream', (stream, headers) => {
    streamsOn.set(stream.session!, (streamsOn.get(stream.session!) ?? 0) + 1);
    stream.on('error', () => {}); // (the reset below errors the server's own stream too)
    if (headers[':path'] === '/reset') return stream.close(constants.NGHTTP2_INTERNAL_ERROR);
    stream.respond({ ':status': headers['x-want'] === '404' ? 404 : 200 });
    stream.end(Buffer.alloc(200, 'x'));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const ca = Buffer.from(pki.ca);

  const sender = new H2Sender(origin, '/small', 3, { host: 'localhost', 'x-want': '200' }, ca);
  const answers = await Promise.all([1, 2, 3, 4, 5, 6].map(() => ask(sender)));
  expect(answers).toEqual(Array.from({ length: 6 }, () => ({ status: 200, bytes: 200, err: null })));
  expect([...streamsOn.values()]).toEqual([2, 2, 2]);

  const notFound = new H2Sender(origin, '/small', 1, { host: 'localhost', 'x-want': '404' }, ca);
  expect(await ask(notFound)).toEqual({ status: 404, bytes: 200, err: null });

  const reset = new H2Sender(origin, '/reset', 1, { host: 'localhost' }, ca);
  const r = await ask(reset);
  expect(r.err).toBeInstanceOf(Error);
  expect(r.status).toBe(0);

  for (const s of [sender, notFound, reset]) s.close();
  for (const s of sessions) s.destroy();
  server.close();
});
