// Through the proxy, a 1 MB HTML page on both sides: its comparison takes many turns of the event
// loop (a slice of the parse or the walk per turn), and requests to another route are answered
// while it is in progress, before its event; the event is the one the comparison gives in one
// go. A reset of the report or a shutdown meanwhile crashes nothing, and the comparison still
// ends in exactly one event (a shutdown waits for it, so its line reaches the shadow log).
// Proven by ordering and counting: what the proxy's turns say at the moment an answer arrives.

import { once } from 'node:events';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LOG } from '../src/observability/log-messages.js';
import { compareOptionsFrom, compareResponses, type Captured } from '../src/shadow/diff.js';
import type { ShadowEvent } from '../src/shadow/log-line.js';
import type { ShadowReport } from '../src/shadow/report.js';
import { HTML_SLICES } from '../src/shadow/slicing.js';
import { bigHtmlPage } from './helpers/big-html-page.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

const PRIMARY_PAGE = bigHtmlPage();
const SHADOW_PAGE = bigHtmlPage({ changedRow: 1_200, footer: 'Served by the new service' });
const HTML = 'text/html; charset=utf-8';

let legacy: Upstream | undefined, next: Upstream | undefined, proxy: TestProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await Promise.all([legacy?.close(), next?.close()]);
  proxy = legacy = next = undefined;
});

async function setup(o: { server?: string; shadow?: string; primaryPage?: () => string; shadowPage?: string } = {}) {
  legacy = await startUpstream((req, res) => {
    if (req.url === '/api/ping') return res.end('pong');
    res.setHeader('content-type', HTML);
    res.end((o.primaryPage ?? (() => PRIMARY_PAGE))());
  });
  next = await startUpstream((_req, res) => {
    res.setHeader('content-type', HTML);
    res.end(o.shadowPage ?? SHADOW_PAGE);
  });
  proxy = await startProxy(
    `server: { maxBufferBytes: 4194304${o.server ?? ''} }\n` +
      upstreamsYaml({ legacy: legacy.url, next: next.url }) +
      `routes:\n  - prefix: /pages\n    upstream: legacy\n    shadow: { upstream: next${o.shadow ?? ''} }\n  - prefix: /api\n    upstream: legacy\n`,
  );
  const p = proxy;
  const events: ShadowEvent[] = [];
  p.proxy.shadow.on('event', (e: ShadowEvent) => events.push(e));
  return { p, events, turns: p.proxy.shadow.turns };
}

interface Seen {
  /** Comparisons in progress (across turns) when the answer came. */
  readonly comparing: number;
  /** Shadow events emitted by then. */
  readonly events: number;
}

/**
 * Plain requests to /api, one after another, until `stop()` (or 2,000 of them): what each answer
 * saw. Not a wait on time: each request starts when the previous one is answered.
 */
async function pingUntil(p: TestProxy, stop: (seen: Seen) => boolean, snapshot: () => Seen): Promise<Seen[]> {
  const seen: Seen[] = [];
  for (let i = 0; i < 2_000; i++) {
    const r = await fetch(p.url + '/api/ping');
    expect(await r.text()).toBe('pong');
    const s = snapshot();
    seen.push(s);
    if (stop(s)) break;
  }
  return seen;
}

const captured = (body: string): Captured => ({ status: 200, headers: { 'content-type': HTML }, body: Buffer.from(body) });

