// The proxy relays an upstream's response head from its raw header list (controller.rawHeaders),
// so undici, patched (patches/undici+7.30.2.patch), does not parse it into an object for handlers
// saying `rawHeadersOnly`; others still get the object. The Attempt says so.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool, type Dispatcher } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Attempt } from '../src/forward/attempt.js';

let server: http.Server;
let pool: Pool;

beforeAll(async () => {
  server = http.createServer((_req, res) => res.writeHead(200, { 'X-Answer': 'yes' }).end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  pool = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
afterAll(async () => {
  await pool.close();
  await new Promise((resolve) => server.close(resolve));
});

/** Dispatches a GET with a new-API handler; resolves with what onResponseStart was handed. */
function headOf(rawHeadersOnly: boolean): Promise<{ headers: unknown; raw: string[] }> {
  return new Promise((resolve, reject) => {
    let seen: { headers: unknown; raw: string[] } | null = null;
    const handler: Dispatcher.DispatchHandler & { rawHeadersOnly?: boolean } = {
      onRequestStart() {},
      onResponseStart(controller, _status, headers) {
        seen = { headers, raw: (controller.rawHeaders as Buffer[]).map((b) => b.toString('latin1')) };
      },
      onResponseEnd: () => resolve(seen!),
      onResponseError: (_c, err) => reject(err),
    };
    if (rawHeadersOnly) handler.rawHeadersOnly = true;
    pool.dispatch({ path: '/', method: 'GET' }, handler);
  });
}

describe('response heads and handlers that read them raw', () => {
  it('a handler saying rawHeadersOnly gets no parsed object, and the raw list in full', async () => {
    const head = await headOf(true);
    expect(head.headers).toBeNull();
    expect(head.raw).toEqual(expect.arrayContaining(['X-Answer', 'yes']));
  });

  it('any other handler still gets the parsed object', async () => {
    expect((await headOf(false)).headers).toMatchObject({ 'x-answer': 'yes' });
  });

  it("the proxy's Attempt says rawHeadersOnly", () => {
    const a = new Attempt({ name: 'u', pool } as never, {} as never, {} as never);
    expect(a.rawHeadersOnly).toBe(true);
  });
});
