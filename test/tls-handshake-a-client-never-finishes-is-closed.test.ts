// A TLS handshake is bounded (README: by headersTimeoutMs, 20 s when that is 0): a client that
// connects to the TLS port and then says nothing, or stops halfway through its ClientHello, has
// its connection closed by the proxy. (Node reports the timeout as tlsClientError and leaves the
// socket to whoever listens for that; the proxy listens, so it closes it.)
import net from 'node:net';
import { once } from 'node:events';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TestPki } from './helpers/pki.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

const pki = new TestPki();
let upstream: Upstream;
let proxy: TestProxy;

beforeAll(async () => {
  const leaf = pki.issue({ names: ['127.0.0.1'] });
  upstream = await startUpstream((_req, res) => res.end('ok'));
  proxy = await startProxy(`server:\n  headersTimeoutMs: 300\n  tls: { cert: ${leaf.certFile}, key: ${leaf.keyFile} }\n` + upstreamsYaml({ app: upstream.url }) + 'routes:\n  - { prefix: /, upstream: app }\n');
});

afterAll(async () => {
  await proxy?.close();
  await upstream?.close();
  pki.cleanup();
});

/** Connects, sends `bytes`, and resolves with what came back once the proxy closed the connection. */
async function closedAfter(bytes: Buffer): Promise<Buffer> {
  const socket = net.connect(proxy.port, '127.0.0.1');
  await once(socket, 'connect');
  const got: Buffer[] = [];
  socket.on('data', (b: Buffer) => got.push(b));
  socket.on('error', () => {}); // (a reset is a close too)
  if (bytes.length > 0) socket.write(bytes);
  await once(socket, 'close');
  return Buffer.concat(got);
}

it('closes a connection that never starts its handshake', async () => {
  expect(await closedAfter(Buffer.alloc(0))).toEqual(Buffer.alloc(0));
}, 15_000);

it('closes a connection that stops halfway through its ClientHello', async () => {
  // A TLS record header announcing 512 bytes of handshake, then the first bytes of a ClientHello.
  const partial = Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, 0x00, 0x01, 0x02]);
  expect((await closedAfter(partial)).length).toBe(0);
}, 15_000);
