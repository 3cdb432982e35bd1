// Shutdown: a connection busy at the start of the drain (a streamed answer whose head already
// went out saying keep-alive) is closed once that answer is out, and a request its client sends
// on it afterwards is never run. Before, the connection stayed keep-alive: the next request was
// forwarded to the upstream and then cut off at drainTimeoutMs, logged as the client's doing
// (499), and the drain lasted as long as such clients kept sending.

import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { startProxy, startUpstream, upstreamsYaml } from './helpers/servers.js';
import { LOG } from '../src/observability/log-messages.js';

describe('the drain', () => {
  it('closes a busy keep-alive connection after its answer and never runs what the client sends on it next', async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const up = await startUpstream((req, res) => {
      if (req.url === '/stream') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('part one;');
        void released.then(() => res.end('part two'));
      } else res.end('second answer');
    });
    const proxy = await startProxy(upstreamsYaml({ app: up.url }) + 'server: { drainTimeoutMs: 3000 }\nroutes:\n  - { prefix: /, upstream: app }\n');
    try {
      const socket = net.connect(proxy.port, '127.0.0.1');
      let received = '';
      const firstHead = new Promise<void>((resolve) => socket.on('data', (d: Buffer) => ((received += d.toString('latin1')), received.includes('part one') && resolve())));
      const ended = new Promise<void>((resolve) => socket.once('end', resolve));
      socket.on('error', () => {});
      socket.write('GET /stream HTTP/1.1\r\nHost: x\r\nX-Request-Id: first\r\n\r\n');
      await firstHead;
      expect(received).toMatch(/\r\nconnection: keep-alive\r\n/i); // (its head went out before the drain)

      const stopped = proxy.close();
      await proxy.logLine((l) => l.msg === LOG.draining);
      release();
      await proxy.logLine((l) => l.msg === LOG.request && l.requestId === 'first');
      // The client, told keep-alive, sends its next request on the connection.
      socket.write('GET /second HTTP/1.1\r\nHost: x\r\nX-Request-Id: second\r\n\r\n');
      await ended; // the proxy closed it after the first answer
      await stopped;

      expect(received).toContain('part two');
      expect(received).not.toContain('second answer');
      expect(up.received.map((r) => r.url)).toEqual(['/stream']);
      expect(proxy.logs.filter((l) => l.msg === LOG.request && l.requestId === 'second')).toEqual([]);
      expect(proxy.logs.some((l) => l.msg === LOG.drainTimeout)).toBe(false);
    } finally {
      await up.close();
    }
  });
});
