// `strangler replay`: recorded requests are sent to a candidate and its answers compared with the
// recorded ones by the shadow's differ. An identical candidate passes (exit 0); one differing in
// one JSON field fails (exit 1) and the report names the path; the route's `shadow.compare` from
// --config can ignore it (exit 0); --fail-under sets the bar; writes are skipped unless --methods
// lists them; the path sent is the recorded upstreamPath (or the client's with --client-path), the
// recorded headers go along minus redacted values, and --header adds one.

import { readFile } from 'node:fs/promises';
import type http from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { recordedLine, writeRecording, writeRoutes, type ExchangeSpec } from './helpers/recording.js';
import { refusedPort, startUpstream, type Upstream } from './helpers/servers.js';

const ORDERS: Record<string, unknown> = {
  '/orders/1': { id: 1, userId: 7, total: 10 },
  '/orders/2': { id: 2, userId: 8, total: 20 },
  '/orders/3': { id: 3, userId: 9, total: 30 },
  '/orders/4': { id: 4, userId: 9, total: 40 },
};

const recording: ExchangeSpec[] = Object.entries(ORDERS).map(([path, body]) => ({ path, body }));

let candidate: Upstream | undefined;
afterEach(async () => {
  await candidate?.close();
  candidate = undefined;
});

/** Answers like the recorded service, but `change` may alter an order's JSON. */
async function startCandidate(change: (path: string, order: Record<string, unknown>) => Record<string, unknown> = (_p, o) => o): Promise<Upstream> {
  candidate = await startUpstream((req: http.IncomingMessage, res: http.ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const order = ORDERS[path] as Record<string, unknown> | undefined;
    if (order === undefined) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(change(path, { ...order })));
  });
  return candidate;
}

