import { describe, expect, it } from 'vitest';
import { Metrics, RouteMeters } from '../src/observability/metrics.js';

const line = (text: string, series: string) => text.split('\n').find((l) => l.startsWith(series + ' '));

describe('tallied counters (plain additions on the request path, handed to prom-client when read)', () => {
  it('shows each count once, and keeps adding across scrapes', async () => {
    const m = new Metrics();
    const meters = new RouteMeters(m, '/users');
    for (let i = 0; i < 3; i++) meters.record('users', 'GET', 200, 0.001);
    const series = 'strangler_requests_total{route="/users",upstream="users",method="GET",status="200"}';
    expect(line(await m.registry.metrics(), series)).toBe(`${series} 3`);
    expect(line(await m.registry.metrics(), series)).toBe(`${series} 3`); // reading does not count again
    meters.record('users', 'GET', 200, 0.001);
    meters.record('users', 'GET', 200, 0.001);
    expect(line(await m.registry.metrics(), series)).toBe(`${series} 5`);
  });

  it('shares one cell per label combination, so two users of it add up', async () => {
    const m = new Metrics();
    const a = m.shadowComparisons.cell('/orders', 'match', '');
    const b = m.shadowComparisons.cell('/orders', 'match', '');
    expect(a).toBe(b);
    a.inc();
    b.inc();
    m.shadowComparisons.cell('/orders', 'skipped', 'overload').inc();
    const text = await m.registry.metrics();
    expect(line(text, 'strangler_shadow_comparisons_total{route="/orders",result="match",reason=""}')).toMatch(/ 2$/);
    expect(line(text, 'strangler_shadow_comparisons_total{route="/orders",result="skipped",reason="overload"}')).toMatch(/ 1$/);
  });
});
