// The primary's sum of its workers' metrics (carried-counters.ts, no processes): a counter or a
// histogram never goes down when a worker dies, is replaced or does not answer a scrape: its last
// values stay in the sum, a replacement's counts add on top; gauges are never carried.
import { AggregatorRegistry, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { carry, CarriedCounters, NOTHING_CARRIED, type WorkerMetrics } from '../src/workers/carried-counters.js';
import type { MetricsAnswer } from '../src/workers/messages.js';

/** A worker's answer, as its registry gives it: `requests` per route, `open` connections, `seconds` observed. */
async function worker(requests: Record<string, number>, open = 0, seconds: number[] = []): Promise<MetricsAnswer> {
  const registry = new Registry();
  const c = new Counter({ name: 'requests_total', help: 'r', labelNames: ['route'], registers: [registry] });
  for (const [route, n] of Object.entries(requests)) c.inc({ route }, n);
  new Gauge({ name: 'open', help: 'o', registers: [registry] }).set(open);
  const h = new Histogram({ name: 'duration_seconds', help: 'd', buckets: [1], registers: [registry] });
  for (const s of seconds) h.observe(s);
  return registry.getMetricsAsJSON();
}

/** The text lines of the sum, by series ("name{labels}" -> value). */
async function summed(sum: MetricsAnswer[]): Promise<Record<string, number>> {
  const text = await AggregatorRegistry.aggregate(sum).metrics();
  const lines = text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
  return Object.fromEntries(lines.map((l) => [l.slice(0, l.lastIndexOf(' ')), Number(l.slice(l.lastIndexOf(' ') + 1))]));
}

const at = (worker: number, metrics: MetricsAnswer): WorkerMetrics => ({ worker, metrics });

describe('the counters summed over the workers', () => {
  it("keep a dead worker's last values, and its replacement's count on top", async () => {
    const carried = new CarriedCounters();
    expect(await summed(carried.sum([at(1, await worker({ '/users': 5 }, 2)), at(2, await worker({ '/users': 3, '/': 1 }, 4))], new Set([1, 2])))).toMatchObject({
      'requests_total{route="/users"}': 8,
      'requests_total{route="/"}': 1,
      open: 6,
    });
    // Worker 2 died; 3 replaces it, not answering yet (starting), then having counted 2.
    const gone = await summed(carried.sum([at(1, await worker({ '/users': 5 }, 2))], new Set([1, 3])));
    expect(gone).toMatchObject({ 'requests_total{route="/users"}': 8, 'requests_total{route="/"}': 1, open: 2 });
    const replaced = await summed(carried.sum([at(1, await worker({ '/users': 6 }, 2)), at(3, await worker({ '/users': 2 }, 1))], new Set([1, 3])));
    expect(replaced).toMatchObject({ 'requests_total{route="/users"}': 11, 'requests_total{route="/"}': 1, open: 3 });
  });

  it("keep a silent worker's last values, but not its gauges", async () => {
    const carried = new CarriedCounters();
    await carried.sum([at(1, await worker({ '/users': 5 }, 2, [0.5])), at(2, await worker({ '/users': 3 }, 4, [2]))], new Set([1, 2]));
    const silent = await summed(carried.sum([at(1, await worker({ '/users': 5 }, 2, [0.5]))], new Set([1, 2])));
    expect(silent).toMatchObject({
      'requests_total{route="/users"}': 8,
      'duration_seconds_bucket{le="1"}': 1,
      'duration_seconds_bucket{le="+Inf"}': 2,
      duration_seconds_sum: 2.5,
      duration_seconds_count: 2,
      open: 2,
    });
  });

  it('never go down when an older scrape answers after a newer one', async () => {
    const carried = new CarriedCounters();
    const live = new Set([1]);
    const older = await worker({ '/users': 5 });
    expect(await summed(carried.sum([at(1, await worker({ '/users': 9 }))], live))).toMatchObject({ 'requests_total{route="/users"}': 9 });
    expect(await summed(carried.sum([at(1, older)], live))).toMatchObject({ 'requests_total{route="/users"}': 9 });
  });

  it('take the counts of a worker that died while answering, not its gauges', async () => {
    const first = carry(NOTHING_CARRIED, [at(1, await worker({ '/users': 5 }, 2)), at(2, await worker({ '/users': 3 }, 4))], new Set([1, 2]));
    const died = carry(first.after, [at(1, await worker({ '/users': 5 }, 2)), at(2, await worker({ '/users': 4 }, 4))], new Set([1]));
    expect(await summed(died.sum)).toMatchObject({ 'requests_total{route="/users"}': 9, open: 2 });
    expect([...died.after.kept.keys()]).toEqual([1]);
  });

  it('count a dead worker once, whatever answer of it comes late', async () => {
    const first = carry(NOTHING_CARRIED, [at(1, await worker({ '/users': 5 })), at(2, await worker({ '/users': 3 }))], new Set([1, 2]));
    const retired = carry(first.after, [at(1, await worker({ '/users': 5 }))], new Set([1]));
    const late = carry(retired.after, [at(1, await worker({ '/users': 5 })), at(2, await worker({ '/users': 4 }))], new Set([1]));
    expect(await summed(late.sum)).toMatchObject({ 'requests_total{route="/users"}': 8 });
  });

  it('stay bounded: the workers gone are one retired set', async () => {
    let state = NOTHING_CARRIED;
    for (let w = 1; w <= 100; w++) state = carry(state, [at(w, await worker({ '/users': 1, '/': 1 }))], new Set([w])).after;
    expect([...state.kept.keys()]).toEqual([100]);
    expect([...state.retired.get('requests_total')!.values.values()].map((v) => v.value)).toEqual([99, 99]);
    expect(await summed(carry(state, [], new Set([100])).sum)).toMatchObject({ 'requests_total{route="/users"}': 100, 'requests_total{route="/"}': 100 });
  });
});
