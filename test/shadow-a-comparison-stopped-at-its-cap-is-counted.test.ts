// A comparison stops at 100 differences (a bound on its work); what came after is not compared,
// so the report's paths undercount it. That must be visible: the event says `truncated`, the
// report counts such comparisons (and merges them), and `strangler report` and the /shadow page
// say so, so that a real bug past the cap is not silently missing from the counts.

import { afterEach, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import type { ShadowEvent } from '../src/shadow/log-line.js';
import { formatLogLine } from '../src/shadow/log-line.js';
import { emptyReport, record } from '../src/shadow/report.js';
import { mergeAll } from '../src/shadow/merge.js';
import { cli } from './helpers/cli.js';
import { writeRecording } from './helpers/recording.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

let primary: Upstream | undefined, shadow: Upstream | undefined, proxy: TestProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await Promise.all([primary?.close(), shadow?.close()]);
  proxy = primary = shadow = undefined;
});

const list = (n: number, offset: number) => JSON.stringify({ items: Array.from({ length: n }, (_, i) => ({ id: i, v: i + offset })) });

describe('a comparison stopped at its cap of differences', () => {
  it('is marked truncated on its event, counted and merged in the report, and shown by report and /shadow', async () => {
    primary = await startUpstream((_req, res) => res.setHeader('content-type', 'application/json').end(list(150, 0)));
    shadow = await startUpstream((_req, res) => res.setHeader('content-type', 'application/json').end(list(150, 1))); // 150 values differ
    proxy = await startProxy(upstreamsYaml({ legacy: primary.url, next: shadow.url }) + 'routes:\n  - { prefix: /orders, upstream: legacy, shadow: { upstream: next } }\n');
    const event = once(proxy.proxy.shadow, 'event').then(([e]) => e as ShadowEvent);
    await (await fetch(proxy.url + '/orders')).text();
    const e = await event;
    expect(e).toMatchObject({ result: 'mismatch', truncated: true });
    expect(e.differences).toHaveLength(100);

    const report = (await (await fetch(proxy.adminUrl + '/shadow/report')).json()) as { routes: { route: string; report: { truncated: number }; summary: { truncated: number } }[] };
    expect(report.routes[0]).toMatchObject({ route: '/orders', report: { truncated: 1 }, summary: { truncated: 1 } });
    const page = await (await fetch(proxy.adminUrl + '/shadow')).text();
    expect(page).toContain('1 stopped at 100 differences: the paths undercount past it');

    // Merged like every count; a report from before the field (none) merges as 0.
    const one = record(emptyReport('/orders', e.at), e);
    const { truncated: _none, ...older } = record(emptyReport('/orders', e.at), { ...e, truncated: undefined });
    expect(mergeAll([one, one, older]).truncated).toBe(2);

    const file = await writeRecording([formatLogLine(e).trimEnd()], 'shadow.jsonl');
    const text = await cli(['report', '--file', file]);
    expect(text.out).toContain('1 comparison(s) stopped at 100 differences: the paths below undercount what came after');
  });
});
