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

describe('a recorded query string', () => {
  it('has the values of the default and the listed parameters redacted in path and upstreamPath, the rest as sent', async () => {
    const seen: string[] = [];
    up = await startUpstream((req, res) => {
      seen.push(req.url!);
      res.end('ok');
    });
    proxy = await startProxy(upstreamsYaml({ app: up.url }) + `routes:
  - prefix: /s
    upstream: app
    prefixRewrite: /v2
    record: { file: ./s.jsonl, redactQuery: [My_Session] }
`);
    const file = path.join(path.dirname(proxy.file), 's.jsonl');
    const query = '?q=a+b&access_token=SECRET1&API_KEY=SECRET2&my%5Fsession=SECRET3&sig=SECRET4&flag';
    const r = await send(proxy.url + '/s/a' + query, 'GET');
    expect(r.status).toBe(200);
    expect(seen).toEqual(['/v2/a' + query]); // what goes upstream is untouched
    await flushed(proxy, file);
    const [line] = await recordedLines(file);
    const redacted = '?q=a+b&access_token=<redacted>&API_KEY=<redacted>&my%5Fsession=<redacted>&sig=<redacted>&flag';
    expect(line!.request.path).toBe('/s/a' + redacted);
    expect(line!.request.upstreamPath).toBe('/v2/a' + redacted);
  });
});
