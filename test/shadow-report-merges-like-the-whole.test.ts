// ShadowReport: record / merge / mergeAll / summarize, and the latency histogram. The central
// property: the merge of the reports of the parts equals the report of the whole, whatever the
// split, the record order and the merge order (and after a trip through JSON).

import { describe, expect, it } from 'vitest';
import type { DifferenceKind } from '../src/shadow/diff.js';
import { emptyHistogram, mergeHistograms, observe, quantile } from '../src/shadow/histogram.js';
import type { ShadowEvent } from '../src/shadow/log-line.js';
import { merge, mergeAll, mergeByRoute } from '../src/shadow/merge.js';
import { emptyReport, record, reportOf, SAMPLES_CAP, TOP_PATHS_CAP, type ShadowReport } from '../src/shadow/report.js';
import { summarize } from '../src/shadow/summary.js';
import { seededRandom } from '../scripts/lib/seeded-random.js';

// ---------------------------------------------------------------------------------------------
// Seeded random events

const ROUTE = '/api/users';
const T0 = Date.parse('2025-03-01T10:00:00.000Z');

function makeEvents(seed: number, n: number): ShadowEvent[] {
  const rnd = seededRandom(seed);
  const int = (k: number) => Math.floor(rnd() * k);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  // Few distinct instants, so ties in time are common (examples and samples must break them).
  const instants = Array.from({ length: 60 }, (_, i) => new Date(T0 + i * 1000 + (i % 3) * 7).toISOString());
  const value = (): unknown =>
    pick([
      () => int(100),
      () => int(10000) / 100,
      () => `s${int(20)}`,
      () => null,
      () => ({ nested: int(3) }),
      () => 'long:' + 'x'.repeat(250 + int(10)), // clipped in examples
    ])();
  const diffTemplates: (() => { path: string; kind: DifferenceKind; primary: unknown; shadow: unknown })[] = [
    () => ({ path: `$.items[${int(5)}].price`, kind: 'value', primary: value(), shadow: value() }),
    () => ({ path: '$.name', kind: 'value', primary: value(), shadow: value() }),
    () => ({ path: '$.id', kind: 'type', primary: int(9), shadow: String(int(9)) }),
    () => ({ path: 'status', kind: 'status', primary: 200, shadow: pick([201, 404, 500]) }),
    () => ({ path: 'headers.etag', kind: 'header', primary: `"${int(9)}"`, shadow: `"${int(9)}"` }),
    () => ({ path: `$.tags[${int(4)}]`, kind: 'missing', primary: value(), shadow: undefined }),
    () => ({ path: `$.tags[${int(4)}]`, kind: 'extra', primary: undefined, shadow: value() }),
    () => ({ path: "$['a b'].c", kind: 'value', primary: value(), shadow: value() }),
    () => ({ path: 'body', kind: 'bytes', primary: { bytes: int(900) }, shadow: { bytes: int(900) } }),
  ];
  const noiseTemplates = [() => '$.requestId', () => `$.items[${int(5)}].ts`, () => 'headers.date'];

  const events: ShadowEvent[] = [];
  for (let i = 0; i < n; i++) {
    const r = rnd();
    const result = r < 0.5 ? 'match' : r < 0.8 ? 'mismatch' : r < 0.88 ? 'shadow_error' : 'skipped';
    const differences = result === 'mismatch' ? Array.from({ length: 1 + int(6) }, () => pick(diffTemplates)()) : [];
    const noise = result === 'match' || result === 'mismatch' ? Array.from({ length: int(3) }, () => ({ path: pick(noiseTemplates)() })) : [];
    const e: ShadowEvent = {
      at: pick(instants),
      route: ROUTE,
      result,
      ...(result === 'skipped' ? { reason: pick(['too_large', 'max_concurrent', 'method']) } : {}),
      ...(result === 'shadow_error' ? { reason: pick(['timeout', 'connect-error']) } : {}),
      method: pick(['GET', 'HEAD', 'POST']),
      path: `/api/users/${int(50)}?page=${int(3)}`,
      primaryStatus: 200,
      shadowStatus: result === 'shadow_error' ? null : pick([200, 200, 404]),
      differences,
      noise,
      primaryMs: rnd() < 0.9 ? rnd() * 400 + rnd() : null,
      shadowMs: result === 'skipped' ? null : rnd() * 2000,
      ...(rnd() < 0.7 ? { curl: `curl 'http://users-next/api/users/${int(50)}'` } : {}),
    };
    events.push(e);
  }
  return events;
}

