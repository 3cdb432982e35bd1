// A recorded line's `at` is when the request arrived (not when recording began, after an
// authenticator's wait), and an absolute-form request (`GET http://host/a?b`) is recorded with
// its origin-form `path` (`/a?b`), the one `strangler replay` can send.

import net from 'node:net';
import path from 'node:path';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { startProxy, startUpstream, testClock, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';
import { flushed, recordedLines, send } from './helpers/recorded-lines.js';

let app: Upstream | undefined, auth: Upstream | undefined, proxy: TestProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await app?.close();
  await auth?.close();
  proxy = app = auth = undefined;
});

/** One absolute-form HTTP/1.1 request on a raw socket; resolves with the status line. */
async function absoluteForm(port: number, target: string): Promise<string> {
  const s = net.connect(port, '127.0.0.1');
  await once(s, 'connect');
  s.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
  let text = '';
  s.on('data', (c: Buffer) => (text += c.toString()));
  await once(s, 'end');
  return text.split('\r\n')[0]!;
}

describe('a recorded line', () => {
  it('has `at` the arrival time, also when an authenticator kept the request waiting', async () => {
    const clock = testClock();
    const arrived = clock.now();
    let allow!: () => void;
    let onAsked!: () => void;
    const asked = new Promise<void>((resolve) => (onAsked = resolve));
    auth = await startUpstream((_req, res) => {
      allow = () => res.end();
      onAsked();
    });
    app = await startUpstream((_req, res) => res.end('ok'));
    proxy = await startProxy(`auth:\n  s: { forward: { upstream: authsvc, path: /whoami, timeoutMs: 5000 } }\n` + upstreamsYaml({ app: app.url, authsvc: auth!.url }) + `routes:
  - prefix: /a
    upstream: app
    auth: s
    record: { file: ./a.jsonl }
`, { clock });
    const answer = send(proxy.url + '/a/1', 'GET');
    await asked;
    clock.advance(60_000); // the authenticator answers a minute later
    allow();
    expect((await answer).status).toBe(200);
    const file = path.join(path.dirname(proxy.file), 'a.jsonl');
    await flushed(proxy, file);
    const [line] = await recordedLines(file);
    expect(line!.at).toBe(new Date(arrived).toISOString());
  });

  it('has an absolute-form request path in origin-form', async () => {
    app = await startUpstream((_req, res) => res.end('ok'));
    proxy = await startProxy(upstreamsYaml({ app: app.url }) + `routes:
  - prefix: /s
    upstream: app
    record: { file: ./s.jsonl }
`);
    expect(await absoluteForm(proxy.port, `http://127.0.0.1:${proxy.port}/s/abs?q=1`)).toBe('HTTP/1.1 200 OK');
    const file = path.join(path.dirname(proxy.file), 's.jsonl');
    await flushed(proxy, file);
    const [line] = await recordedLines(file);
    expect(line!.request.path).toBe('/s/abs?q=1');
    expect(line!.request.upstreamPath).toBe('/s/abs?q=1');
  });
});
