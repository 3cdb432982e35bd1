// `strangler report`: two running proxies' GET /shadow/report (served by nock) and a shadow log
// file merge per route into the report of all their events; the terminal table shows the route,
// the verdict and the top paths; --json prints the merged reports; a failing source is named and
// exits 1; a bad JSON line is named as file:line.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseCommand } from '../src/cli/args.js';
import { formatReport } from '../src/cli/report-render.js';
import type { ShadowEvent } from '../src/shadow/log-line.js';
import { reportOf, type ShadowReport } from '../src/shadow/report.js';
import { summarize } from '../src/shadow/summary.js';
import { cli } from './helpers/cli.js';

const A = 'http://proxy-a.test:9901';
const B = 'http://proxy-b.test:9901';
const USERS = '/api/users';
const ORDERS = '/api/orders';
const T0 = Date.parse('2025-03-01T10:00:00.000Z');
const SINCE_A = '2025-03-01T09:00:00.000Z';
const SINCE_B = '2025-03-01T09:30:00.000Z';

/** Known events over two routes: matches, mismatches at a few paths, errors, skips, noise. */
function makeEvents(): ShadowEvent[] {
  const out: ShadowEvent[] = [];
  for (let i = 0; i < 90; i++) {
    const route = i % 3 === 0 ? ORDERS : USERS;
    const kind = i % 10;
    const result: ShadowEvent['result'] = kind < 6 ? 'match' : kind < 8 ? 'mismatch' : kind === 8 ? 'shadow_error' : 'skipped';
    const base = {
      at: new Date(T0 + i * 1000).toISOString(),
      route,
      result,
      method: 'GET',
      path: `${route}/${i}?page=${i % 4}`,
      primaryStatus: 200,
      primaryMs: 5 + (i % 17),
    };
    if (result === 'match') {
      out.push({ ...base, shadowStatus: 200, shadowMs: 7 + (i % 13), noise: i % 4 === 0 ? [{ path: '$.requestId' }] : [] });
    } else if (result === 'mismatch') {
      out.push({
        ...base,
        shadowStatus: i % 20 === 7 ? 500 : 200,
        shadowMs: 9 + (i % 11),
        differences: [
          { path: `$.items[${i % 5}].price`, kind: 'value', primary: 10 + i, shadow: `${10 + i}.00` },
          ...(i % 20 === 7 ? [{ path: 'status', kind: 'status' as const, primary: 200, shadow: 500 }] : []),
          ...(i % 3 === 1 ? [{ path: '$.name', kind: 'value' as const, primary: 'x'.repeat(300), shadow: 'y' }] : []),
        ],
        curl: `curl 'http://users-next${base.path}' -H 'Authorization: <redacted>'`,
      });
    } else if (result === 'shadow_error') {
      out.push({ ...base, reason: 'timeout', shadowStatus: null, shadowMs: 5000 });
    } else {
      out.push({ ...base, reason: i % 20 === 9 ? 'too_large' : 'max_concurrent', shadowStatus: null, shadowMs: null });
    }
  }
  return out;
}

const events = makeEvents();
const partA = events.filter((_, i) => i % 4 === 0 || i % 7 === 0);
const partB = events.filter((e, i) => !partA.includes(e) && i % 2 === 0);
const partFile = events.filter((e) => !partA.includes(e) && !partB.includes(e));

const viaJson = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const ofRoute = (es: ShadowEvent[], route: string) => es.filter((e) => e.route === route);

/** What GET /shadow/report of a proxy that saw `es` since `since` answers. */
function adminBody(since: string, es: ShadowEvent[]) {
  const routes = [ORDERS, USERS]
    .filter((r) => ofRoute(es, r).length > 0)
    .map((route) => {
      const report = reportOf(route, since, ofRoute(es, route));
      return { route, report, summary: summarize(report) };
    });
  return { generatedAt: '2025-03-01T11:00:00.000Z', routes };
}

/** The report of all the events of a route, as the merge must give it. */
const whole = (route: string): ShadowReport => viaJson(reportOf(route, SINCE_A, ofRoute(events, route)));

let dir: string;
let file: string;

beforeAll(async () => {
  nock.disableNetConnect();
  dir = await mkdtemp(join(tmpdir(), 'strangler-report-'));
  file = join(dir, 'shadow.jsonl');
  // JSON lines as the store appends them, with a blank line and CRLF thrown in.
  const lines = partFile.map((e) => JSON.stringify(e));
  await writeFile(file, lines.slice(0, 5).join('\n') + '\n\n' + lines.slice(5).join('\r\n') + '\n');
});

afterEach(() => {
  nock.cleanAll();
});

afterAll(async () => {
  nock.enableNetConnect();
  await rm(dir, { recursive: true, force: true });
});

