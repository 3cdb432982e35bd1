// Over HTTP/2, a response body the upstream breaks off (its connection dies, or it falls silent
// for idleTimeoutMs) must reach the client as a reset stream, never as a clean end. With a
// Content-Length the client can tell a short body; without one (chunked from the upstream, as
// a streamed response is) only the RST_STREAM says the body is incomplete. node:http2's
// stream.close(code) ends the writable side first: an empty DATA frame with END_STREAM went out
// before the RST_STREAM, and the client saw a complete response.

import { constants, type ClientHttp2Session } from 'node:http2';
import { describe, expect, it } from 'vitest';
import { startUpstream, upstreamsYaml } from './helpers/servers.js';
import { h2Stack } from './helpers/h2-stack.js';
import { h2Outcome } from './helpers/h2-client.js';
import { LOG } from '../src/observability/log-messages.js';

const stack = h2Stack();

/** How one h2 request ended: its body, whether it ended cleanly, and its stream's reset code. */
async function ending(s: ClientHttp2Session, path: string, id: string): Promise<{ body: string; ended: boolean; rstCode: number | undefined }> {
  const { body, ended, rstCode } = await h2Outcome(s.request({ ':path': path, 'x-request-id': id }));
  return { body, ended, rstCode };
}

describe('an h2 response body broken off, without Content-Length', () => {
  it('resets the stream when the upstream dies mid-body, or falls silent, instead of ending it', async () => {
    const up = await startUpstream((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' }); // chunked: no Content-Length
      res.write('first\n', () => {
        if (req.url === '/dies') setImmediate(() => res.socket?.destroy());
      });
    });
    const { proxy, session } = await stack.start(up, upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /, upstream: app, idleTimeoutMs: 300 }\n');

    const died = await ending(session, '/dies', 'h2-dies');
    expect(died).toEqual({ body: 'first\n', ended: false, rstCode: constants.NGHTTP2_INTERNAL_ERROR });
    expect(await proxy.logLine((l) => l.msg === LOG.request && l.requestId === 'h2-dies')).toMatchObject({ error: 'upstream_aborted' });

    // Silent: undici's body timer (INTERNAL_ERROR) or the client stream's idle timer (CANCEL, which
    // node:http2's client reads as the end of the body, so only the code tells) fires first; both
    // are idleTimeoutMs. Ended cleanly instead, the stream would be closed with NO_ERROR.
    const silent = await ending(session, '/silent', 'h2-silent');
    expect(silent.body).toBe('first\n');
    expect([constants.NGHTTP2_INTERNAL_ERROR, constants.NGHTTP2_CANCEL]).toContain(silent.rstCode);
    expect(await proxy.logLine((l) => l.msg === LOG.request && l.requestId === 'h2-silent')).toMatchObject({ error: 'idle_timeout' });
    expect(session.destroyed).toBe(false); // one stream's failure, never the session's
  });
});
