// A recording taken during a canary holds the new service's own answers beside the monolith's
// (each line's response.upstream says which). Replayed against the candidate, those compared the
// candidate with itself (inflating the match rate), and paired with the monolith's answers of the
// same request they were learned as noise. With --config, an answer from another upstream than
// the route's is skipped (other_upstream) and never learned from.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { writeRecording, type ExchangeSpec } from './helpers/recording.js';
import { startUpstream, type Upstream } from './helpers/servers.js';

let candidate: Upstream | undefined;
afterEach(async () => {
  await candidate?.close();
  candidate = undefined;
});

const legacy: ExchangeSpec = { path: '/orders/1', route: '/orders', body: { id: 1, total: 10 }, upstream: 'legacy' };
const fromCanary: ExchangeSpec = { path: '/orders/1', route: '/orders', body: { id: 1, total: 11 }, upstream: 'orders' };

describe('a recording with the canary answers in it, replayed with --config', () => {
  it("skips the answers of another upstream than the route's and learns no noise from them", async () => {
    candidate = await startUpstream((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":1,"total":11}'));
    const file = await writeRecording([legacy, fromCanary, legacy]);
    const config = path.join(path.dirname(file), 'routes.yaml');
    await writeFile(config, 'upstreams:\n  legacy: { url: "http://127.0.0.1:1" }\n  orders: { url: "http://127.0.0.1:2" }\nroutes:\n  - prefix: /orders\n    upstream: legacy\n    canary: { upstream: orders, percent: 50 }\n');
    const r = await cli(['replay', file, '--target', candidate.url, '--config', config, '--json']);
    const out = JSON.parse(r.out) as { routes: { report: { match: number; mismatch: number; noisePaths: Record<string, number>; skipped: Record<string, number> } }[] };
    // The candidate answers total 11 where the monolith said 10: a difference, found twice.
    expect(out.routes[0]!.report).toMatchObject({ match: 0, mismatch: 2, noisePaths: {}, skipped: { other_upstream: 1 } });
    expect(r.code).toBe(1);
  });
});
