// An HTTP/2 client over TLS stops reading a big download, so that the proxy's writes back up to a
// full socket send buffer, and then goes away (its socket destroyed with bytes unread: RST).
// node:http2 stops reading a session's socket while a write is in progress, and the write that
// then fails is never reported (src/forward/h2-hangup.ts): without help, nothing closed, the
// upstream request stayed open until shutdown (idleTimeoutMs: 0), with no access line. The client
// here is raw frames on a TLS socket, so that it reads nothing at all once it has the head (a
// node:http2 client keeps reading its socket while its stream is paused).
import tls from 'node:tls';
import { once } from 'node:events';
import type { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { startProxy, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';
import { endlessDownload } from './helpers/endless-download.js';
import { startTlsFront, type TlsFront } from './helpers/h2-front.js';
import { LOG } from '../src/observability/log-messages.js';

let up: Upstream | undefined;
let proxy: TestProxy | undefined;
let front: TlsFront | undefined;
let client: tls.TLSSocket | undefined;
afterEach(async () => {
  client?.destroy();
  await front?.close();
  await proxy?.close();
  await up?.close();
  client = front = proxy = up = undefined;
});

function frame(type: number, flags: number, stream: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(payload.length, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(stream, 5);
  return Buffer.concat([head, payload]);
}

/** HPACK literal without indexing: by static-table name index, or (0) with its name. */
function literal(index: number, value: string, name?: string): Buffer {
  const parts = [Buffer.from([index])];
  if (name !== undefined) parts.push(Buffer.from([name.length]), Buffer.from(name));
  parts.push(Buffer.from([value.length]), Buffer.from(value));
  return Buffer.concat(parts);
}

const MAX_WINDOW = 2 ** 31 - 1;

/** The client's preface: windows as large as HTTP/2 allows (so that only the socket holds the
 *  proxy back), then GET `path` on stream 1. */
function getWithHugeWindows(path: string, requestId: string): Buffer {
  const settings = Buffer.alloc(6);
  settings.writeUInt16BE(0x4, 0); // SETTINGS_INITIAL_WINDOW_SIZE
  settings.writeUInt32BE(MAX_WINDOW, 2);
  const increment = Buffer.alloc(4);
  increment.writeUInt32BE(MAX_WINDOW - 65_535);
  const block = Buffer.concat([
    Buffer.from([0x82, 0x87]), // :method GET, :scheme https
    literal(0x04, path), // :path
    literal(0x01, 'localhost'), // :authority
    literal(0x00, requestId, 'x-request-id'),
  ]);
  return Buffer.concat([
    Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'),
    frame(0x4, 0, 0, settings),
    frame(0x8, 0, 0, increment), // WINDOW_UPDATE, the connection's window
    frame(0x1, 0x5, 1, block), // HEADERS, END_STREAM | END_HEADERS
  ]);
}

/** The proxy's writes to this connection wait in the kernel: its send buffer is full. */
function sendQueued(socket: Duplex): number {
  return (socket as unknown as { _parent?: { _handle?: { writeQueueSize?: number } } })._parent?._handle?.writeQueueSize ?? 0;
}

describe('HTTP/2: a client that goes away while its download is held up by its own reading', () => {
  it('ends the exchange at once as client_closed, and the upstream request is aborted', async () => {
    const download = await endlessDownload();
    up = download.up;
    const { heldUp, aborted } = download;
    proxy = await startProxy(upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /, upstream: app, idleTimeoutMs: 0 }\n');
    front = await startTlsFront(proxy);

    client = tls.connect({ host: '127.0.0.1', port: front.port, servername: 'localhost', ca: front.ca, ALPNProtocols: ['h2'] });
    client.on('error', () => {});
    await once(client, 'secureConnect');
    expect(client.alpnProtocol).toBe('h2');
    client.write(getWithHugeWindows('/big', 'h2-gone'));
    await once(client, 'data'); // the proxy's SETTINGS, or already the head: the exchange is under way
    client.pause(); // reads nothing more: its receive buffer fills, then the proxy's send buffer

    await heldUp;
    const [proxySide] = [...front.sockets];
    // The proxy's writes to the client now wait in the kernel (for ever: the client reads nothing).
    // (Checked once a turn, no timing: the upstream's own hold-up can come a little before it.)
    while (sendQueued(proxySide!) === 0) await new Promise((resolve) => setImmediate(resolve));

    client.destroy(); // with bytes unread: RST

    expect(await proxy.logLine((l) => l.msg === LOG.request && l.requestId === 'h2-gone')).toMatchObject({ status: 200, error: 'client_closed' });
    await aborted;
    expect(proxy.logs.filter((l) => l.msg === LOG.request && l.requestId === 'h2-gone')).toHaveLength(1);
  });
});
