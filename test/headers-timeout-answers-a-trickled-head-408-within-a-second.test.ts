import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';
import { parseConfig } from '../src/config/load.js';

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

describe('server.requestTimeoutMs with headersTimeoutMs', () => {
  it('caps the default headersTimeoutMs by requestTimeoutMs (node:http refuses a larger one: the proxy would not start)', async () => {
    up = await startUpstream((_req, res) => res.end('forwarded'));
    proxy = await startProxy('server: { requestTimeoutMs: 3000 }\n' + upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /, upstream: app }\n');
    expect(proxy.proxy.store.current.server).toMatchObject({ requestTimeoutMs: 3000, headersTimeoutMs: 3000 });
    expect(await (await fetch(proxy.url + '/x')).text()).toBe('forwarded');
  });

  it('refuses a larger headersTimeoutMs written next to it, at its line and column', () => {
    const r = parseConfig('server:\n  requestTimeoutMs: 3000\n  headersTimeoutMs: 5000\nupstreams:\n  app: { url: http://127.0.0.1:9 }\nroutes:\n  - { prefix: /, upstream: app }\n', 'r.yaml', {});
    expect(r.ok).toBe(false);
    expect(r.ok ? [] : r.errors.map(({ line, column, path, message }) => ({ line, column, path, message }))).toEqual([
      { line: 3, column: 21, path: 'server.headersTimeoutMs', message: 'must be <= requestTimeoutMs (3000) when that is on (got 5000)' },
    ]);
    expect(parseConfig('server: { requestTimeoutMs: 0, headersTimeoutMs: 5000 }\nupstreams:\n  app: { url: http://127.0.0.1:9 }\nroutes:\n  - { prefix: /, upstream: app }\n', 'r.yaml', {}).ok).toBe(true);
  });
});
