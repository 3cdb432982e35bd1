// Latency percentiles come from log buckets about 9% wide (shadow/histogram.ts): a primary and a
// shadow whose medians fall in one bucket read the same value, which the page printed as a
// difference of "±0 ms", an exactness the figures do not have.
import { describe, expect, it } from 'vitest';
import { renderShadowPage } from '../src/admin/shadow-page.js';
import { reportOf } from '../src/shadow/report.js';

describe('the /shadow page latency table', () => {
  it('says two percentiles of one bucket are equal within its width, not to the millisecond', () => {
    const at = '2026-12-05T07:00:01.000Z';
    const event = (n: number, primaryMs: number, shadowMs: number) =>
      ({ at, route: '/orders', result: 'match' as const, method: 'GET', path: `/orders/${n}`, primaryStatus: 200, shadowStatus: 200, primaryMs, shadowMs });
    // Medians 40 and 40.5 ms: one bucket, read as its middle (~40.7 ms) on both sides.
    const report = reportOf('/orders', '2026-12-05T07:00:00.000Z', [event(1, 30, 31), event(2, 40, 40.5), event(3, 50, 52)]);
    const html = renderShadowPage([report], new Date('2026-12-05T07:01:00.000Z'));
    const p50 = /<tr><th scope="row">p50<\/th>(.*?)<\/tr>/.exec(html)![1]!;
    expect(p50).toContain('within ~9%');
    expect(html).not.toContain('±0 ms');
  });
});
