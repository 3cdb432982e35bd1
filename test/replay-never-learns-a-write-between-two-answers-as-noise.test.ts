// The replay learns noise from the recording: the same request recorded twice with different
// answers. But a write between the two (a POST the recording did not keep: it records GETs)
// changes the store, not a token: learning `$.count` and `$.orders[*]` from it hid a candidate
// whose store lagged behind (a walkthrough replayed 72 such requests as noise). Each recorded line
// now says how many writes the proxy had sent to the route's upstream before it (none under way),
// and which process counted (each starts at 0: a restart, another worker); the replay pairs only
// answers with the same value, so the token is still noise and the lagging candidate fails.

import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

let legacy: Upstream | undefined, candidate: Upstream | undefined, proxy: TestProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await Promise.all([legacy?.close(), candidate?.close()]);
  legacy = candidate = proxy = undefined;
});

/** A store of orders: GET lists them (with a token new on every answer), POST adds one. */
function ordersApp(orders: string[], acceptsWrites: boolean) {
  let n = 0;
  return startUpstream((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.method === 'POST' && acceptsWrites) orders.push(JSON.parse(body).id as string);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ orders, count: orders.length, token: `t${n++}` }));
    });
  });
}

interface Out {
  routes: { report: { match: number; mismatch: number; noisePaths: Record<string, number>; topPaths: Record<string, unknown> } }[];
}

describe('a recording with a write between two answers of the same request', () => {
  it('marks each line with the writes before it, and the replay learns the token as noise but not the write', async () => {
    legacy = await ordersApp(['a'], true);
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'strangler-writes-')), 'orders.jsonl');
    const yaml = upstreamsYaml({ legacy: legacy.url }) + `routes:\n  - { prefix: /orders, upstream: legacy, record: { file: ${JSON.stringify(file)} } }\n`;
    const post = async () => (await fetch(`${proxy!.url}/orders`, { method: 'POST', body: JSON.stringify({ id: 'b' }), headers: { 'content-type': 'application/json' } })).text();
    const get = async () => (await fetch(`${proxy!.url}/orders`)).text();
    proxy = await startProxy(yaml);
    await get();
    await get(); // the same answer but its token: noise
    await post();
    await get(); // the store grew: not noise
    await get();
    await post(); // the last write of this process...
    await proxy.close();
    proxy = await startProxy(yaml); // ...and the next one counts from 0 again, into the same file
    await get();
    await proxy.close();
    proxy = undefined;
    const lines = (await readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { writes: string | null; request: { method: string } });
    const [p1, p2] = [lines[0]!.writes!.split(':')[0], lines[4]!.writes!.split(':')[0]];
    expect(p1).not.toBe(p2);
    expect(lines.map((l) => [l.request.method, l.writes])).toEqual([['GET', `${p1}:0`], ['GET', `${p1}:0`], ['GET', `${p1}:1`], ['GET', `${p1}:1`], ['GET', `${p2}:0`]]);

    // A candidate whose store lags behind: it never got order b.
    candidate = await ordersApp(['a'], false);
    const r = await cli(['replay', file, '--target', candidate.url, '--json']);
    expect(r.code).toBe(1);
    const report = (JSON.parse(r.out) as Out).routes[0]!.report;
    expect(Object.keys(report.noisePaths)).toEqual(['$.token']);
    expect(report).toMatchObject({ match: 2, mismatch: 3 });
    expect(Object.keys(report.topPaths)).toEqual(expect.arrayContaining(['$.count']));
  });
});