describe('strangler replay', () => {
  it('passes a candidate that answers exactly like the recording (exit 0)', async () => {
    const file = await writeRecording(recording);
    const c = await startCandidate();
    const r = await cli(['replay', file, '--target', c.url]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('match 4');
    expect(r.out).toContain('mismatch 0');
    expect(r.out).toContain('gate: pass');
    expect(c.received.map((q) => q.url)).toEqual(expect.arrayContaining(Object.keys(ORDERS)));
  });

  it('fails a candidate that differs in one JSON field (exit 1) and names the path', async () => {
    const file = await writeRecording(recording);
    const c = await startCandidate((path, o) => (path === '/orders/2' ? { ...o, total: '20.00' } : o));
    const r = await cli(['replay', file, '--target', c.url]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('$.total');
    expect(r.out).toContain('GET /orders/2');
    expect(r.out).toMatch(/FAIL\s+\/orders\s+75\.0% \(3 of 4\)/);
    expect(r.out).toContain('gate: FAIL');

    const json = await cli(['replay', file, '--target', c.url, '--json']);
    expect(json.code).toBe(1);
    const out = JSON.parse(json.out) as { routes: { route: string; report: { match: number; mismatch: number; topPaths: Record<string, unknown> } }[]; gate: { pass: boolean } };
    expect(out.routes).toHaveLength(1);
    expect(out.routes[0]!.report.match).toBe(3);
    expect(out.routes[0]!.report.mismatch).toBe(1);
    expect(Object.keys(out.routes[0]!.report.topPaths)).toEqual(['$.total']);
    expect(out.gate.pass).toBe(false);
  });

  it("passes when the route's shadow.compare in --config ignores that field (exit 0)", async () => {
    const file = await writeRecording(recording);
    const c = await startCandidate((_p, o) => ({ ...o, servedAt: Date.now() }));
    expect((await cli(['replay', file, '--target', c.url])).code).toBe(1);
    const routes = await writeRoutes(`
upstreams:
  legacy: { url: http://127.0.0.1:1 }
  orders: { url: ${c.url} }
routes:
  - prefix: /orders
    upstream: legacy
    shadow:
      upstream: orders
      compare:
        ignore: ["$.servedAt"]
  - prefix: /
    upstream: legacy
`);
    const r = await cli(['replay', file, '--target', c.url, '--config', routes]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('gate: pass');
  });

  it('gates on --fail-under: the match rate over match + mismatch, errors and skips not counted', async () => {
    const lines: ExchangeSpec[] = [...recording, { method: 'POST', path: '/orders', requestBody: '{"userId":1}', status: 201, body: { id: 5 } }];
    const file = await writeRecording(lines);
    const c = await startCandidate((path, o) => (path === '/orders/2' ? { ...o, total: 21 } : o));
    const at = async (pct: string): Promise<number> => (await cli(['replay', file, '--target', c.url, '--fail-under', pct])).code;
    expect(await at('75')).toBe(0); // 3 of 4: the skipped POST is not counted
    expect(await at('74.9')).toBe(0);
    expect(await at('75.1')).toBe(1);
    expect(await at('100')).toBe(1);
    expect(await at('0')).toBe(0);
  });

  it('skips recorded writes unless --methods lists them', async () => {
    const file = await writeRecording([{ method: 'POST', path: '/orders', requestBody: '{"userId":1}', status: 404, body: { error: 'not found' } }, recording[0]!]);
    const c = await startCandidate();
    const r = await cli(['replay', file, '--target', c.url, '--json']);
    const out = JSON.parse(r.out) as { routes: { report: { skipped: Record<string, number>; match: number } }[] };
    expect(out.routes[0]!.report.skipped).toEqual({ method_not_replayed: 1 });
    expect(c.received.map((q) => q.method)).toEqual(['GET']);

    const w = await cli(['replay', file, '--target', c.url, '--methods', 'GET,POST', '--json']);
    expect(w.code).toBe(0);
    expect(c.received.map((q) => q.method).sort()).toEqual(['GET', 'GET', 'POST']);
    expect((JSON.parse(w.out) as { routes: { report: { match: number } }[] }).routes[0]!.report.match).toBe(2);
  });

  it('sends the recorded upstreamPath (--client-path: the client path) with the recorded headers, redacted ones left out, and --header', async () => {
    const file = await writeRecording([
      { path: '/api/orders/1?x=1', upstreamPath: '/orders/1?x=1', route: '/api/orders', requestHeaders: { authorization: '<redacted>', 'x-trace': 'abc' }, body: ORDERS['/orders/1'] },
    ]);
    const c = await startCandidate();
    const r = await cli(['replay', file, '--target', c.url, '--header', 'Authorization: Bearer test-token']);
    expect(r.code).toBe(0);
    const got = c.received[0]!;
    expect(got.url).toBe('/orders/1?x=1');
    expect(got.headers.authorization).toBe('Bearer test-token');
    expect(got.headers['x-trace']).toBe('abc');

    await cli(['replay', file, '--target', c.url, '--client-path']);
    expect(c.received[1]!.url).toBe('/api/orders/1?x=1');
    expect(c.received[1]!.headers.authorization).toBeUndefined();
  });

  it('decodes a gzip answer recorded as base64, and leaves out values the recorder redacted', async () => {
    const gz = gzipSync(JSON.stringify(ORDERS['/orders/1']));
    const line = JSON.parse(recordedLine({ path: '/orders/1', responseHeaders: { 'content-encoding': 'gzip', 'content-type': 'application/json' } })) as Record<string, any>;
    line.response.body = { encoding: 'base64', data: gz.toString('base64'), bytes: gz.length, truncated: false };
    const redacted = { path: '/orders/2', body: { ...(ORDERS['/orders/2'] as object), userId: '<redacted>' } };
    const file = await writeRecording([JSON.stringify(line), redacted]);
    const c = await startCandidate();
    const r = await cli(['replay', file, '--target', c.url, '--json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.out) as { routes: { report: { match: number } }[] }).routes[0]!.report.match).toBe(2);
  });

  it('fails a candidate whose first bytes differ from a truncated recorded body', async () => {
    const full = JSON.stringify(ORDERS['/orders/3']);
    const cut = (data: string): string => {
      const line = JSON.parse(recordedLine({ path: '/orders/3', body: ORDERS['/orders/3'] })) as Record<string, any>;
      line.response.body = { encoding: 'utf8', data, bytes: full.length, truncated: true };
      return JSON.stringify(line);
    };
    const c = await startCandidate();
    expect((await cli(['replay', await writeRecording([cut('{"id":3,"usr')]), '--target', c.url])).code).toBe(1);
  });

  it('counts a candidate that does not answer as an error, not a match rate: nothing compared fails the gate', async () => {
    const file = await writeRecording(recording);
    const r = await cli(['replay', file, '--target', `http://127.0.0.1:${await refusedPort()}`, '--json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.out) as { routes: { report: { shadowError: number; match: number; mismatch: number } }[]; gate: { pass: boolean } };
    expect(out.routes[0]!.report).toMatchObject({ shadowError: 4, match: 0, mismatch: 0 });
    expect(out.gate.pass).toBe(false);
  });

  it('gives up on a candidate that does not answer within --timeout (a shadow_error, reason timeout)', async () => {
    const file = await writeRecording([recording[0]!]);
    candidate = await startUpstream(() => {}); // takes the request, never answers
    const r = await cli(['replay', file, '--target', candidate.url, '--timeout', '50', '--json']);
    expect(r.code).toBe(1);
    const report = (JSON.parse(r.out) as { routes: { report: { shadowError: number; samples: unknown[] } }[] }).routes[0]!.report;
    expect(report.shadowError).toBe(1);
    const junit = file.replace(/\.jsonl$/, '.xml');
    const text = await cli(['replay', file, '--target', candidate.url, '--timeout', '50', '--junit', junit]);
    expect(text.out).toContain('shadow_error 1');
    expect(await readFile(junit, 'utf8')).toContain('<error message="no answer: timeout 1" type="no_answer"/>');
    expect(candidate.received).toHaveLength(2);
  });
});

