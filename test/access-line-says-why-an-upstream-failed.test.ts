// An operator reading the log must tell a refused connection from a name that does not resolve,
// a reset or a bad answer: the access line said only `"error":"upstream_unavailable"` while the
// reason went to the client alone. It now carries `detail`, the words of the client's error body
// (bounded, control characters dropped), only on a line with an error.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';
import { LOG } from '../src/observability/log-messages.js';
import { accessLineBody, DETAIL_MAX } from '../src/observability/access-line.js';

let proxy: TestProxy | undefined;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await proxy?.close();
  await Promise.all(closers.splice(0).map((c) => c()));
  proxy = undefined;
});

/** A port nothing listens on (bound, then closed). */
async function deadPort(): Promise<number> {
  const s = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => s.once('listening', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('the access line of a failed request', () => {
  it('says why: refused, not resolved, or a malformed answer, as the error body does', async () => {
    const port = await deadPort();
    // An upstream whose answer is not HTTP.
    const garbage = net.createServer((s) => s.once('data', () => s.end('SSH-2.0-OpenSSH_9.2\r\n'))).listen(0, '127.0.0.1');
    await new Promise((r) => garbage.once('listening', r));
    closers.push(() => new Promise((r) => garbage.close(() => r())));
    const ok: Upstream = await startUpstream((_req, res) => res.end('ok'));
    closers.push(() => ok.close());
    proxy = await startProxy(
      upstreamsYaml({ refused: `http://127.0.0.1:${port}`, nowhere: 'http://no-such-host.invalid:80', garbage: `http://127.0.0.1:${(garbage.address() as net.AddressInfo).port}`, ok: ok.url }) +
        'routes:\n  - { prefix: /refused, upstream: refused }\n  - { prefix: /nowhere, upstream: nowhere }\n  - { prefix: /garbage, upstream: garbage }\n  - { prefix: /, upstream: ok }\n',
    );
    // The line says what the body says, and the network error under it (which address), which
    // the client is not told.
    for (const [path, cause] of [['/refused', new RegExp(`ECONNREFUSED.*: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}$`)], ['/nowhere', /ENOTFOUND|EAI_AGAIN/], ['/garbage', /.+/]] as const) {
      const res = await fetch(proxy.url + path, { headers: { 'x-request-id': `why${path.replace('/', '-')}` } });
      const body = (await res.json()) as { error: string; message: string };
      expect(res.status).toBe(502);
      expect(body.message).not.toContain(String(port));
      const line = await proxy.logLine((l) => l.msg === LOG.request && l.requestId === `why${path.replace('/', '-')}`);
      expect(line).toMatchObject({ status: 502, error: body.error });
      expect(String(line.detail).startsWith(body.message)).toBe(true);
      expect(line.detail).toMatch(cause);
    }
    // A refusal before any upstream says why too.
    const lost = await fetch(proxy.url + '/fine/a%2Fb', { headers: { 'x-request-id': 'why-host' } }); // (an encoded slash: refused)
    expect(lost.status).toBe(400);
    expect(await proxy.logLine((l) => l.msg === LOG.request && l.requestId === 'why-host')).toMatchObject({ error: 'bad_request', detail: ((await lost.json()) as { message: string }).message });
    await fetch(proxy.url + '/fine', { headers: { 'x-request-id': 'why-fine' } });
    expect('detail' in (await proxy.logLine((l) => l.msg === LOG.request && l.requestId === 'why-fine'))).toBe(false);
  });

  it('bounds the detail and drops control characters', () => {
    const line = JSON.parse('{"x":0' + accessLineBody({ requestId: 'r', method: 'GET', path: '/', route: '/', upstream: 'u', status: 502, bytes: 0, error: 'upstream_unavailable', detail: 'bad\r\nname ' + 'x'.repeat(1000) }, 1)) as { detail: string };
    expect(line.detail).toBe(('badname ' + 'x'.repeat(1000)).slice(0, DETAIL_MAX));
  });
});
