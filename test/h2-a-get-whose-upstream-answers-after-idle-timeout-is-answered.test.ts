// idleTimeoutMs bounds silence on a body, not the wait for the upstream's answer (timeoutMs does
// that): an HTTP/2 GET to an upstream that answers after longer than idleTimeoutMs, but within
// timeoutMs, gets the answer, as over HTTP/1.1. (node:http2 calls a GET's request `complete` only
// once its empty body is read: the proxy took the GET's silence for a silent upload, 408.)
import { describe, expect, it } from 'vitest';
import { startUpstream, upstreamsYaml } from './helpers/servers.js';
import { h2Request } from './helpers/h2-client.js';
import { h2Stack } from './helpers/h2-stack.js';

const stack = h2Stack();

describe('an HTTP/2 GET to a slow upstream', () => {
  it('gets the answer that comes after idleTimeoutMs and within timeoutMs', async () => {
    // (The upstream is slow by its nature here: three times the idle timeout.)
    const up = await startUpstream((_req, res) => void setTimeout(() => res.end('slow but fine'), 600));
    const { session } = await stack.start(up, upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /, upstream: app, timeoutMs: 5000, idleTimeoutMs: 200 }\n');
    const r = await h2Request(session, { ':path': '/slow' });
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe('slow but fine');
  });
});
