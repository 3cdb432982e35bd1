import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

let up: Upstream | undefined;
let proxy: TestProxy | undefined;
const sockets: net.Socket[] = [];
const timers: NodeJS.Timeout[] = [];
afterEach(async () => {
  for (const t of timers.splice(0)) clearInterval(t);
  for (const s of sockets.splice(0)) s.destroy();
  await proxy?.close();
  await up?.close();
  proxy = up = undefined;
});

/**
 * Sends `head` one byte every `everyMs` (slowloris) and resolves with what the server sent back
 * once it closed the connection. The head takes far longer than the proxy's connection sweep
 * (Node's default: every 30 s) would let it: if the limit were only checked then, the head would
 * be complete and forwarded first.
 */
function trickle(port: number, head: string, everyMs: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    sockets.push(socket);
    let answer = '';
    let i = 0;
    socket.setEncoding('latin1');
    socket.on('data', (c: string) => (answer += c));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(timer);
      resolve(answer);
    });
    const timer = setInterval(() => {
      if (i < head.length && socket.writable) socket.write(head[i++]!);
    }, everyMs);
    timers.push(timer);
  });
}

describe('server.headersTimeoutMs is honoured to within a second', () => {
  it('a request head trickled slower than the limit is answered 408 request_timeout', async () => {
    up = await startUpstream((_req, res) => res.end('forwarded'));
    proxy = await startProxy('server: { headersTimeoutMs: 500 }\n' + upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /, upstream: app }\n');
    const head = `GET /slow HTTP/1.1\r\nHost: x\r\nX-Pad: ${'p'.repeat(80)}\r\n\r\n`; // ~12 s at 100 ms a byte
    const answer = await trickle(proxy.port, head, 100);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({ error: 'request_timeout' });
    expect(up.received).toHaveLength(0);
  });
});