function shuffled<T>(xs: readonly T[], rnd: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const permutations = <T>(xs: readonly T[]): T[][] =>
  xs.length <= 1 ? [[...xs]] : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));

const viaJson = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

// ---------------------------------------------------------------------------------------------

describe('merge of the parts equals the report of the whole', () => {
  for (const seed of [1, 7, 42, 2025, 99991]) {
    it(`500 random events, 3 random parts, any order (seed ${seed})`, () => {
      const events = makeEvents(seed, 500);
      const rnd = seededRandom(seed ^ 0xabcdef);
      const sinces = ['2025-03-01T09:59:00.000Z', '2025-03-01T09:58:30.000Z', '2025-03-01T10:05:00.000Z'];

      const whole = reportOf(ROUTE, '2025-03-01T09:58:30.000Z', events);
      // Sanity: the whole saw everything and the caps matter (more mismatches than samples).
      expect(whole.mirrored).toBe(500);
      expect(whole.match + whole.mismatch + whole.shadowError + Object.values(whole.skipped).reduce((a, b) => a + b, 0)).toBe(500);
      expect(whole.mismatch).toBeGreaterThan(SAMPLES_CAP);
      expect(whole.samples).toHaveLength(SAMPLES_CAP);
      expect(Object.keys(whole.topPaths).length).toBeGreaterThan(5);

      const buckets: ShadowEvent[][] = [[], [], []];
      for (const e of events) buckets[Math.floor(rnd() * 3)]!.push(e);
      // Each part records its events in its own (shuffled) order.
      const parts = buckets.map((b, i) => reportOf(ROUTE, sinces[i]!, shuffled(b, rnd)));
      const frozen = JSON.stringify(parts);

      for (const order of permutations([0, 1, 2])) {
        const ps = order.map((i) => parts[i]!);
        expect(mergeAll(ps)).toEqual(whole);
        expect(merge(merge(ps[0]!, ps[1]!), ps[2]!)).toEqual(whole);
        expect(merge(ps[0]!, merge(ps[1]!, ps[2]!))).toEqual(whole);
      }
      // Reports travel as JSON between processes: merging what came back is the same.
      expect(viaJson(mergeAll(parts.map(viaJson)))).toEqual(viaJson(whole));
      // Merging never changes its inputs.
      expect(JSON.stringify(parts)).toBe(frozen);
      // A part merged with an empty report is itself.
      expect(merge(parts[0]!, emptyReport(ROUTE, '2030-01-01T00:00:00.000Z'))).toEqual(parts[0]);
    });
  }

  it('a split into many small parts (one event each) merges to the whole as well', () => {
    const events = makeEvents(5, 200);
    const whole = reportOf(ROUTE, '2025-03-01T10:00:00.000Z', events);
    const singles = events.map((e) => reportOf(ROUTE, '2025-03-01T10:00:00.000Z', [e]));
    expect(mergeAll(shuffled(singles, seededRandom(3)))).toEqual(whole);
  });
});

