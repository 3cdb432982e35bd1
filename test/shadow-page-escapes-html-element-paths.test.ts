// Element paths and values from HTML comparisons reach the shadow page escaped: a page whose
// attribute values and text carry markup cannot inject any into the report.

import { describe, expect, it } from 'vitest';
import { escapeHtml, renderShadowPage } from '../src/admin/shadow-page.js';
import { compareOptionsFrom, compareResponses, type Captured } from '../src/shadow/diff.js';
import { normalizePath } from '../src/shadow/json-path.js';
import type { ShadowEvent } from '../src/shadow/log-line.js';
import { reportOf } from '../src/shadow/report.js';

const EVIL = '"><script>alert(1)</script>';
const html = (s: string): Captured => ({ status: 200, headers: { 'content-type': 'text/html' }, body: Buffer.from(s) });

describe('HTML differences on the shadow page', () => {
  it('escape the element path (with its quoted attribute values) and the values', () => {
    const a = `<ul><li><input name='${EVIL}' value="1">a</li><li>b</li></ul>`;
    const b = `<ul><li><input name='${EVIL}' value="<img src=x onerror=alert(2)>">a</li><li>b</li></ul>`;
    const cmp = compareResponses(html(a), html(b), compareOptionsFrom(undefined));
    const path = 'ul > li:nth-of-type(1) > input[name="\\"><script>alert(1)</script>"] @value';
    expect(cmp.differences.map((d) => d.path)).toEqual([path]);

    const event: ShadowEvent = {
      at: '2025-03-04T05:00:00.000Z', route: '/admin', result: 'mismatch', method: 'GET', path: '/admin/', primaryStatus: 200, shadowStatus: 200,
      differences: cmp.differences, noise: [], primaryMs: 1, shadowMs: 1, curl: null,
    };
    const page = renderShadowPage([reportOf('/admin', '2025-03-04T04:00:00.000Z', [event])], new Date('2025-03-04T05:06:07.000Z'));
    expect(page.match(/<script/gi)).toHaveLength(1); // the page's own
    expect(page).not.toMatch(/<img/i);
    expect(page).toContain(`<code>${escapeHtml(normalizePath(path))}</code>`);
    expect(escapeHtml(normalizePath(path))).toContain('ul &gt; li &gt; input[name=&quot;\\&quot;&gt;&lt;script&gt;');
    expect(page).toContain('&lt;img src=x onerror=alert(2)&gt;');
  });
});
