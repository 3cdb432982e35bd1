// Shutdown with server.tls: an idle keep-alive TLS connection is closed and the port stops
// accepting, as with plain HTTP.
import https from 'node:https';
import net from 'node:net';
import { once } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import { TestPki } from './helpers/pki.js';
import { startProxy, startUpstream, upstreamsYaml } from './helpers/servers.js';

describe('shutdown with TLS on the public port', () => {
  const pki = new TestPki();
  const cert = pki.issue({ names: ['localhost'] });
  afterAll(() => pki.cleanup());

  it('closes an idle keep-alive TLS connection and stops accepting', async () => {
    const upstream = await startUpstream((_req, res) => res.end('ok'));
    const proxy = await startProxy(`server:\n  tls: { cert: ${cert.certFile}, key: ${cert.keyFile} }\n` + upstreamsYaml({ app: upstream.url }) + 'routes:\n  - { prefix: /, upstream: app }\n');
    const agent = new https.Agent({ keepAlive: true, ca: pki.ca, servername: 'localhost' });
    const res = await new Promise<import('node:http').IncomingMessage>((resolve, reject) =>
      https.get({ host: '127.0.0.1', port: proxy.port, path: '/', agent }, resolve).on('error', reject),
    );
    const socket = res.socket; // kept by the agent once the response ends
    const closed = once(socket, 'close');
    res.resume();
    await once(res, 'end');
    await proxy.close();
    await closed; // the idle keep-alive connection was closed by the proxy
    const refused = net.connect(proxy.port, '127.0.0.1');
    const [err] = (await once(refused, 'error')) as [NodeJS.ErrnoException];
    expect(err.code).toBe('ECONNREFUSED');
    agent.destroy();
    await upstream.close();
  });
});
