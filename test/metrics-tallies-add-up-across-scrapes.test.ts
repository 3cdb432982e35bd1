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

  it('writes the duration histogram as prom-client would: cumulative buckets, +Inf, sum and count', async () => {
    const m = new Metrics();
    const meters = new RouteMeters(m, '/users');
    for (const seconds of [0.0007, 0.001, 0.003, 40]) meters.record('users', 'GET', 200, seconds);
    const text = await m.registry.metrics();
    const s = (suffix: string, le?: string) =>
      line(text, `strangler_request_duration_seconds_${suffix}{${le === undefined ? '' : `le="${le}",`}route="/users",upstream="users"}`);
    expect(text).toContain('# TYPE strangler_request_duration_seconds histogram');
    expect(s('bucket', '0.001')).toMatch(/ 2$/); // a value on a bound counts in that bucket
    expect(s('bucket', '0.0025')).toMatch(/ 2$/);
    expect(s('bucket', '0.005')).toMatch(/ 3$/);
    expect(s('bucket', '30')).toMatch(/ 3$/);
    expect(s('bucket', '+Inf')).toMatch(/ 4$/);
    expect(s('count')).toMatch(/ 4$/);
    expect(Number(s('sum')!.split(' ')[1])).toBeCloseTo(40.0047, 6);
  });

  it('keeps counting into the same cells after the registry is reset', async () => {
    const m = new Metrics();
    const meters = new RouteMeters(m, '/users');
    meters.record('users', 'GET', 200, 0.002);
    m.registry.resetMetrics();
    meters.record('users', 'GET', 200, 0.002);
    expect(line(await m.registry.metrics(), 'strangler_request_duration_seconds_count{route="/users",upstream="users"}')).toMatch(/ 1$/);
  });
});
