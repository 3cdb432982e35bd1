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

describe('a route listing its own redactHeaders', () => {
  it('still redacts authorization, cookie, set-cookie and proxy-authorization, and adds its own names', async () => {
    up = await startUpstream((_req, res) => {
      res.setHeader('set-cookie', 'sid=SETSECRET');
      res.end('ok');
    });
    proxy = await startProxy(upstreamsYaml({ app: up.url }) + `routes:
  - prefix: /s
    upstream: app
    record: { file: ./s.jsonl, redactHeaders: [X-Api-Key] }
`);
    const file = path.join(path.dirname(proxy.file), 's.jsonl');
    await send(proxy.url + '/s/a', 'GET', { authorization: 'Bearer SECRETAUTH', cookie: 'sid=SECRETCOOKIE', 'x-api-key': 'KEY', accept: 'text/plain' });
    await flushed(proxy, file);
    const [line] = await recordedLines(file);
    expect(line!.request.headers).toMatchObject({ authorization: '<redacted>', cookie: '<redacted>', 'x-api-key': '<redacted>', accept: 'text/plain' });
    expect(line!.response.headers['set-cookie']).toBe('<redacted>');
    expect(JSON.stringify(line)).not.toMatch(/SECRET|KEY"/);
  });
});