describe('what the report holds', () => {
  const ev = (over: Partial<ShadowEvent>): ShadowEvent => ({
    at: '2025-03-01T10:00:00.000Z',
    route: ROUTE,
    result: 'match',
    method: 'GET',
    path: '/api/users/1',
    primaryStatus: 200,
    shadowStatus: 200,
    primaryMs: 10,
    shadowMs: 20,
    ...over,
  });

  it('counts by result and reason, topPaths once per event with the earliest example, noise, samples', () => {
    const r = reportOf(ROUTE, '2025-03-01T10:00:00.000Z', [
      ev({ result: 'match', noise: [{ path: '$.items[0].ts' }, { path: '$.items[1].ts' }] }),
      ev({
        at: '2025-03-01T10:00:05.000Z',
        result: 'mismatch',
        differences: [
          { path: '$.items[3].price', kind: 'value', primary: 40, shadow: 41 },
          { path: '$.items[4].price', kind: 'value', primary: 50, shadow: 51 },
          { path: 'status', kind: 'status', primary: 200, shadow: 500 },
        ],
        shadowStatus: 500,
        curl: "curl 'http://x/api/users/1'",
      }),
      ev({
        at: '2025-03-01T10:00:02.000Z',
        result: 'mismatch',
        path: '/api/users/2',
        differences: [{ path: '$.items[0].price', kind: 'value', primary: 1, shadow: 2 }],
      }),
      ev({ result: 'skipped', reason: 'too_large', shadowMs: null }),
      ev({ result: 'skipped', shadowMs: null }),
      ev({ result: 'shadow_error', reason: 'timeout', shadowStatus: null, shadowMs: 5000 }),
    ]);
    expect(r).toMatchObject({ mirrored: 6, match: 1, mismatch: 2, shadowError: 1, skipped: { too_large: 1, unknown: 1 } });
    expect(r.topPaths).toEqual({
      '$.items[*].price': {
        count: 2,
        example: { at: '2025-03-01T10:00:02.000Z', request: { method: 'GET', path: '/api/users/2' }, path: '$.items[0].price', kind: 'value', primary: 1, shadow: 2 },
      },
      status: { count: 1, example: { at: '2025-03-01T10:00:05.000Z', request: { method: 'GET', path: '/api/users/1' }, path: 'status', kind: 'status', primary: 200, shadow: 500 } },
    });
    expect(r.noisePaths).toEqual({ '$.items[*].ts': 1 });
    expect(r.samples.map((s) => [s.at, s.path, s.differingPaths, s.curl])).toEqual([
      ['2025-03-01T10:00:02.000Z', '/api/users/2', ['$.items[0].price'], null],
      ['2025-03-01T10:00:05.000Z', '/api/users/1', ['$.items[3].price', '$.items[4].price', 'status'], "curl 'http://x/api/users/1'"],
    ]);
    expect(r.latency.primary.count).toBe(6);
    expect(r.latency.shadow.count).toBe(4);
    expect(r.since).toBe('2025-03-01T10:00:00.000Z');
  });

  it('since is the earliest of the start and the events; a strange reason key is just a key', () => {
    const r = reportOf(ROUTE, '2025-03-01T10:00:00.000Z', [ev({ at: '2025-03-01T09:00:00.000Z', result: 'skipped', reason: '__proto__' })]);
    expect(r.since).toBe('2025-03-01T09:00:00.000Z');
    expect(Object.keys(r.skipped)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(r.skipped)).toBe(Object.prototype);
    expect(merge(r, r).skipped['__proto__']).toBe(2);
  });

  it('clips long example values, keeps the 100 most counted paths and the last 20 samples', () => {
    const events: ShadowEvent[] = [];
    for (let i = 0; i < 150; i++) {
      for (let k = 0; k <= (i < 10 ? 3 : 0); k++) {
        events.push(
          ev({
            at: new Date(T0 + events.length * 1000).toISOString(),
            result: 'mismatch',
            differences: [{ path: `$.p${String(i).padStart(3, '0')}`, kind: 'value', primary: 'y'.repeat(300), shadow: 1 }],
          }),
        );
      }
    }
    const r = reportOf(ROUTE, new Date(T0).toISOString(), events);
    expect(Object.keys(r.topPaths)).toHaveLength(TOP_PATHS_CAP);
    for (let i = 0; i < 10; i++) expect(r.topPaths[`$.p00${i}`]?.count).toBe(4);
    const ex = r.topPaths['$.p000']!.example;
    expect(typeof ex.primary).toBe('string');
    expect((ex.primary as string).length).toBeLessThanOrEqual(200);
    expect((ex.primary as string).endsWith('…')).toBe(true);
    expect(ex.shadow).toBe(1);
    expect(r.samples).toHaveLength(SAMPLES_CAP);
    expect(r.samples.at(-1)!.at).toBe(events.at(-1)!.at);
    expect(r.samples[0]!.at).toBe(events.at(-SAMPLES_CAP)!.at);
  });

  it('refuses to mix routes; mergeByRoute groups them', () => {
    const a = reportOf('/a', '2025-03-01T10:00:00.000Z', [ev({ route: '/a' })]);
    const b = reportOf('/b', '2025-03-01T10:00:00.000Z', [ev({ route: '/b' }), ev({ route: '/b' })]);
    expect(() => merge(a, b)).toThrow(/mergeByRoute/);
    expect(() => record(emptyReport('/a', '2025-03-01T10:00:00.000Z'), ev({ route: '/b' }))).toThrow(/route/);
    expect(() => mergeAll([])).toThrow();
    const by = mergeByRoute([b, a, a]);
    expect(by.map((r) => r.route)).toEqual(['/a', '/b']);
    expect(by[0]!.mirrored).toBe(2);
    expect(by[1]!.mirrored).toBe(2);
  });

  it('mergeByRoute adds an empty report for an expected route without data, and leaves one with data as merged', () => {
    const a = reportOf('/a', '2025-03-01T10:00:00.000Z', [ev({ route: '/a', result: 'match' })]);
    const by = mergeByRoute([a], [{ route: '/c', since: '2025-03-02T00:00:00.000Z' }, { route: '/a', since: '2025-01-01T00:00:00.000Z' }]);
    expect(by.map((r) => r.route)).toEqual(['/a', '/c']);
    expect(by[0]).toEqual(a);
    expect(by[1]).toEqual(emptyReport('/c', '2025-03-02T00:00:00.000Z'));
  });
});

