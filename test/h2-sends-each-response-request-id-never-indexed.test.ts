// Over HTTP/2, a relayed response's X-Request-Id is new on every response: the proxy sends it as
// a never-indexed field (HPACK), so it never enters the connection's header table. Indexed, every
// response added one more entry under that name, pushing out the fields that do repeat
// (content-type, the date) and costing the encoder a walk over them all on each response.
// The fields that repeat stay indexable, and the client reads the same head as before. The
// proxy's own JSON errors are written the same way.
import http2 from 'node:http2';
import { expect, it } from 'vitest';
import { TestPki } from './helpers/pki.js';
import { startProxy, startUpstream, upstreamsYaml } from './helpers/servers.js';

it('sends x-request-id never indexed, on relayed heads and JSON errors, and the rest of the head as sent', async () => {
  const pki = new TestPki();
  const leaf = pki.issue({ names: ['127.0.0.1'] });
  const upstream = await startUpstream((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.setHeader('x-app', 'legacy');
    res.end('{"ok":true}');
  });
  const proxy = await startProxy(
    `server:\n  tls: { cert: ${leaf.certFile}, key: ${leaf.keyFile} }\n` + upstreamsYaml({ app: upstream.url }) + 'routes:\n  - { prefix: /app, upstream: app }\n',
  );
  const heads = await headsOf(proxy.port, pki.ca).finally(async () => {
    await proxy.close();
    await upstream.close();
    pki.cleanup();
  });

  expect(heads.map((h) => h['x-request-id'])).toEqual(['first', 'second', 'third']);
  const error = heads.pop()!;
  expect(error).toMatchObject({ ':status': 404, 'content-type': 'application/json' });
  expect((error as Record<symbol, unknown>)[http2.sensitiveHeaders]).toEqual(['x-request-id']);
  for (const h of heads) {
    expect(h).toMatchObject({ ':status': 200, 'content-type': 'application/json', 'x-app': 'legacy', 'content-length': '11' });
    expect(typeof h['date']).toBe('string');
    // node:http2 lists the fields its peer sent never indexed under this symbol.
    expect((h as Record<symbol, unknown>)[http2.sensitiveHeaders]).toEqual(['x-request-id']);
  }
});

/** Three requests on one session (each head encoded against the table the one before left): two
 *  relayed, then one no route takes. */
async function headsOf(port: number, ca: string): Promise<http2.IncomingHttpHeaders[]> {
  const session = http2.connect(`https://127.0.0.1:${port}`, { ca });
  session.on('error', () => {});
  const heads: http2.IncomingHttpHeaders[] = [];
  for (const [path, id] of [['/app/x', 'first'], ['/app/x', 'second'], ['/nowhere', 'third']] as const) {
    const stream = session.request({ ':path': path, 'x-request-id': id });
    stream.on('response', (h) => heads.push(h));
    let body = '';
    stream.setEncoding('utf8');
    stream.on('data', (c: string) => (body += c));
    await new Promise((resolve) => stream.on('end', resolve));
    if (path === '/app/x') expect(body).toBe('{"ok":true}');
  }
  session.close();
  return heads;
}
