// `strangler serve` turns V8's allocation-site pretenuring off (src/util/v8-flags.ts): under load,
// V8 makes no pretenuring decision at all once the proxy listens. With it on, the request path's
// literals are judged at young collections from the first few hundred requests on, and V8's own
// trace (--trace-pretenuring) prints those decisions; this test sees none.
import { createInterface } from 'node:readline';
import { afterEach, expect, it } from 'vitest';
import { Pool } from 'undici';
import { startUpstream, writeConfig, type Upstream } from './helpers/servers.js';
import { spawnBuiltProxy } from './helpers/spawn-proxy.js';

let upstream: Upstream | undefined;
let pool: Pool | undefined;
afterEach(async () => {
  await pool?.close();
  await upstream?.close();
  pool = upstream = undefined;
});

const REQUESTS = 6_000;

it('makes no pretenuring decision once it listens, under a few thousand proxied requests', async () => {
  const body = Buffer.alloc(2_000, 'x');
  upstream = await startUpstream((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(body.length) });
    res.end(body);
  });
  const config = await writeConfig(`upstreams:\n  app: { url: "${upstream.url}" }\nroutes:\n  - prefix: /\n    upstream: app\n`);
  const child = spawnBuiltProxy(config, [], ['--trace-pretenuring', '--trace-pretenuring-statistics']);
  // V8's trace and the JSON log share stdout: the decisions counted are those after "listening".
  const decisions: string[] = [];
  const port = await new Promise<number>((resolve) => {
    let listening = false;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (listening) {
        if (line.includes('pretenuring:')) decisions.push(line);
      } else if (line.includes('"msg":"listening"')) {
        listening = true;
        resolve((JSON.parse(line) as { port: number }).port);
      }
    });
  });
  pool = new Pool(`http://127.0.0.1:${port}`, { connections: 16 });
  let answered = 0;
  const worker = async (): Promise<void> => {
    while (answered < REQUESTS) {
      answered++;
      const r = await pool!.request({ method: 'GET', path: '/items' });
      await r.body.dump();
      expect(r.statusCode).toBe(200);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  const stopped = new Promise((resolve) => child.once('close', resolve)); // (stdout read to its end)
  child.kill('SIGTERM');
  await stopped;
  expect(answered).toBeGreaterThanOrEqual(REQUESTS);
  expect(decisions).toEqual([]);
});
