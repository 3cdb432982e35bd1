// A response to HEAD has no body (RFC 9110 9.3.2), the proxy's refusal of a HEAD upgrade (a
// WebSocket upgrade must be a GET) included: its header fields, Content-Length too, then nothing,
// then the close. The raw client reads to the close, so body bytes after the head would show.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from './helpers/raw.js';
import { refusedPort, startProxy, upstreamsYaml, type TestProxy } from './helpers/servers.js';
import { LOG } from '../src/observability/log-messages.js';

describe('a HEAD upgrade the proxy answers itself', () => {
  let proxy: TestProxy;

  beforeAll(async () => {
    proxy = await startProxy(upstreamsYaml({ app: `http://127.0.0.1:${await refusedPort()}` }) + 'routes:\n  - { prefix: /public, upstream: app }\n');
  });
  afterAll(async () => {
    await proxy.close();
  });

  const UPGRADE = 'Upgrade: websocket\r\nConnection: Upgrade\r\n\r\n';

  it('is refused 400 with Content-Length and no body when the request checks refuse it', async () => {
    const r = await rawRequest(proxy.port, `HEAD /public/x HTTP/1.1\r\nHost: a\r\nX-Request-Id: head-refused\r\n${UPGRADE}`);
    expect(r.status).toBe(400);
    expect(r.headers['content-type']).toBe('application/json');
    expect(Number(r.headers['content-length'])).toBeGreaterThan(0);
    expect(r.body).toBe('');
    const line = await proxy.logLine((l) => l.msg === LOG.request && l.requestId === 'head-refused');
    expect(line).toMatchObject({ method: 'HEAD', status: 400, error: 'bad_request' });
  });
});
