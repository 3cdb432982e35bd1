// Found with nginx as the upstream (client_max_body_size 10m): a client PUTs 20 MB, nginx answers
// 413 at once without reading the body. The proxy relayed the 413 saying `Connection: keep-alive`
// and then stopped reading the client's body (undici destroys it once the answer is complete, and
// Node's parser stops reading the socket): the client's send stalled after a few MB and ~6 s later
// the connection was reset. RFC 9112 9.6: a server that answers before the whole body either
// reads the rest or closes, and says so. Now the answer says `Connection: close`, the proxy sends
// its FIN and reads and drops the rest (nginx's lingering close): the client's whole body goes out
// and the connection ends with a FIN, never a reset. With or without policies, and for an early
// answer that came with a reset (gunicorn's 404: relayed, or the proxy's 502 when the reset won).
import net from 'node:net';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxy, upstreamsYaml, type TestProxy } from './helpers/servers.js';

const LENGTH = 20_000_000;

/** An upstream answering each request as soon as its head arrives, its body unread: `lingering`,
 *  as nginx does (413, `Connection: close`, FIN, then reads and drops the rest); else as gunicorn
 *  does (404, then the connection is closed under the unread body: a reset). */
async function earlyAnswering(lingering: boolean): Promise<{ server: net.Server; url: string; heads: string[] }> {
  const heads: string[] = [];
  const server = net.createServer((s) => {
    let text = '';
    const onData = (c: Buffer): void => {
      text += c.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end === -1) return;
      s.off('data', onData);
      heads.push(text.slice(0, end));
      if (lingering) {
        s.on('data', () => {}); // read and dropped
        s.end('HTTP/1.1 413 Request Entity Too Large\r\nContent-Length: 9\r\nConnection: close\r\n\r\ntoo large');
      } else {
        s.write('HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found', () => s.destroy());
      }
    };
    s.on('data', onData);
    s.on('error', () => {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, heads };
}

interface Outcome {
  /** Everything the proxy sent, read as it arrived. */
  readonly received: string;
  /** The client's whole body was handed to its kernel (its last write's callback, without error). */
  readonly bodySent: boolean;
  /** The proxy's FIN arrived ('end'), and no error (ECONNRESET, EPIPE) ever. */
  readonly fin: boolean;
  readonly error: string | null;
}

/** A raw client that goes on sending its whole body whatever the answer, then ends its side
 *  (`after`: bytes it sends behind the body first, a pipelined request). */
async function upload(port: number, path: string, after = ''): Promise<Outcome> {
  const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  let received = '';
  let fin = false;
  let error: string | null = null;
  socket.on('data', (c: Buffer) => (received += c.toString('latin1')));
  socket.on('end', () => (fin = true));
  socket.on('error', (err: NodeJS.ErrnoException) => (error ??= err.code ?? err.message));
  const closed = once(socket, 'close');
  socket.write(`PUT ${path} HTTP/1.1\r\nHost: a\r\nContent-Length: ${LENGTH}\r\n\r\n`);
  const sent = new Promise<boolean>((resolve) => socket.write(Buffer.alloc(LENGTH, 120), (err) => resolve(err == null)));
  const bodySent = await sent;
  if (bodySent) socket.end(after);
  await closed;
  return { received, bodySent, fin, error };
}

function headOf(received: string): { status: number; fields: string[] } {
  const head = received.slice(0, received.indexOf('\r\n\r\n'));
  const [line, ...fields] = head.split('\r\n');
  return { status: Number(line!.split(' ')[1]), fields: fields.map((f) => f.toLowerCase()) };
}

describe('an answer before the upload ends', () => {
  let proxy: TestProxy;
  let nginx: Awaited<ReturnType<typeof earlyAnswering>>;
  let gunicorn: Awaited<ReturnType<typeof earlyAnswering>>;

  beforeAll(async () => {
    nginx = await earlyAnswering(true);
    gunicorn = await earlyAnswering(false);
    proxy = await startProxy(
      upstreamsYaml({ nginx: nginx.url, gunicorn: gunicorn.url }) +
        'routes:\n' +
        '  - { prefix: /plain, upstream: nginx }\n' +
        '  - { prefix: /retried, upstream: nginx, retry: { attempts: 2, backoffMs: 1 } }\n' +
        '  - { prefix: /gunicorn, upstream: gunicorn }\n',
    );
  });
  afterAll(async () => {
    await proxy.close();
    nginx.server.close();
    gunicorn.server.close();
  });

  for (const prefix of ['/plain', '/retried']) {
    it(`relays nginx's early 413 saying close, then reads the rest: the whole body goes out, and the close is a FIN (${prefix})`, async () => {
      const out = await upload(proxy.port, `${prefix}/x.bin`);
      const { status, fields } = headOf(out.received);
      expect(status).toBe(413);
      expect(fields).toContain('connection: close');
      expect(out.received.endsWith('\r\n\r\ntoo large')).toBe(true); // the answer, whole, and nothing after it
      expect(out).toMatchObject({ bodySent: true, fin: true, error: null });
    });
  }

  it("closes cleanly after an early answer the upstream reset under (gunicorn's 404, or the proxy's 502)", async () => {
    const out = await upload(proxy.port, '/gunicorn/x.bin');
    const { status, fields } = headOf(out.received);
    expect([404, 502]).toContain(status);
    expect(fields).toContain('connection: close');
    expect(out).toMatchObject({ bodySent: true, fin: true, error: null });
  });

  it('never runs a request the client pipelines behind the dropped body', async () => {
    // Unrouted, it would be answered (unseen: the connection is ending) and logged at once, as it is parsed.
    const out = await upload(proxy.port, '/plain/x.bin', 'GET /nowhere HTTP/1.1\r\nHost: a\r\nX-Request-Id: pipelined\r\n\r\n');
    expect(out.received.match(/HTTP\/1\.1 \d{3}/g)).toEqual(['HTTP/1.1 413']);
    expect(out).toMatchObject({ bodySent: true, fin: true, error: null });
    // Access lines are written in order: one written after the connection closed comes after any of it.
    await fetch(`${proxy.url}/nowhere`, { headers: { 'x-request-id': 'marker' } });
    await proxy.logLine((l) => l.requestId === 'marker');
    expect(proxy.logs.filter((l) => l.requestId === 'pipelined')).toEqual([]);
  });
});
