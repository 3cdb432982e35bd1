// The replay learns noise from the recording: the same request recorded twice with different
// answers. But a write between the two (a POST the recording did not keep: it records GETs)
// changes the store, not a token: learning `$.count` and `$.orders[*]` from it hid a candidate
// whose store lagged behind (a walkthrough replayed 72 such requests as noise). Each recorded line
// now says how many writes the proxy had sent to the route's upstream before it (none under way);
// the replay pairs only answers with the same count, so the token is still noise and the lagging
// candidate fails.

import { readFile } from 'node:fs/promises';
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
    proxy = await startProxy(upstreamsYaml({ legacy: legacy.url }) + 'routes:\n  - { prefix: /orders, upstream: legacy, record: { file: ./capture/orders.jsonl } }\n');
    const get = async () => (await fetch(`${proxy!.url}/orders`)).text();
    await get();
    await get(); // the same answer but its token: noise
    await (await fetch(`${proxy.url}/orders`, { method: 'POST', body: JSON.stringify({ id: 'b' }), headers: { 'content-type': 'application/json' } })).text();
    await get(); // the store grew: not noise
    await get();
    const file = path.join(path.dirname(proxy.file), 'capture', 'orders.jsonl');
    await proxy.close();
    proxy = undefined;
    const lines = (await readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { writes: number | null; request: { method: string } });
    expect(lines.map((l) => [l.request.method, l.writes])).toEqual([['GET', 0], ['GET', 0], ['GET', 1], ['GET', 1]]);

    // A candidate whose store lags behind: it never got order b.
    candidate = await ordersApp(['a'], false);
    const r = await cli(['replay', file, '--target', candidate.url, '--json']);
    expect(r.code).toBe(1);
    const report = (JSON.parse(r.out) as Out).routes[0]!.report;
    expect(Object.keys(report.noisePaths)).toEqual(['$.token']);
    expect(report).toMatchObject({ match: 2, mismatch: 2 });
    expect(Object.keys(report.topPaths)).toEqual(expect.arrayContaining(['$.count']));
  });
});
