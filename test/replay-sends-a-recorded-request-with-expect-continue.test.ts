// curl sends `Expect: 100-continue` with a body over 1 KB, so recordings carry it on POSTs and
// PUTs. undici refuses a request with an expect header: replay drops it (as it drops hop-by-hop
// headers) and sends the request with its body, which the candidate then answers.

import type http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { outgoingHeaders } from '../src/replay/send.js';
import { cli } from './helpers/cli.js';
import { writeRecording } from './helpers/recording.js';
import { startUpstream, type Upstream } from './helpers/servers.js';

let candidate: Upstream | undefined;
afterEach(async () => {
  await candidate?.close();
  candidate = undefined;
});

describe('replaying a request recorded with Expect: 100-continue', () => {
  it('sends it without the expect header, with its body', async () => {
    const requestBody = JSON.stringify({ userId: 1, note: 'x'.repeat(2000) });
    const file = await writeRecording([{
      method: 'POST', path: '/orders', requestHeaders: { 'content-type': 'application/json', expect: '100-continue' }, requestBody, status: 201, body: { id: 5 },
    }]);
    const bodies: string[] = [];
    candidate = await startUpstream((req: http.IncomingMessage, res: http.ServerResponse) => {
      let data = '';
      req.setEncoding('utf8').on('data', (c: string) => (data += c)).on('end', () => {
        bodies.push(data);
        res.writeHead(201, { 'content-type': 'application/json' }).end('{"id":5}');
      });
    });
    const r = await cli(['replay', file, '--target', candidate.url, '--methods', 'GET,POST']);
    expect(r.out).toContain('match 1');
    expect(r.out).toContain('gate: pass');
    expect(r.code).toBe(0);
    expect(bodies).toEqual([requestBody]);
    expect(candidate.received[0]!.headers['expect']).toBeUndefined();
  });

  it('drops expect whatever its case, and keeps the other headers', () => {
    expect(outgoingHeaders({ Expect: '100-continue', 'content-type': 'text/plain', 'x-a': '1' }, [], false)).toEqual({ 'content-type': 'text/plain', 'x-a': '1' });
  });
});