function serveAdmins(token?: string): void {
  const scope = (base: string) => (token === undefined ? nock(base) : nock(base, { reqheaders: { authorization: `Bearer ${token}` } }));
  scope(A).get('/shadow/report').reply(200, adminBody(SINCE_A, partA));
  scope(B).get('/shadow/report').reply(200, adminBody(SINCE_B, partB));
}

describe('strangler report', () => {
  it('splits the events over all three sources (sanity)', () => {
    expect(partA.length).toBeGreaterThan(10);
    expect(partB.length).toBeGreaterThan(10);
    expect(partFile.length).toBeGreaterThan(10);
    expect(partA.length + partB.length + partFile.length).toBe(events.length);
  });

  it('--json: the merge of two admins and a file equals the report of all the events', async () => {
    serveAdmins();
    const r = await cli(['report', '--admin', A, '--admin', `${B}/`, '--file', file, '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as { routes: { route: string; report: ShadowReport; summary: unknown }[]; sources: unknown[] };
    expect(out.routes.map((x) => x.route)).toEqual([ORDERS, USERS]);
    for (const { route, report, summary } of out.routes) {
      const expected = whole(route);
      const all = ofRoute(events, route);
      expect(report.mirrored).toBe(all.length);
      expect(report.match).toBe(all.filter((e) => e.result === 'match').length);
      expect(report.mismatch).toBe(all.filter((e) => e.result === 'mismatch').length);
      expect(report).toEqual(expected);
      expect(summary).toEqual(viaJson(summarize(expected)));
    }
    expect(out.sources).toEqual([
      { kind: 'admin', url: A, routes: 2 },
      { kind: 'admin', url: `${B}/`, routes: 2 },
      { kind: 'file', path: file, events: partFile.length, routes: 2, before: 0 },
    ]);
    expect(nock.isDone()).toBe(true);
  });

  it('prints a table per route: route, verdict, counts, latency, top paths, noise, samples with curl', async () => {
    serveAdmins('s3cret');
    const r = await cli(['report', '--admin', A, '--admin', B, '--file', file], { ADMIN_TOKEN: 's3cret' });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(nock.isDone()).toBe(true);
    const users = summarize(whole(USERS));
    const lines = r.out.split('\n');
    const head = lines.findIndex((l) => l.startsWith(`${USERS}  `));
    expect(head).toBeGreaterThan(-1);
    expect(lines[head]).toBe(`${USERS}  ${users.verdictText}`);
    expect(users.verdictText).toMatch(/^not enough data: \d+\.\d% match over \d+ requests \(needs 1,000\)$/);
    const block = lines.slice(head).join('\n');
    expect(block).toContain(`mirrored ${users.mirrored}   match ${users.match}   mismatch ${users.mismatch}`);
    expect(block).toContain(`shadow_error ${users.shadowError}   skipped ${users.skipped.max_concurrent! + users.skipped.too_large!}\n`);
    expect(block).toContain(`skipped by reason: max_concurrent ${users.skipped.max_concurrent}, too_large ${users.skipped.too_large}\n`);
    expect(block).toMatch(users.shadowError > 0 ? /match rate \d+\.\d% \(\d+ of \d+ compared, shadow errors counted as not matching\)/ : /match rate \d+\.\d% \(\d+ of \d+ compared\)/);
    expect(block).toMatch(/^ {4}primary +\d/m);
    expect(block).toMatch(/^ {4}shadow +\d/m);
    // The top path with its count and an example pair.
    const top = users.topPaths[0]!;
    expect(top.path).toBe('$.items[*].price');
    expect(block).toMatch(new RegExp(`^ +${top.count}  \\$\\.items\\[\\*\\]\\.price +\\d+ -> "\\d+\\.00"$`, 'm'));
    expect(block).toContain('$.requestId');
    expect(block).toContain(`curl 'http://users-next${users.samples[0]!.path}'`);
    // Plain text (not a TTY) and nothing wider than 100 columns but the curl lines.
    expect(r.out).not.toContain('\x1b[');
    for (const l of lines) if (!l.trimStart().startsWith('curl ')) expect(l.length).toBeLessThanOrEqual(100);
    expect(r.out).toContain(ORDERS);
  });

  it('a long example value is cut to fit the line', async () => {
    serveAdmins();
    const r = await cli(['report', '--admin', A, '--admin', B]);
    expect(r.code).toBe(0);
    const name = r.out.split('\n').find((l) => /^\s+\d+\s+\$\.name\s/.test(l));
    expect(name).toBeDefined();
    expect(name!.length).toBeLessThanOrEqual(100);
    expect(name).toMatch(/"xxx+… -> "y"$/);
  });

  it('a failing admin (500) names its URL and status and exits 1; nothing is printed', async () => {
    nock(A).get('/shadow/report').reply(200, adminBody(SINCE_A, partA));
    nock(B).get('/shadow/report').reply(500, { error: 'boom' });
    const r = await cli(['report', '--admin', A, '--admin', B, '--file', file]);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toContain(`${B}/shadow/report: 500`);
    expect(r.err).toContain('1 of 3 source(s) failed');
  });

  it('401 without a token says to set ADMIN_TOKEN; the token is sent when set', async () => {
    nock(A, { badheaders: ['authorization'] }).get('/shadow/report').reply(401, { error: 'unauthorized' });
    const r = await cli(['report', '--admin', A]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${A}/shadow/report: 401`);
    expect(r.err).toContain('set ADMIN_TOKEN');

    nock(A).get('/shadow/report').reply(401, { error: 'unauthorized' });
    const wrong = await cli(['report', '--admin', A], { ADMIN_TOKEN: 'nope' });
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain('ADMIN_TOKEN was refused');
  });

  it('an unreachable admin or one that answers something else is an error too', async () => {
    nock(A).get('/shadow/report').replyWithError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' });
    nock(B).get('/shadow/report').reply(200, { routes: [{ route: '/x', report: { route: '/x' } }] });
    const r = await cli(['report', '--admin', A, '--admin', B]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${A}/shadow/report: cannot connect`);
    expect(r.err).toContain('nothing listens there: is the proxy running, and is that its admin address? (--admin URL or ADMIN_PORT names another)');
    expect(r.err).toContain(`${B}/shadow/report: not a shadow report: routes[0].report has no "since"`);
    expect(r.err).toContain('2 of 2 source(s) failed');
  });

  it('a bad JSON line is named as file:line; a missing file by its path', async () => {
    const bad = join(dir, 'bad.jsonl');
    const good = JSON.stringify(events[0]);
    await writeFile(bad, `${good}\n\n${good}\n{"at": "x", oops\n${JSON.stringify({ ...events[1], result: 'maybe' })}\n`);
    const r = await cli(['report', '--file', bad, '--file', join(dir, 'nope.jsonl')]);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toContain(`${bad}:4: not JSON`);
    expect(r.err).toContain(`${bad}:5: not a shadow event: "result" must be`);
    expect(r.err).not.toContain(`${bad}:2`);
    expect(r.err).toMatch(new RegExp(`${join(dir, 'nope.jsonl')}: cannot read: .*ENOENT`));
  });

  it('no comparisons yet: says so, exit 0', async () => {
    nock(A).get('/shadow/report').reply(200, { generatedAt: 'x', routes: [] });
    const r = await cli(['report', '--admin', A]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('no shadow comparisons yet');
  });
});

describe('report arguments', () => {
  it('repeats --admin and --file, reads ADMIN_TOKEN, defaults to the local admin port', () => {
    expect(parseCommand(['report', '--admin', A, '--admin', B, '--file', 'x.jsonl', '--json'], { ADMIN_TOKEN: 't' })).toEqual({
      kind: 'report',
      admins: [A, B],
      files: ['x.jsonl'],
      json: true,
      adminToken: 't',
    });
    expect(parseCommand(['report'], {})).toMatchObject({ kind: 'report', admins: ['http://127.0.0.1:9901'], files: [], json: false });
    expect(parseCommand(['report'], { ADMIN_PORT: '9999' })).toMatchObject({ admins: ['http://127.0.0.1:9999'] });
    expect(parseCommand(['report', '--file', 'x.jsonl'], {})).toMatchObject({ admins: [], files: ['x.jsonl'] });
  });

  it('rejects a non-URL admin and positional arguments', () => {
    expect(parseCommand(['report', '--admin', 'localhost:9901'], {})).toMatchObject({ kind: 'usage-error' });
    expect(parseCommand(['report', 'shadow.jsonl'], {})).toMatchObject({ kind: 'usage-error' });
  });
});

describe('colour', () => {
  const report = reportOf(USERS, SINCE_A, ofRoute(events, USERS));
  it('only when asked, and text from traffic cannot drive the terminal', () => {
    expect(formatReport([], [report], { colour: false })).not.toContain('\x1b');
    expect(formatReport([], [report], { colour: true })).toContain('\x1b[');
    const evil = reportOf(USERS, SINCE_A, [{ ...events[1]!, result: 'mismatch', path: '/x\x1b[2J', differences: [{ path: '$.a', kind: 'value', primary: 1, shadow: '\x1b]0;pwn\x07' }] }]);
    const text = formatReport([], [evil], { colour: false });
    expect(text).not.toContain('\x1b');
    expect(text).toContain('/x\\x1b[2J');
  });
});