describe('summarize', () => {
  function counts(match: number, mismatch: number, shadowError = 0): ShadowReport {
    return { ...emptyReport(ROUTE, '2025-03-01T10:00:00.000Z'), match, mismatch, shadowError, mirrored: match + mismatch + shadowError };
  }

  it('ready at >= 99.5% over >= 1,000 compared requests, percentages rounded down', () => {
    expect(summarize(counts(12_363, 37))).toMatchObject({
      verdict: 'ready',
      verdictText: 'ready: 99.7% match over 12,400 requests',
      compared: 12_400,
    });
    expect(summarize(counts(995, 5)).verdictText).toBe('ready: 99.5% match over 1,000 requests');
    expect(summarize(counts(994, 6)).verdictText).toBe('not ready: 99.4% match over 1,000 requests (needs 99.5%)');
    // 99.46% does not read as 99.5%
    expect(summarize(counts(9946, 54))).toMatchObject({ verdict: 'not ready', verdictText: 'not ready: 99.4% match over 10,000 requests (needs 99.5%)' });
    expect(summarize(counts(1000, 0))).toMatchObject({ verdictText: 'ready: 100.0% match over 1,000 requests', matchRate: 1 });
  });

  it('shadow errors count as not matching; skipped requests not at all; too few is not enough data', () => {
    expect(summarize(counts(995, 0, 5)).verdict).toBe('ready');
    expect(summarize(counts(994, 0, 6)).verdict).toBe('not ready');
    const few = { ...counts(310, 2), skipped: { too_large: 5000 } };
    expect(summarize(few)).toMatchObject({
      verdict: 'not enough data',
      verdictText: 'not enough data: 99.3% match over 312 requests (needs 1,000)',
    });
    expect(summarize(counts(0, 0))).toMatchObject({ verdict: 'not enough data', verdictText: 'not enough data: no requests compared yet', matchRate: null });
    expect(summarize(counts(98, 2), { minCompared: 100, readyMatchRate: 0.98 }).verdict).toBe('ready');
  });

  it('sorts paths by count, shows samples newest first, and latency percentiles', () => {
    const events = makeEvents(11, 300);
    const s = summarize(reportOf(ROUTE, '2025-03-01T10:00:00.000Z', events));
    for (let i = 1; i < s.topPaths.length; i++) expect(s.topPaths[i - 1]!.count).toBeGreaterThanOrEqual(s.topPaths[i]!.count);
    for (let i = 1; i < s.samples.length; i++) expect(s.samples[i - 1]!.at >= s.samples[i]!.at).toBe(true);
    expect(s.latency.primary.p50).not.toBeNull();
    expect(s.latency.primary.p50!).toBeLessThanOrEqual(s.latency.primary.p95!);
    expect(s.latency.primary.p95!).toBeLessThanOrEqual(s.latency.primary.p99!);
  });
});

describe('histogram', () => {
  it('percentiles within ~5% of the exact ones, and merge equals the histogram of all values', () => {
    const rnd = seededRandom(9);
    const values = Array.from({ length: 20_000 }, () => Math.exp(rnd() * 8)); // 1 ms .. ~3 s
    const all = emptyHistogram();
    for (const v of values) observe(all, v);
    const sorted = [...values].sort((a, b) => a - b);
    for (const q of [0.5, 0.95, 0.99]) {
      const exact = sorted[Math.ceil(q * sorted.length) - 1]!;
      expect(Math.abs(quantile(all, q)! - exact) / exact).toBeLessThan(0.05);
    }
    const a = emptyHistogram();
    const b = emptyHistogram();
    values.forEach((v, i) => observe(i % 3 === 0 ? a : b, v));
    expect(mergeHistograms(a, b)).toEqual(all);
    expect(mergeHistograms(b, a)).toEqual(all);
    expect(quantile(emptyHistogram(), 0.5)).toBeNull();
    const one = observe(emptyHistogram(), 123.4);
    expect(quantile(one, 0.99)).toBe(123.4);
  });
});
