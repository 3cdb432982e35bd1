import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { routeState } from './helpers/misbehaving.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';
import { flushed, recordedLines, send } from './helpers/recorded-lines.js';

let proxy: TestProxy | undefined, legacy: Upstream | undefined, svc: Upstream | undefined;
afterEach(async () => {
  await proxy?.close();
  await legacy?.close();
  await svc?.close();
  proxy = legacy = svc = undefined;
});

describe('adding, changing or removing record on a route', () => {
  it('keeps its open breaker, while the recording follows the new config', async () => {
    let failing = 0;
    svc = await startUpstream((_req, res) => {
      failing++;
      res.statusCode = 503;
      res.end('down');
    });
    legacy = await startUpstream((_req, res) => res.end('from legacy'));
    const base = upstreamsYaml({ legacy: legacy.url, svc: svc.url }) + `routes:
  - prefix: /b
    upstream: svc
    breaker: { consecutiveFailures: 1, halfOpenAfterMs: 600000 }
    fallback: legacy
`;
    // Reloaded by the test only: a file watcher could load each edit first, and the test's own
    // reload would then find the file unchanged.
    proxy = await startProxy(base, { watch: false });
    const dir = path.dirname(proxy.file);
    const breaker = async () => ((await routeState(proxy!.adminUrl, '/b')).state.breaker as { state: string }).state;
    expect((await send(proxy.url + '/b/1', 'GET')).body.toString()).toBe('from legacy');
    expect(await breaker()).toBe('open');
    expect(failing).toBe(1);

    for (const [i, tail] of [['a', '    record: { file: ./a.jsonl }\n'], ['b', '    record: { file: ./b.jsonl, percent: 100 }\n'], ['c', '']] as const) {
      await writeFile(proxy.file, base + tail);
      expect(await proxy.proxy.reload('admin')).toMatchObject({ result: 'success' });
      expect((await send(proxy.url + `/b/${i}`, 'GET', { 'x-request-id': i })).body.toString()).toBe('from legacy');
      expect(await breaker()).toBe('open');
      expect(failing).toBe(1); // the open breaker kept the request from the failing service
    }
    await flushed(proxy, path.join(dir, 'a.jsonl'));
    await flushed(proxy, path.join(dir, 'b.jsonl'));
    expect((await recordedLines(path.join(dir, 'a.jsonl'))).map((l) => [l.id, l.response.upstream])).toEqual([['a', 'legacy']]);
    expect((await recordedLines(path.join(dir, 'b.jsonl'))).map((l) => [l.id, l.response.upstream])).toEqual([['b', 'legacy']]);
  });
});
