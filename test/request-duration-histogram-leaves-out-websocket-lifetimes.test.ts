// A WebSocket's access line has its tunnel's lifetime as its duration (an hour for a chat left
// open), and strangler_request_duration_seconds took it as a latency: a route's p99 read 58.9 s
// with healthy traffic, and its top bucket (30 s) filled with sockets. A 101 is still counted in
// strangler_requests_total; the histogram, like the migration status's p99, leaves it out.
import { describe, expect, it } from 'vitest';
import { Metrics, RouteMeters } from '../src/observability/metrics.js';

const line = (text: string, series: string) => text.split('\n').find((l) => l.startsWith(series + ' '));

describe('the request duration histogram', () => {
  it('counts a 101 as a request but not its tunnel lifetime as a latency', async () => {
    const m = new Metrics();
    const meters = new RouteMeters(m, '/live');
    meters.record('live', 'GET', 200, 0.004);
    meters.record('live', 'GET', 101, 3600);
    const text = await m.registry.metrics();
    expect(line(text, 'strangler_requests_total{route="/live",upstream="live",method="GET",status="101"}')).toMatch(/ 1$/);
    expect(line(text, 'strangler_request_duration_seconds_count{route="/live",upstream="live"}')).toMatch(/ 1$/);
    expect(line(text, 'strangler_request_duration_seconds_sum{route="/live",upstream="live"}')).toMatch(/ 0\.004$/);
  });
});
