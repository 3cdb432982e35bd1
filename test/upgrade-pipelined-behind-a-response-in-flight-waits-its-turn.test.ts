// Found by npm run fuzz: a refused upgrade pipelined behind a request whose response was still on
// its way was answered at once, ahead of that response, and the earlier response was lost. An
// upgrade (refused or not) is handled once the responses ahead of it on the connection are out,
// and a big response ahead of it still gets written in full (Node detaches the socket's 'drain'
// listener at an upgrade: that response stalled at 64 KiB, forever).
import net from 'node:net';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

describe('an upgrade pipelined behind a response in flight', () => {
  let up: Upstream;
  let proxy: TestProxy;
  let release!: () => void;
  let arrived!: () => void;
  const arrival = new Promise<void>((resolve) => (arrived = resolve));
  const BIG = Buffer.alloc(256 * 1024, 'b');
  beforeAll(async () => {
    const held = new Promise<void>((resolve) => (release = resolve));
    up = await startUpstream((req, res) => {
      if (req.url === '/public/big') return void res.end(BIG);
      req.resume();
      req.on('end', () => {
        arrived();
        void held.then(() => res.end('posted'));
      });
    });
    proxy = await startProxy(upstreamsYaml({ up: up.url }) + 'routes:\n  - { prefix: /api, upstream: up }\n  - { prefix: /public, upstream: up }\n');
  });
  afterAll(async () => {
    await proxy.close();
    await up.close();
  });

  it('answers the earlier request first, then refuses the upgrade', async () => {
    const client = net.connect(proxy.port, '127.0.0.1');
    let received = '';
    client.setEncoding('latin1');
    client.on('data', (c: string) => (received += c));
    client.write(
      'POST /api/x HTTP/1.1\r\nHost: fuzz.test\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n' +
        'HEAD /public HTTP/1.1\r\nHost: fuzz.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    await arrival;
    release();
    await once(client, 'close');
    const statuses = [...received.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]);
    expect(statuses).toEqual(['200', '400']);
    expect(received).toContain('posted');
  });

  it('writes a big response ahead of it in full, then refuses the upgrade', async () => {
    const client = net.connect(proxy.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    client.on('data', (c: Buffer) => chunks.push(c));
    client.write(
      'GET /public/big HTTP/1.1\r\nHost: fuzz.test\r\n\r\n' +
        'GET /public/..;/x HTTP/1.1\r\nHost: fuzz.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    await once(client, 'close');
    const received = Buffer.concat(chunks).toString('latin1');
    const statuses = [...received.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]);
    expect(statuses).toEqual(['200', '400']);
    expect(received.split('b').length - 1).toBeGreaterThanOrEqual(BIG.length);
  });

  it('refuses a pipelined CONNECT only after the response ahead of it, written in full', async () => {
    const client = net.connect(proxy.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    client.on('data', (c: Buffer) => chunks.push(c));
    client.write('GET /public/big HTTP/1.1\r\nHost: fuzz.test\r\n\r\nCONNECT /api/x HTTP/1.1\r\nHost: fuzz.test\r\n\r\n');
    await once(client, 'close');
    const received = Buffer.concat(chunks).toString('latin1');
    expect([...received.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1])).toEqual(['200', '400']);
    expect(received.split('b').length - 1).toBeGreaterThanOrEqual(BIG.length);
  });
});
