import { createHash } from 'node:crypto';
import http from 'node:http';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

let up: Upstream | undefined;
let proxy: TestProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await up?.close();
  proxy = up = undefined;
});

async function setup(handler: http.RequestListener): Promise<TestProxy> {
  up = await startUpstream(handler);
  proxy = await startProxy(upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /, upstream: app }\n');
  return proxy;
}

/** A GET through the proxy with node:http, so each chunk is seen as it arrives. */
function get(url: string): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => http.get(url, resolve).on('error', reject));
}

describe('streaming', () => {
  it('relays a chunked response chunk by chunk, not buffered', async () => {
    let releaseSecond!: () => void;
    const second = new Promise<void>((r) => (releaseSecond = r));
    const p = await setup((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first;');
      void second.then(() => res.end('second'));
    });
    const res = await get(p.url + '/chunks');
    expect(res.headers['transfer-encoding']).toBe('chunked');
    const [first] = (await once(res, 'data')) as [Buffer];
    expect(first.toString()).toBe('first;'); // arrived while the upstream still holds 'second'
    releaseSecond();
    let rest = '';
    for await (const c of res) rest += c;
    expect(rest).toBe('second');
  });

  it('flushes server-sent events as they come', async () => {
    let sendNext!: () => void;
    const next = new Promise<void>((r) => (sendNext = r));
    const p = await setup((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write('data: one\n\n');
      void next.then(() => res.end('data: two\n\n'));
    });
    const res = await get(p.url + '/events');
    expect(res.headers['content-type']).toBe('text/event-stream');
    const [chunk] = (await once(res, 'data')) as [Buffer];
    expect(chunk.toString()).toBe('data: one\n\n');
    sendNext();
    let rest = '';
    for await (const c of res) rest += c;
    expect(rest).toBe('data: two\n\n');
  });

  it('streams a request body to the upstream before the client has finished sending it', async () => {
    let firstArrived!: (s: string) => void;
    const arrived = new Promise<string>((r) => (firstArrived = r));
    const p = await setup(async (req, res) => {
      let body = '';
      for await (const c of req) {
        if (body === '') firstArrived(c.toString());
        body += c;
      }
      res.end(`got ${body}`);
    });
    const req = http.request(p.url + '/upload', { method: 'POST', headers: { 'transfer-encoding': 'chunked' } });
    const response = new Promise<http.IncomingMessage>((r) => req.on('response', r));
    req.write('part-one;');
    expect(await arrived).toBe('part-one;'); // the client has not ended its request yet
    req.end('part-two');
    const res = await response;
    let text = '';
    for await (const c of res) text += c;
    expect(text).toBe('got part-one;part-two');
  });
});

/** `total` deterministic bytes in 64 KiB chunks. */
function pattern(total: number): Readable {
  const block = Buffer.alloc(65536);
  for (let i = 0; i < block.length; i++) block[i] = (i * 31 + 7) & 0xff;
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) return void this.push(null);
      const n = Math.min(block.length, total - sent);
      sent += n;
      this.push(n === block.length ? block : block.subarray(0, n));
    },
  });
}

async function digest(stream: AsyncIterable<Buffer>): Promise<{ bytes: number; sha: string }> {
  const h = createHash('sha256');
  let bytes = 0;
  for await (const c of stream) {
    h.update(c);
    bytes += c.length;
  }
  return { bytes, sha: h.digest('hex') };
}

describe('large bodies', () => {
  const SIZE = 200 * 1024 * 1024;

  it('passes a 200 MB upload and a 200 MB download byte for byte', async () => {
    const expected = await digest(pattern(SIZE));
    const p = await setup(async (req, res) => {
      if (req.method === 'POST') {
        const got = await digest(req);
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(got));
      } else {
        res.writeHead(200, { 'content-length': String(SIZE), 'content-type': 'application/octet-stream' });
        pattern(SIZE).pipe(res);
      }
    });

    const upload = http.request(p.url + '/big', { method: 'POST', headers: { 'content-length': String(SIZE) } });
    pattern(SIZE).pipe(upload);
    const [uploadRes] = (await once(upload, 'response')) as [http.IncomingMessage];
    let json = '';
    for await (const c of uploadRes) json += c;
    expect(JSON.parse(json)).toEqual(expected);

    const download = await get(p.url + '/big');
    expect(download.headers['content-length']).toBe(String(SIZE));
    expect(await digest(download)).toEqual(expected);
  });
});
