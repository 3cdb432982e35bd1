// A mismatch sample carries, besides the replay through the proxy, one curl line per side: the
// request as the primary got it and as the shadow got it (that upstream's URL, the path as
// rewritten for it, the headers it was sent, secrets redacted), sent straight to it. Run for
// real here: each line reaches its own upstream and shows that side's answer. Each differing
// path's example names the request that produced it.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { once } from 'node:events';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShadowEvent } from '../src/shadow/log-line.js';
import type { ShadowReport } from '../src/shadow/report.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

let primary: Upstream, shadow: Upstream, proxy: TestProxy, event: ShadowEvent;
const answer = (v: number) => startUpstream((_req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ name: 'Ada', v }));
});

/** Runs a curl line with a real curl (no proxy from the environment); its stdout. Asynchronous:
 *  the upstreams answer from this process. */
async function run(line: string): Promise<string> {
  const env = { PATH: process.env.PATH, NO_PROXY: '*', no_proxy: '*' };
  return (await promisify(execFile)('sh', ['-c', `${line} --silent --show-error --max-time 10`], { encoding: 'utf8', env })).stdout;
}

beforeAll(async () => {
  [primary, shadow] = await Promise.all([answer(1), answer(2)]);
  proxy = await startProxy(upstreamsYaml({ legacy: primary.url, next: shadow.url }) + `routes:
  - prefix: /api/orders
    upstream: legacy
    prefixRewrite: /v1/orders
    preserveHost: true
    shadow: { upstream: next, prefixRewrite: /v2/orders }
`);
  const recorded = once(proxy.proxy.shadow, 'event').then(([e]) => e as ShadowEvent);
  const req = http.request(`${proxy.url}/api/orders/7?x=1`, {
    headers: { host: 'shop.test', authorization: 'Bearer s3cret-token', cookie: 'session=abc123', 'x-request-id': 'req-curl-1', accept: 'application/json' },
  });
  req.end();
  const [res] = (await once(req, 'response')) as [http.IncomingMessage];
  for await (const _ of res);
  event = await recorded;
});
afterAll(async () => {
  await proxy?.close();
  await Promise.all([primary?.close(), shadow?.close()]);
});

describe('the curl lines of a mismatch sample', () => {
  it('name each upstream\'s URL and rewritten path, the headers it got, and no secret', () => {
    expect(event.result).toBe('mismatch');
    expect(event.primaryCurl).toMatch(new RegExp(`^curl '${primary.url}/v1/orders/7\\?x=1' `));
    expect(event.shadowCurl).toMatch(new RegExp(`^curl '${shadow.url}/v2/orders/7\\?x=1' `));
    for (const line of [event.primaryCurl!, event.shadowCurl!]) {
      expect(line).toContain("-H 'host: shop.test'");
      expect(line).toContain("-H 'x-request-id: req-curl-1'");
      expect(line).toContain("-H 'authorization: <redacted>'");
      expect(line).toContain("-H 'cookie: <redacted>'");
      expect(line).not.toMatch(/s3cret|abc123/);
    }
    expect(event.shadowCurl).toContain("-H 'x-strangler-shadow: 1'");
    expect(event.primaryCurl).not.toContain('x-strangler-shadow');
    expect(event.curl).toMatch(/^curl 'http:\/\/shop\.test\/api\/orders\/7\?x=1' /); // the replay through the proxy stays
  });

  it('each line, run with a real curl, reaches its own upstream and shows that side\'s answer', async () => {
    const p = primary.received.length;
    const s = shadow.received.length;
    expect(JSON.parse(await run(event.primaryCurl!))).toEqual({ name: 'Ada', v: 1 });
    expect(JSON.parse(await run(event.shadowCurl!))).toEqual({ name: 'Ada', v: 2 });
    expect(primary.received.length).toBe(p + 1);
    expect(shadow.received.length).toBe(s + 1);
    const [toPrimary, toShadow] = [primary.received.at(-1)!, shadow.received.at(-1)!];
    expect([toPrimary.url, toPrimary.headers.host, toPrimary.headers['x-request-id'], toPrimary.headers['x-strangler-shadow']]).toEqual(['/v1/orders/7?x=1', 'shop.test', 'req-curl-1', undefined]);
    expect([toShadow.url, toShadow.headers.host, toShadow.headers['x-request-id'], toShadow.headers['x-strangler-shadow']]).toEqual(['/v2/orders/7?x=1', 'shop.test', 'req-curl-1', '1']);
  });

  it('are in the report\'s sample, and the differing path\'s example names its request', async () => {
    const body = (await (await fetch(proxy.adminUrl + '/shadow/report')).json()) as { routes: { route: string; report: ShadowReport }[] };
    const report = body.routes.find((r) => r.route === '/api/orders')!.report;
    expect(report.samples).toHaveLength(1);
    expect(report.samples[0]).toMatchObject({ method: 'GET', path: '/api/orders/7?x=1', primaryCurl: event.primaryCurl, shadowCurl: event.shadowCurl, curl: event.curl });
    expect(report.topPaths['$.v']!.example).toMatchObject({ request: { method: 'GET', path: '/api/orders/7?x=1' }, path: '$.v', primary: 1, shadow: 2 });
  });
});
