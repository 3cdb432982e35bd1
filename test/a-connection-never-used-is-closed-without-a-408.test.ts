// A connection opened and never used (a browser's preconnect, a TCP health check) reached
// server.headersTimeoutMs and got a 408, a warn access line and a request_timeout in the metrics:
// every preconnect looked like a slow client and raised the error rate. It is now closed without
// a word, as nginx does; a head that started and stalled is still answered 408.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';
import { LOG } from '../src/observability/log-messages.js';

let up: Upstream | undefined;
let proxy: TestProxy | undefined;
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await proxy?.close();
  await up?.close();
  proxy = up = undefined;
});

/** Opens a connection, sends `bytes` (if any), and resolves with what came back once it closed. */
function openAndWait(port: number, bytes: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => bytes !== '' && socket.write(bytes));
    sockets.push(socket);
    let answer = '';
    socket.setEncoding('latin1').on('data', (c: string) => (answer += c)).on('error', () => {});
    socket.on('close', () => resolve(answer));
  });
}

describe('a connection that never sends a byte', () => {
  it('is closed at headersTimeoutMs with no answer, no access line and no count; a stalled head still gets 408', async () => {
    up = await startUpstream((_req, res) => res.end('forwarded'));
    proxy = await startProxy('server: { headersTimeoutMs: 500 }\n' + upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /, upstream: app }\n');
    expect(await openAndWait(proxy.port, '')).toBe('');
    const stalled = await openAndWait(proxy.port, 'GET /half HTTP/1.1\r\nHo');
    expect(stalled).toMatch(/^HTTP\/1\.1 408 /);
    await proxy.logLine((l) => l.msg === LOG.request && l.error === 'request_timeout');
    // The idle connection closed first: had it been answered, its line would be here too.
    expect(proxy.logs.filter((l) => l.msg === LOG.request)).toHaveLength(1);
    const metrics = await (await fetch(`${proxy.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(/strangler_requests_total\{[^}]*status="408"[^}]*\} 1\n/);
  });
});
