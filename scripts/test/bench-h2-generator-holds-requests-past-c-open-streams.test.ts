// The bench's HTTP/2 generator keeps at most C streams open (C: its sessions), as the HTTP/1.1
// rows' C connections carry at most C requests: past that, a request waits in the generator, in
// order, and is sent once a stream ends. Unbounded, a load core that fell behind let the streams
// pile up inside the proxy under test, which then measured a backlog the HTTP/1.1 rows never
// see. A request aborted while it waits is never sent.
import http2, { type ServerHttp2Stream } from 'node:http2';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, expect, it } from 'vitest';
import { H2Sender } from '../bench/h2-sender.js';
import { TestPki } from '../lib/pki.js';

const pki = new TestPki();
const leaf = pki.issue({ names: ['localhost', '127.0.0.1'] });
afterAll(() => pki.cleanup());

it('sends a request past C open streams only once one ends, and never one aborted while waiting', async () => {
  const held: ServerHttp2Stream[] = [];
  let arrived: () => void = () => {};
  const server = http2.createSecureServer({ cert: leaf.cert, key: leaf.key });
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (s) => sessions.add(s));
  server.on('stream', (stream) => {
    stream.on('error', () => {});
    held.push(stream);
    arrived();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const streamsArrived = (n: number): Promise<void> =>
    new Promise((resolve) => {
      arrived = () => held.length >= n && resolve();
      arrived();
    });
  const answer = (stream: ServerHttp2Stream): void => {
    stream.respond({ ':status': 200 });
    stream.end('ok');
  };

  // Two sessions, so two streams at most; five requests.
  const sender = new H2Sender(origin, '/', 2, { host: 'localhost' }, Buffer.from(pki.ca));
  const done: (Error | null)[] = [];
  let fourDone: () => void = () => {};
  const allDone = new Promise<void>((resolve) => (fourDone = resolve));
  const send = (): ((err: Error) => void) =>
    sender.send({ head: () => {}, data: () => {}, done: (err) => done.push(err) === 4 && fourDone() });
  send();
  send();
  send();
  const abortFourth = send();
  send();
  await streamsArrived(2);
  expect(held).toHaveLength(2); // (two open; the other three wait in the generator)

  abortFourth(new Error('timeout'));
  answer(held[0]!);
  await streamsArrived(3);
  answer(held[1]!);
  await streamsArrived(4);
  answer(held[2]!);
  answer(held[3]!);
  await allDone;
  expect(held).toHaveLength(4); // (the aborted fourth was never sent: the fifth took its place)
  expect(done).toEqual([null, null, null, null]);

  sender.close();
  for (const s of sessions) s.destroy();
  server.close();
});
