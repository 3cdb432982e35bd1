// `strangler serve` turns V8's allocation-site pretenuring off (src/util/collector.ts): under load,
// V8 makes no pretenuring decision at all once the proxy listens. With it on, the request path's
// literals are judged at young collections from the first few hundred requests on, and V8's own
// trace (--trace-pretenuring) prints those decisions; this test sees none.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { Pool } from 'undici';
import { startUpstream, writeConfig, type Upstream } from './helpers/servers.js';

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const REQUESTS = 6_000;

it('makes no pretenuring decision once it listens, under a few thousand proxied requests', async () => {
  const body = Buffer.alloc(2_000, 'x');
  const upstream: Upstream = await startUpstream((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(body.length) });
    res.end(body);
  });
  upstream.server.removeAllListeners('request'); // (the helper keeps every request: not here)
  upstream.server.on('request', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(body.length) });
    res.end(body);
  });
  cleanups.push(() => upstream.close());
  const config = await writeConfig(`upstreams:\n  app: { url: "${upstream.url}" }\nroutes:\n  - prefix: /\n    upstream: app\n`);
  const child = spawn(
    process.execPath,
    ['--trace-pretenuring', '--trace-pretenuring-statistics', path.resolve('dist/src/main.js'), '--config', config, '--port', '0', '--admin-port', '0', '--host', '127.0.0.1'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  cleanups.push(() => void child.kill('SIGKILL'));
  let out = '';
  let afterListening: string | null = null;
  let port = 0;
  const listening = new Promise<void>((resolve) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (afterListening !== null) afterListening += chunk;
      else {
        const m = /"msg":"listening","port":(\d+)[^\n]*\n/.exec(out);
        if (m !== null) {
          port = Number(m[1]);
          afterListening = out.slice(m.index + m[0].length);
          resolve();
        }
      }
    });
  });
  await listening;
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 16 });
  cleanups.push(() => pool.close());
  let answered = 0;
  const worker = async (): Promise<void> => {
    while (answered < REQUESTS) {
      answered++;
      const r = await pool.request({ method: 'GET', path: '/items' });
      await r.body.dump();
      expect(r.statusCode).toBe(200);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  const stopped = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await stopped;
  expect(answered).toBeGreaterThanOrEqual(REQUESTS);
  const decisions = (afterListening ?? '').split('\n').filter((l) => l.includes('pretenuring:'));
  expect(decisions).toEqual([]);
});
