// An example value longer than 200 characters is kept clipped (its JSON cut, with an ellipsis):
// the page, like `strangler report`, shows that text as it is, not quoted again as if the
// upstream had answered a JSON string.
import { describe, expect, it } from 'vitest';
import { renderShadowPage } from '../src/admin/shadow-page.js';
import { exampleText, reportOf } from '../src/shadow/report.js';

describe('a clipped example value', () => {
  it('reads as the JSON it was cut from, on the page and in the CLI alike', () => {
    const long = Array.from({ length: 40 }, (_, i) => ({ createdAt: `2026-12-05T07:${String(i).padStart(2, '0')}:00Z` }));
    const report = reportOf('/orders', '2026-12-05T07:00:00.000Z', [
      { at: '2026-12-05T07:00:01.000Z', route: '/orders', result: 'mismatch', method: 'GET', path: '/orders?userId=1', primaryStatus: 200, shadowStatus: 200, differences: [{ path: '$', kind: 'value', primary: long, shadow: [] }] },
    ]);
    const clipped = report.topPaths['$']!.example.primary;
    expect(exampleText(clipped)).toMatch(/^\[\{"createdAt":"2026-12-05T07:00:00Z"\}.*…$/);
    const html = renderShadowPage([report], new Date('2026-12-05T07:01:00.000Z'));
    expect(html).toContain('[{&quot;createdAt&quot;:&quot;2026-12-05T07:00:00Z&quot;}');
    expect(html).not.toContain('&quot;[{\\&quot;createdAt');
  });
});
