import net from 'node:net';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

describe('Expect: 100-continue', () => {
  let up: Upstream, proxy: TestProxy;
  beforeAll(async () => {
    up = await startUpstream(async (req, res) => {
      let body = '';
      for await (const c of req) body += c;
      res.end(`upstream got ${body}; expect header: ${req.headers.expect ?? 'none'}`);
    });
    proxy = await startProxy(upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /upload, upstream: app }\n');
  });
  afterAll(async () => {
    await proxy.close();
    await up.close();
  });

  /** Reads from the socket until `text` has arrived; returns all read so far. */
  async function readUntil(socket: net.Socket, text: string, sofar = ''): Promise<string> {
    while (!sofar.includes(text)) {
      const [chunk] = (await once(socket, 'data')) as [Buffer];
      sofar += chunk.toString();
    }
    return sofar;
  }

  it('sends 100 Continue for a routed request, then forwards the body', async () => {
    const socket = net.connect(proxy.port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write('POST /upload/file HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n');
    const interim = await readUntil(socket, '\r\n\r\n');
    expect(interim.startsWith('HTTP/1.1 100 Continue')).toBe(true);
    socket.write('hello');
    const all = await readUntil(socket, 'expect header: none', interim);
    expect(all).toContain('HTTP/1.1 200 OK');
    expect(all).toContain('upstream got hello');
    socket.destroy();
  });

  it('answers 404 at once for an unrouted request, without asking for the body', async () => {
    const socket = net.connect(proxy.port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write('POST /elsewhere HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n');
    const answer = await readUntil(socket, '"no_route"');
    expect(answer.startsWith('HTTP/1.1 404')).toBe(true);
    expect(answer).not.toContain('100 Continue');
    socket.destroy();
  });
});
