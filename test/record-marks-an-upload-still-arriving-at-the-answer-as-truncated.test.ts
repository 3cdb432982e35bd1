import http from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';
import { flushed, recordedLines, send } from './helpers/recorded-lines.js';

let up: Upstream | undefined, proxy: TestProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await up?.close();
  proxy = up = undefined;
});

/** A POST that sends `first`, and the rest of its body only once the whole answer came. */
function earlyAnswered(url: string, headers: http.OutgoingHttpHeaders, first: string, rest: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => {
        req.on('error', () => undefined); // the proxy may close the connection: the rest is moot
        req.end(rest);
        resolve(res.statusCode!);
      });
    });
    req.on('error', reject);
    req.write(first);
  });
}

describe('a request body still arriving when the answer ends', () => {
  it('is recorded truncated, its size the declared content-length (or the bytes seen), while a whole one is not', async () => {
    up = await startUpstream((req, res) => {
      if (req.url === '/e/whole') {
        req.resume();
        req.on('end', () => res.end('ok'));
        return;
      }
      req.once('data', () => {
        res.statusCode = 413;
        res.end('too big');
      });
    });
    proxy = await startProxy(upstreamsYaml({ app: up.url }) + `routes:
  - prefix: /e
    upstream: app
    record: { file: ./e.jsonl, methods: [POST] }
`);
    const file = path.join(path.dirname(proxy.file), 'e.jsonl');
    expect(await earlyAnswered(proxy.url + '/e/declared', { 'content-length': '300', 'x-request-id': 'declared' }, 'a'.repeat(100), 'b'.repeat(200))).toBe(413);
    expect(await earlyAnswered(proxy.url + '/e/chunked', { 'x-request-id': 'chunked' }, 'a'.repeat(100), 'b'.repeat(200))).toBe(413);
    expect((await send(proxy.url + '/e/whole', 'POST', { 'x-request-id': 'whole' }, 'c'.repeat(300))).status).toBe(200);
    await flushed(proxy, file);
    const byId = new Map((await recordedLines(file)).map((l) => [l.id as string, l.request.body]));
    expect(byId.get('declared')).toMatchObject({ bytes: 300, truncated: true });
    expect(byId.get('declared').data).toMatch(/^a+$/);
    expect(byId.get('chunked')).toMatchObject({ truncated: true });
    expect(byId.get('chunked').bytes).toBeGreaterThanOrEqual(100);
    expect(byId.get('whole')).toEqual({ encoding: 'utf8', data: 'c'.repeat(300), bytes: 300, truncated: false });
  });
});
