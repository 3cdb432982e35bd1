// A recording holds a browser's plain GET (200) and its conditional GET of the same URL (304,
// If-None-Match). The replay paired the two as one request answered twice, and learned the 200's
// content-type as noise (the 304 has none): a candidate answering text/plain where the monolith
// answered JSON passed. A recorded 304 is now skipped (not_modified: no body to compare), and
// the candidate gets each request without validators, as the shadow's copy does.
import type http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { writeRecording, type ExchangeSpec } from './helpers/recording.js';
import { startUpstream, type Upstream } from './helpers/servers.js';

let candidate: Upstream | undefined;
afterEach(async () => {
  await candidate?.close();
  candidate = undefined;
});

const plain: ExchangeSpec = { path: '/api/orders/1', route: '/api', responseHeaders: { etag: '"o1"', 'content-type': 'application/json' }, body: '{"id":1}' };
const conditional: ExchangeSpec = { path: '/api/orders/1', route: '/api', requestHeaders: { 'if-none-match': '"o1"' }, status: 304, responseHeaders: { etag: '"o1"' } };

describe('replaying a recorded conditional GET', () => {
  it('skips its 304, learns no noise from it, and sends the candidate no validators', async () => {
    const seen: http.IncomingHttpHeaders[] = [];
    candidate = await startUpstream((req, res) => {
      seen.push(req.headers);
      res.writeHead(200, { 'content-type': 'text/plain', etag: '"c1"' }).end('{"id":1}'); // the wrong content-type
    });
    const file = await writeRecording([plain, conditional]);
    const r = await cli(['replay', file, '--target', candidate.url, '--json']);
    expect(r.code).toBe(1); // the content-type difference is found
    const out = JSON.parse(r.out) as { routes: { report: { mismatch: number; noisePaths: Record<string, number>; skipped: Record<string, number> } }[] };
    expect(out.routes[0]!.report).toMatchObject({ mismatch: 1, noisePaths: {}, skipped: { not_modified: 1 } });
    for (const h of seen) expect(h['if-none-match']).toBeUndefined();
  });
});
