// A request target past server.maxHeaderBytes is a hostile target: HTTP/1.1 answers it 400
// bad_request ("the request target is too long"), and HTTP/2 answered the same request 431
// headers_too_large (its :path counts in the header list). Both now give the same answer;
// header fields past the limit after a short path are 431 on both.
import { describe, expect, it } from 'vitest';
import { h2Stack } from './helpers/h2-stack.js';
import { h2Connect, h2Request } from './helpers/h2-client.js';
import { startUpstream, upstreamsYaml } from './helpers/servers.js';

const stack = h2Stack();

describe('over HTTP/2', () => {
  it('a :path past maxHeaderBytes is 400 bad_request; big header fields after a short one are 431', async () => {
    const up = await startUpstream((_req, res) => res.end('ok'));
    const { session, front } = await stack.start(up, upstreamsYaml({ app: up.url }) + 'server: { maxHeaderBytes: 4096 }\nroutes:\n  - { prefix: /, upstream: app }\n');
    const long = await h2Request(session, { ':path': '/' + 'a'.repeat(5000) });
    expect(long.status).toBe(400);
    expect(JSON.parse(long.body.toString())).toMatchObject({ error: 'bad_request', message: expect.stringMatching(/request target is too long/) });
    // (A session's second oversized header list is reset by node:http2 itself: a session of its own.)
    const other = await h2Connect(front.url, front.ca);
    const big = await h2Request(other, { ':path': '/short', 'x-big': 'a'.repeat(5000) }).finally(() => other.destroy());
    expect(big.status).toBe(431);
    expect(JSON.parse(big.body.toString())).toMatchObject({ error: 'headers_too_large' });
    expect(up.received).toHaveLength(0);
  });
});
