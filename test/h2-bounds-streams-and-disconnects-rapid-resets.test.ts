import { execFile } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import { constants, type ClientHttp2Session } from 'node:http2';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { hang, scripted, type Misbehaving } from './helpers/misbehaving.js';
import { startProxy, startUpstream, testClock, upstreamsYaml, type TestProxy } from './helpers/servers.js';
import { startTlsFront, type FrontOptions, type TlsFront } from './helpers/h2-front.js';
import { h2Connect, h2Request } from './helpers/h2-client.js';
import { LOG } from '../src/observability/log-messages.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups.length = 0;
});

async function front(yaml: string, opts: FrontOptions = {}): Promise<{ proxy: TestProxy; front: TlsFront; s: ClientHttp2Session }> {
  const proxy = await startProxy(yaml);
  cleanups.push(() => proxy.close());
  const f = await startTlsFront(proxy, opts);
  cleanups.push(() => f.close());
  const s = await h2Connect(f.url, f.ca);
  cleanups.push(() => void s.destroy());
  return { proxy, front: f, s };
}

/** Room for the whole flood at once (a well-behaved client queues streams past the limit). */
const ROOMY = 'server: { maxConcurrentStreams: 1000 }\n';

/** Opens `n` streams to `path` and resets each at once (RST_STREAM CANCEL), as a rapid-reset client does. */
async function resetStreams(s: ClientHttp2Session, n: number, path: string): Promise<void> {
  if (s.remoteSettings.maxConcurrentStreams !== 1000) await once(s, 'remoteSettings');
  for (let i = 0; i < n; i++) {
    const req = s.request({ ':path': path });
    req.on('error', () => {});
    req.close(constants.NGHTTP2_CANCEL);
  }
}

describe('HTTP/2 bounds', () => {
  it('announces server.maxConcurrentStreams and never has more streams at the upstream than that', async () => {
    let inFlight = 0;
    let most = 0;
    const held: http.ServerResponse[] = [];
    let released = false;
    const up = await startUpstream((_req, res) => {
      most = Math.max(most, ++inFlight);
      res.on('finish', () => inFlight--);
      if (released) return void res.end('ok');
      held.push(res);
      if (held.length < 5) return;
      released = true; // the 5 streams allowed at once are all here: answer them
      for (const r of held.splice(0)) r.end('ok');
    });
    cleanups.push(() => up.close());
    const { s } = await front(upstreamsYaml({ app: up.url }) + 'server: { maxConcurrentStreams: 5 }\nroutes:\n  - { prefix: /, upstream: app }\n');
    if (s.remoteSettings.maxConcurrentStreams !== 5) await once(s, 'remoteSettings');
    expect(s.remoteSettings.maxConcurrentStreams).toBe(5);
    expect(s.remoteSettings.maxHeaderListSize).toBe(16_384); // server.maxHeaderBytes' default
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => h2Request(s, { ':path': `/c/${i}` })));
    expect(answers.map((a) => a.status + ' ' + a.body.toString())).toEqual(Array(6).fill('200 ok'));
    expect(most).toBe(5); // the sixth waited for a free stream
  });

  it('sends GOAWAY (ENHANCE_YOUR_CALM) to a client that resets more than 200 streams within 10 s', async () => {
    const up: Misbehaving = await scripted([hang]);
    cleanups.push(() => up.close());
    const { s, proxy } = await front(upstreamsYaml({ app: up.url }) + ROOMY + 'routes:\n  - { prefix: /, upstream: app }\n', { clock: testClock() });
    const goaway = once(s, 'goaway');
    const closed = new Promise((resolve) => s.once('close', resolve)); // once() would reject on the session's 'error'
    await resetStreams(s, 201, '/flood');
    const [code] = (await goaway) as [number];
    expect(code).toBe(constants.NGHTTP2_ENHANCE_YOUR_CALM);
    await closed;
    expect(await proxy.logLine((l) => l.msg === LOG.h2RapidReset)).toBeDefined();
  });

  it('keeps a client that resets 200 streams, or more spread over more than 10 s', async () => {
    const clock = testClock();
    const up = await startUpstream((req, res) => (req.url === '/ok' ? res.end('fine') : undefined));
    cleanups.push(() => up.close());
    const { s, proxy, front: f } = await front(upstreamsYaml({ app: up.url }) + ROOMY + 'routes:\n  - { prefix: /, upstream: app }\n', { clock });
    let wentAway = false;
    s.on('goaway', () => (wentAway = true));
    await resetStreams(s, 200, '/wait');
    expect((await h2Request(s, { ':path': '/ok' })).body.toString()).toBe('fine'); // frames are read in order: the resets came first
    clock.advance(10_000);
    await resetStreams(s, 150, '/wait');
    expect((await h2Request(s, { ':path': '/ok' })).body.toString()).toBe('fine');
    expect(wentAway).toBe(false);
    expect(f.h2.sessions).toBe(1);
    expect(proxy.logs.some((l) => l.msg === LOG.h2RapidReset)).toBe(false);
  });

  it('closeAll sends GOAWAY: the stream under way finishes, then the session closes', async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const up = await startUpstream((_req, res) => {
      res.write('before, ');
      void released.then(() => res.end('after'));
    });
    cleanups.push(() => up.close());
    const { s, front: f } = await front(upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /, upstream: app }\n');
    const req = s.request({ ':path': '/long' });
    await once(req, 'data');
    const goaway = once(s, 'goaway');
    const closed = new Promise((resolve) => s.once('close', resolve));
    const allClosed = f.h2.closeAll();
    const [code] = (await goaway) as [number];
    expect(code).toBe(constants.NGHTTP2_NO_ERROR);
    release();
    let rest = '';
    for await (const c of req) rest += c;
    expect(rest).toBe('after');
    await Promise.all([closed, allClosed]);
    expect(f.h2.sessions).toBe(0);
  });

  it('closes a session left with no stream open for keepAliveTimeoutMs after its requests (GOAWAY NO_ERROR)', async () => {
    const up = await startUpstream((_req, res) => res.end('one'));
    cleanups.push(() => up.close());
    const { s, front: f } = await front(upstreamsYaml({ app: up.url }) + 'server: { keepAliveTimeoutMs: 100 }\nroutes:\n  - { prefix: /, upstream: app }\n');
    const goaway = once(s, 'goaway');
    expect((await h2Request(s, { ':path': '/one' })).body.toString()).toBe('one');
    const [code] = (await goaway) as [number];
    expect(code).toBe(constants.NGHTTP2_NO_ERROR);
    await f.h2.closeAll(); // resolves at once for a session already closed
  });

  it('curl --http2 gets the upstream answer over h2', async () => {
    const up = await startUpstream((req, res) => res.end(`via ${req.headers['x-forwarded-proto']}`));
    cleanups.push(() => up.close());
    const { front: f } = await front(upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /, upstream: app }\n');
    const { stdout } = await promisify(execFile)('curl', ['--http2', '--cacert', f.caFile, '-sS', '-D', '-', `${f.url}/curl`]);
    expect(stdout.startsWith('HTTP/2 200')).toBe(true);
    expect(stdout.endsWith('via https')).toBe(true);
  });
});
