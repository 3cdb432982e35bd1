import net from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { metric, scripted, type Misbehaving } from './helpers/misbehaving.js';
import type { MigrationStatus } from '../src/status/types.js';
import { startProxy, upstreamsYaml, type TestProxy } from './helpers/servers.js';
import { LOG } from '../src/observability/log-messages.js';

let up: Misbehaving | undefined;
let proxy: TestProxy | undefined;
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await proxy?.close();
  await up?.close();
  proxy = up = undefined;
});

/** An upstream that streams 64 KiB chunks for as long as its client takes them (chunked, no end). */
function endless(headAfterMs: number): Promise<Misbehaving> {
  const chunk = Buffer.alloc(65_536, 'x');
  return scripted([
    {
      kind: 'custom',
      handle: (_req, res) => {
        const start = (): void => {
          res.writeHead(200, { 'content-type': 'application/octet-stream' });
          const pump = (): void => {
            while (!res.destroyed && res.write(chunk));
          };
          res.on('drain', pump);
          pump();
        };
        if (headAfterMs === 0) start();
        else setTimeout(start, headAfterMs); // the upstream's pace
      },
    },
  ]);
}

describe('idleTimeoutMs: a client that stops reading the response', () => {
  it.each([
    ['the response starts at once', 0],
    ['the response head comes after longer than idleTimeoutMs (timeoutMs governed the wait)', 500],
  ])('%s: disconnected once nothing could be written for that long; the upstream request aborted; access line idle_timeout', async (_name, headAfterMs) => {
    up = await endless(headAfterMs);
    proxy = await startProxy(upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /dl, upstream: app, idleTimeoutMs: 200, timeoutMs: 5000 }\n');
    const client = net.connect(proxy.port, '127.0.0.1');
    sockets.push(client);
    client.on('error', () => {});
    client.pause(); // reads nothing: the proxy's writes back up
    client.write('GET /dl/file HTTP/1.1\r\nHost: x\r\nX-Request-Id: slow-reader-1\r\n\r\n');

    expect(await proxy.logLine((l) => l.msg === LOG.request && l.requestId === 'slow-reader-1')).toMatchObject({ status: 200, error: 'idle_timeout', detail: expect.stringMatching(/^nothing could be written to the client for \d+ ms \(it read nothing, or too slowly\)$/) });
    await (await up.arrival(1)).socketClosed; // the upstream request was aborted
    // The client's silence, not the upstream's: no broken response of the upstream's, no error in /status.
    expect(await metric(proxy.adminUrl, 'strangler_responses_broken_total')).toBe(0);
    const status = (await (await fetch(proxy.adminUrl + '/status')).json()) as MigrationStatus;
    expect(status.routes[0]!.sides[0]).toMatchObject({ upstream: 'app', requests: 1, errorRate: 0 });

    // The connection was closed: reading what was buffered, the client comes to its end.
    const closed = once(client, 'close');
    client.resume();
    await closed;
  });
});
