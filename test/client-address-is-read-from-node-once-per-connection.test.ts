// The client's address (X-Forwarded-For, the access line's clientIp) is the connection's peer:
// read from Node once per HTTP/1.x connection, not per request (Node's getter goes down to the
// socket's handle on every read), and every request on the connection still carries it.
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { peerAddressOf } from '../src/forward/client-fields.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';
import { LOG } from '../src/observability/log-messages.js';

let upstream: Upstream | undefined;
let proxy: TestProxy | undefined;
// Node's remoteAddress getter (not configurable) reads the address through _getpeername().
type Peer = { _getpeername(): unknown };
const getpeername = (net.Socket.prototype as unknown as Peer)._getpeername;
afterEach(async () => {
  (net.Socket.prototype as unknown as Peer)._getpeername = getpeername;
  await proxy?.close();
  await upstream?.close();
  proxy = upstream = undefined;
});

describe('the client address', () => {
  it('is read once from a connection, and an address not known yet is read again', () => {
    let reads = 0;
    let address: string | undefined;
    const socket = {
      get remoteAddress() {
        reads++;
        return address;
      },
    };
    expect(peerAddressOf(socket)).toBeUndefined();
    address = '192.0.2.7';
    expect([peerAddressOf(socket), peerAddressOf(socket), peerAddressOf(socket)]).toEqual(['192.0.2.7', '192.0.2.7', '192.0.2.7']);
    expect(reads).toBe(2);
  });

  it('is read from Node once for three requests on one connection, and each carries it', async () => {
    const forwardedFor: (string | undefined)[] = [];
    upstream = await startUpstream((req, res) => {
      forwardedFor.push(req.headers['x-forwarded-for'] as string | undefined);
      res.end('ok');
    });
    proxy = await startProxy(upstreamsYaml({ app: upstream.url }) + 'routes:\n  - { prefix: /, upstream: app }\n');
    const port = Number(new URL(proxy.url).port);
    let proxySideReads = 0;
    (net.Socket.prototype as unknown as Peer)._getpeername = function (this: net.Socket) {
      if (this.localPort === port) proxySideReads++;
      return getpeername.call(this);
    };
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    for (const id of ['peer-1', 'peer-2', 'peer-3']) {
      await new Promise<void>((resolve, reject) => {
        http.get(proxy!.url + '/a', { agent, headers: { 'x-request-id': id } }, (res) => res.resume().on('end', resolve)).on('error', reject);
      });
    }
    agent.destroy();
    expect(forwardedFor).toEqual(['127.0.0.1', '127.0.0.1', '127.0.0.1']);
    for (const id of ['peer-1', 'peer-2', 'peer-3']) {
      expect(await proxy.logLine((l) => l.msg === LOG.request && l.requestId === id)).toMatchObject({ clientIp: '127.0.0.1' });
    }
    expect(proxySideReads).toBe(1);
  });
});
