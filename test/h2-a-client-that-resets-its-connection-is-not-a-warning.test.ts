// An HTTP/2 client whose TCP connection is reset mid-request: the request's access line says
// client_closed (499), as over HTTP/1.1, and that is all. Each such reset also wrote a warn line
// "http/2 session error" with a stack and no request id, never aggregated (ten curl uploads
// cancelled: eight warnings). A client going away is now said at debug, as HTTP/1.1 drops it.
import http2 from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { hang, scripted, type Misbehaving } from './helpers/misbehaving.js';
import { startProxy, upstreamsYaml, type TestProxy } from './helpers/servers.js';
import { startTlsFront, type TlsFront } from './helpers/h2-front.js';
import { LOG } from '../src/observability/log-messages.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups.length = 0;
});

describe('an HTTP/2 client that resets its TCP connection mid-request', () => {
  it('leaves its 499 access line and a debug line, no warning', async () => {
    const up: Misbehaving = await scripted([hang]);
    cleanups.push(() => up.close());
    const proxy: TestProxy = await startProxy(upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /, upstream: app }\n');
    cleanups.push(() => proxy.close());
    const front: TlsFront = await startTlsFront(proxy);
    cleanups.push(() => front.close());
    const tcp = net.connect(front.port, '127.0.0.1');
    tcp.on('error', () => {});
    await once(tcp, 'connect');
    const socket = tls.connect({ socket: tcp, servername: 'localhost', ca: front.ca, ALPNProtocols: ['h2'] });
    await once(socket, 'secureConnect');
    const session = http2.connect(front.url, { createConnection: () => socket });
    session.on('error', () => {});
    const req = session.request({ ':path': '/held', 'x-request-id': 'reset-1' }, { endStream: true });
    req.on('error', () => {});
    await up.arrival(1); // the request is at the upstream
    tcp.resetAndDestroy();
    expect(await proxy.logLine((l) => l.msg === LOG.request && l.requestId === 'reset-1')).toMatchObject({ status: 499, error: 'client_closed' });
    const said = await proxy.logLine((l) => l.msg === LOG.h2SessionError);
    expect(said).toMatchObject({ level: 'debug', error: expect.stringMatching(/ECONNRESET/) });
    expect(proxy.logs.filter((l) => l.level === 'warn' || l.level === 'error')).toEqual([]);
  });
});
