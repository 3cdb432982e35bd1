// An upstream answers `Connection: close`, writes its whole body and closes (FIN) while the reader
// of that body applies backpressure, as the proxy does for a slow client. undici 7 asserted "not
// paused" in the socket's 'end' handler (nodejs/undici#5360): an uncatchable AssertionError that
// would crash the whole proxy. patches/undici+7.30.2.patch carries undici 8's fix (PR #5474). This
// drives undici's dispatcher exactly as the proxy's Attempt does (pause on every chunk, resume a
// turn later), so the last chunk arrives paused with the FIN behind it.
import net from 'node:net';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BODY = Buffer.alloc(4 * 1024 * 1024, 'x');

describe('an upstream that closes right after its body, read under backpressure', () => {
  let upstream: net.Server, pool: Pool;

  beforeAll(async () => {
    upstream = net.createServer((socket) => {
      socket.once('data', () => {
        socket.write(`HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: ${BODY.length}\r\n\r\n`);
        socket.end(BODY);
      });
    });
    upstream.listen(0, '127.0.0.1');
    await once(upstream, 'listening');
    pool = new Pool(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`);
  });
  afterAll(async () => {
    await pool.close();
    upstream.close();
  });

  it('completes with the whole body instead of throwing from the socket', async () => {
    const uncaught: Error[] = [];
    const onUncaught = (err: Error): void => void uncaught.push(err);
    process.prependListener('uncaughtException', onUncaught);
    try {
      const bytes = await new Promise<number>((resolve, reject) => {
        let got = 0;
        let resume: (() => void) | null = null;
        pool.dispatch(
          { method: 'GET', path: '/' },
          {
            onConnect() {},
            onHeaders(_status: number, _headers: Buffer[], r: () => void) {
              resume = r;
              return true;
            },
            onData(chunk: Buffer) {
              got += chunk.length;
              setImmediate(() => resume!());
              return false; // backpressure on every chunk
            },
            onComplete() {
              resolve(got);
            },
            onError: reject,
          },
        );
      });
      expect(bytes).toBe(BODY.length);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(uncaught.map((e) => e.message)).toEqual([]);
  });
});
