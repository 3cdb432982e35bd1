// renderShadowPage is pure: every value that comes from a report is escaped, in text and in
// attributes; the page's one script is its own.

import { describe, expect, it } from 'vitest';
import { escapeHtml, renderShadowPage, SHADOW_PAGE_CSP } from '../src/admin/shadow-page.js';
import { normalizePath } from '../src/shadow/json-path.js';
import type { ShadowEvent } from '../src/shadow/log-line.js';
import { emptyReport, reportOf } from '../src/shadow/report.js';

const NOW = new Date('2025-03-04T05:06:07.000Z');
const EVIL = '<script>alert(1)</script>';

function evilEvents(route: string): ShadowEvent[] {
  return [
    {
      at: '2025-03-04T05:00:00.000Z',
      route,
      result: 'mismatch',
      method: 'GET',
      path: `/orders/<img src=x onerror=alert(2)>?q="'&x=${EVIL}`,
      primaryStatus: 200,
      shadowStatus: 200,
      differences: [
        { path: `$.items[0]["${EVIL}"]`, kind: 'value', primary: EVIL, shadow: '"><svg onload=alert(3)>' },
        { path: `$.${'x'}`, kind: 'value', primary: { html: EVIL }, shadow: null },
      ],
      noise: [{ path: `$.noise["${EVIL}"]` }],
      primaryMs: 12,
      shadowMs: 15,
      curl: `curl 'http://127.0.0.1:8080/orders/${EVIL}' -H 'X-Note: </pre><script>alert(4)</script>'`,
    },
    { at: '2025-03-04T05:00:01.000Z', route, result: 'skipped', reason: `<u>${EVIL}</u>`, method: 'GET', path: '/x', primaryStatus: 200, shadowStatus: null },
    { at: '2025-03-04T05:00:02.000Z', route, result: 'match', method: 'GET', path: '/y', primaryStatus: 200, shadowStatus: 200 },
  ];
}

describe('renderShadowPage', () => {
  it('escapes <script> in a path, a value, a curl line, a reason and the route', () => {
    const route = `/orders${EVIL}`;
    const html = renderShadowPage([reportOf(route, '2025-03-04T04:00:00.000Z', evilEvents(route))], NOW);

    // The one <script> element is the page's own copy-button script.
    expect(html.match(/<script/gi)).toHaveLength(1);
    expect(html).not.toMatch(/<script>alert/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toMatch(/<svg/i);
    expect(html).not.toMatch(/<u>/i);
    expect(html).not.toContain('</pre><script>');

    // ...and every one of them is shown, escaped.
    const escaped = '&lt;script&gt;alert(1)&lt;/script&gt;';
    expect(html).toContain(`<code>/orders${escaped}</code>`); // the route
    expect(html).toContain(`data-route="/orders${escaped}"`); // in an attribute
    const topPath = normalizePath(`$.items[0]["${EVIL}"]`); // as the report keys it: `$.items[*][...]`
    expect(topPath).toContain('$.items[*]');
    expect(html).toContain(`<code>${escapeHtml(topPath)}</code>`); // a differing path, normalised
    expect(html).toContain(`<code>${escapeHtml(`$.items[0]["${EVIL}"]`)}</code>`); // ...as the diff named it
    expect(html).toContain(`<code>${escapeHtml(normalizePath(`$.noise["${EVIL}"]`))}</code>`); // a noise path
    expect(escapeHtml(topPath)).toContain(escaped);
    expect(html).toContain('&quot;&gt;&lt;svg onload=alert(3)&gt;'); // an example value
    expect(html).toContain('/orders/&lt;img src=x onerror=alert(2)&gt;?q=&quot;&#39;&amp;x='); // the request path
    expect(html).toContain('&lt;/pre&gt;&lt;script&gt;alert(4)&lt;/script&gt;'); // the curl line
    expect(html).toContain(`&lt;u&gt;${escaped}&lt;/u&gt;`); // a skip reason
  });

  it('allows its own script by hash, and nothing external', () => {
    expect(SHADOW_PAGE_CSP).toMatch(/script-src 'sha256-[A-Za-z0-9+/]+=*'/);
    expect(SHADOW_PAGE_CSP).toContain("default-src 'none'");
    const html = renderShadowPage([], NOW);
    expect(html).not.toMatch(/\b(src|href)="(https?:)?\/\//i);
    expect(html).not.toMatch(/<link\b/i);
  });

  it('shows the time, an empty state, and "no comparisons yet" for a route without data', () => {
    const none = renderShadowPage([], NOW);
    expect(none).toContain('2025-03-04 05:06:07 UTC');
    expect(none).toContain('No route shadows traffic');

    const waiting = renderShadowPage([emptyReport('/users', '2025-03-04T04:00:00.000Z')], NOW);
    expect(waiting).toContain('no comparisons yet');
    expect(waiting).toContain('not enough data: no requests compared yet');
    expect(waiting).not.toContain('No route shadows traffic');
  });

  it('is a function of its inputs alone', () => {
    const route = '/orders';
    const reports = [reportOf(route, '2025-03-04T04:00:00.000Z', evilEvents(route))];
    expect(renderShadowPage(reports, NOW)).toBe(renderShadowPage(structuredClone(reports), new Date(NOW.getTime())));
  });
});
