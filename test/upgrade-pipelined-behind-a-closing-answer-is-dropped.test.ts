// Found by npm run fuzz: an upgrade pipelined behind a response that closes the connection (here a
// refused Expect: 100-continue request and its body) reached the upgrade handler on a socket
// already ended; its refusal wrote after the end and the unhandled ERR_STREAM_WRITE_AFTER_END
// killed the process. It is dropped, as a plain request in that place is.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from './helpers/raw.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

describe('an upgrade pipelined behind a closing answer', () => {
  let up: Upstream;
  let proxy: TestProxy;
  beforeAll(async () => {
    up = await startUpstream((_req, res) => res.end('ok'));
    proxy = await startProxy(upstreamsYaml({ up: up.url }) + 'routes:\n  - { prefix: /public, upstream: up }\n');
  });
  afterAll(async () => {
    await proxy.close();
    await up.close();
  });

  it('gets no answer, and the proxy keeps serving', async () => {
    const r = await rawRequest(
      proxy.port,
      'DELETE /public\\a HTTP/1.1\r\nHost: fuzz.test\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nxxxxx' +
        'PATCH /public/.;/a HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nHost: fuzz.test\r\n\r\n',
    );
    expect(r.status).toBe(400);
    expect(r.headers['connection']).toBe('close');
    expect(r.body).not.toContain('HTTP/1.1');
    const next = await rawRequest(proxy.port, 'GET /public/b HTTP/1.1\r\nHost: fuzz.test\r\nConnection: close\r\n\r\n');
    expect(next.status).toBe(200);
  });
});