describe('a 1 MB HTML page in the shadow', () => {
  it('is compared over many turns while requests to another route are answered, then gives the one-go result', async () => {
    const { p, events, turns } = await setup();
    const snapshot = (): Seen => ({ comparing: turns.inProgress, events: events.length });
    const page = fetch(p.url + '/pages/catalogue').then((r) => r.text());
    const seen = await pingUntil(p, (s) => s.events > 0, snapshot);
    expect(await page).toBe(PRIMARY_PAGE);

    // Some answers came while the comparison was in progress, before its event.
    const during = seen.filter((s) => s.comparing === 1 && s.events === 0);
    expect(during.length).toBeGreaterThan(0);
    expect(seen.at(-1)).toEqual({ comparing: 0, events: 1 });

    // Both parses alone took a turn per 16 KiB slice.
    expect(turns.turnsTaken).toBeGreaterThanOrEqual(2 * Math.ceil(PRIMARY_PAGE.length / HTML_SLICES.chars));

    const e = events[0]!;
    const whole = compareResponses(captured(PRIMARY_PAGE), captured(SHADOW_PAGE), compareOptionsFrom(undefined));
    expect(e.result).toBe('mismatch');
    expect(e.differences).toEqual(whole.differences.map((d) => ({ path: d.path, kind: d.kind, primary: d.primary, shadow: d.shadow })));
    expect(e.differences!.map((d) => d.path)).toEqual([
      'html > body > table#products > tbody > tr:nth-of-type(1201) > td:nth-of-type(2) #text',
      'html > body > footer#footer > p #text',
    ]);
  });

  it('lands in the new report when the report is reset while it is in progress, once', async () => {
    const { p, events, turns } = await setup();
    const snapshot = (): Seen => ({ comparing: turns.inProgress, events: events.length });
    const page = fetch(p.url + '/pages/catalogue').then((r) => r.text());
    const seen = await pingUntil(p, (s) => s.comparing === 1 || s.events > 0, snapshot);
    expect(seen.at(-1)).toEqual({ comparing: 1, events: 0 });

    const reset = await fetch(p.adminUrl + '/shadow/reset?route=/pages', { method: 'POST' });
    expect(reset.status).toBe(200);
    expect(turns.inProgress).toBe(1); // still in progress after the reset was answered
    await turns.idle();
    expect(await page).toBe(PRIMARY_PAGE);

    expect(events.map((e) => e.result)).toEqual(['mismatch']);
    const body = (await (await fetch(p.adminUrl + '/shadow/report')).json()) as { routes: { route: string; report: ShadowReport }[] };
    const report = body.routes.find((r) => r.route === '/pages')!.report;
    expect(report).toMatchObject({ mirrored: 1, mismatch: 1, match: 0, shadowError: 0, skipped: {} });
  });

  it('is waited for by a shutdown that comes while it is in progress: one event, one line in the shadow log', async () => {
    const log = path.join(await mkdtemp(path.join(tmpdir(), 'strangler-htmlslice-')), 'shadow.jsonl');
    const { p, events, turns } = await setup({ server: `, shadowLog: ${JSON.stringify(log)}` });
    const snapshot = (): Seen => ({ comparing: turns.inProgress, events: events.length });
    const page = fetch(p.url + '/pages/catalogue').then((r) => r.text());
    const seen = await pingUntil(p, (s) => s.comparing === 1 || s.events > 0, snapshot);
    expect(seen.at(-1)).toEqual({ comparing: 1, events: 0 });

    const closing = p.close();
    expect(await page).toBe(PRIMARY_PAGE);
    await closing;
    proxy = undefined;

    expect(turns.inProgress).toBe(0);
    expect(events.map((e) => e.result)).toEqual(['mismatch']);
    const lines = (await readFile(log, 'utf8')).split('\n').filter((l) => l !== '' && !l.includes('"restart":')); // (the comparisons, not the route's start line)
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ route: '/pages', result: 'mismatch' });
  });

  it('learns noise from the probe over many turns too, and a later comparison reads it', async () => {
    let n = 0;
    const { p, events, turns } = await setup({
      shadow: ', compare: { noiseProbe: 100 }',
      primaryPage: () => bigHtmlPage({ footer: `Served at ${n++}` }),
      shadowPage: bigHtmlPage({ footer: 'Served at noon' }),
    });
    const footer = 'html > body > footer#footer > p #text';
    const first = once(p.proxy.shadow, 'event');
    await (await fetch(p.url + '/pages/catalogue')).text();
    const learned = await p.logLine((l) => l.msg === LOG.shadowNoiseLearned);
    expect(learned.paths).toEqual([footer]);
    await first;
    await turns.idle();
    expect(events).toHaveLength(1);
    expect(turns.turnsTaken).toBeGreaterThanOrEqual(4 * Math.ceil(PRIMARY_PAGE.length / HTML_SLICES.chars)); // compared, and learned from

    const second = once(p.proxy.shadow, 'event');
    await (await fetch(p.url + '/pages/catalogue')).text();
    await second;
    await turns.idle();
    expect(events).toHaveLength(2);
    expect(events[1]).toMatchObject({ result: 'match', differences: [], noise: [{ path: footer }] });
  });
});
