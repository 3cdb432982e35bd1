// Failed TLS handshakes on the public port were logged at debug only and counted nowhere: a
// certificate every browser refuses (a missing intermediate, an expired or wrong certificate)
// failed every client silently. Each failure now counts in
// strangler_tls_handshake_errors_total{reason} and is logged at most once a minute per reason,
// with a count: a client refusing the certificate at warn, the rest (plain HTTP, scanners) at info.
import net from 'node:net';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestPki } from './helpers/pki.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';
import { LOG } from '../src/observability/log-messages.js';

const pki = new TestPki();
const other = new TestPki('another CA'); // what the refusing client trusts instead
let upstream: Upstream;
let proxy: TestProxy;

beforeAll(async () => {
  const leaf = pki.issue({ names: ['127.0.0.1'] });
  upstream = await startUpstream((_req, res) => res.end('ok'));
  proxy = await startProxy(`server:\n  tls: { cert: ${leaf.certFile}, key: ${leaf.keyFile} }\n` + upstreamsYaml({ app: upstream.url }) + 'routes:\n  - { prefix: /, upstream: app }\n');
});
afterAll(async () => {
  await proxy?.close();
  await upstream?.close();
  pki.cleanup();
  other.cleanup();
});

/** Plain HTTP sent to the TLS port; resolves with the answer once the proxy closed the connection. */
async function plainHttp(): Promise<string> {
  const socket = net.connect(proxy.port, '127.0.0.1', () => socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
  socket.on('error', () => {});
  let answer = '';
  socket.on('data', (b: Buffer) => (answer += b.toString('latin1')));
  await once(socket, 'close');
  return answer;
}

const counted = async (reason: string): Promise<string | undefined> =>
  (await (await fetch(`${proxy.adminUrl}/metrics`)).text()).split('\n').find((l) => l.startsWith(`strangler_tls_handshake_errors_total{reason="${reason}"}`));

describe('a failed TLS handshake on the public port', () => {
  it('is counted by reason and logged once a minute per reason: plain HTTP at info, and answered 400 in plain HTTP', async () => {
    const answer = await plainHttp();
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({ error: 'bad_request', message: expect.stringMatching(/speaks HTTPS/) });
    const line = await proxy.logLine((l) => l.msg === LOG.tlsHandshakeFailed && l.reason === 'ERR_SSL_HTTP_REQUEST');
    expect(line).toMatchObject({ level: 'info', count: 1 });
    await plainHttp();
    expect(await counted('ERR_SSL_HTTP_REQUEST')).toMatch(/ 2$/);
    expect(proxy.logs.filter((l) => l.msg === LOG.tlsHandshakeFailed && l.reason === 'ERR_SSL_HTTP_REQUEST')).toHaveLength(1); // the second is folded
  });

  it('a client that refuses the certificate is a warning', async () => {
    // openssl's client trusting another CA than the one that signed the proxy's certificate: it
    // aborts the handshake with an "unknown CA" alert, as a browser does.
    await promisify(execFile)('openssl', ['s_client', '-connect', `127.0.0.1:${proxy.port}`, '-verify_return_error', '-CAfile', other.caFile], { timeout: 10_000 }).catch(() => {});
    const line = await proxy.logLine((l) => l.msg === LOG.tlsHandshakeFailed && String(l.reason).includes('UNKNOWN_CA'));
    expect(line).toMatchObject({ level: 'warn', count: 1 });
    expect(await counted(String(line.reason))).toMatch(/ 1$/);
  });
});
