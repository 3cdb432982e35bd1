// compareSteps: the comparison of two HTML answers cut into steps (the parse a slice of text at
// a time, the walks so many elements at a time) gives exactly what compareResponses gives in one
// go. Steps are counted, never timed.

import { describe, expect, it } from 'vitest';
import { compareOptionsFrom, compareResponses, compareSteps, type Captured, type CompareOptions } from '../src/shadow/diff.js';
import { compile, selectAll } from 'css-select';
import type { ChildNode, Document, Element } from '../src/shadow/html-lib.js';
import { parseHtml, parseHtmlSteps } from '../src/shadow/html-parse.js';
import { compileSelectors } from '../src/shadow/html-selectors.js';
import { learnNoise, learnNoiseSteps, NoiseSet } from '../src/shadow/noise.js';
import { HTML_SLICES, type Slicing } from '../src/shadow/slicing.js';
import { BIG_PAGE_ROWS, bigHtmlPage } from './helpers/big-html-page.js';
import { csrfToken, djangoLoginPage } from './helpers/django-login-page.js';

const html = (body: string, ct = 'text/html; charset=utf-8'): Captured => ({ status: 200, headers: { 'content-type': ct }, body: Buffer.from(body) });

/** Runs steps to their end, counting the yields between them. */
function stepwise<T>(steps: Iterator<void, T>): { value: T; yields: number } {
  let yields = 0;
  for (;;) {
    const r = steps.next();
    if (r.done === true) return { value: r.value, yields };
    yields++;
  }
}

/** A tree as plain data: every node's type, name, attributes (in order), text and children. */
function shape(n: Document | ChildNode): unknown {
  const kids = 'children' in n ? n.children.map(shape) : [];
  if ('attribs' in n) return [n.type, n.name, Object.entries(n.attribs), kids];
  return [n.type, 'data' in n ? n.data : null, kids];
}

function elementsIn(n: Document | ChildNode): number {
  if (!('children' in n)) return 0;
  let count = 0;
  for (const k of n.children) count += (k.type === 'tag' || k.type === 'script' || k.type === 'style' ? 1 : 0) + elementsIn(k);
  return count;
}

describe('the parse in slices', () => {
  it('parses a 1 MB page a 16 KiB slice per step, into the same tree as in one go', () => {
    const body = Buffer.from(bigHtmlPage());
    const text = body.toString('utf8');
    expect(text.length).toBeGreaterThan(900_000);
    const sliced = stepwise(parseHtmlSteps(body, 'text/html', HTML_SLICES.chars));
    expect(sliced.yields).toBeGreaterThanOrEqual(Math.ceil(text.length / HTML_SLICES.chars)); // one step per slice
    expect(sliced.yields).toBeLessThanOrEqual(Math.ceil(text.length / HTML_SLICES.chars) + 1);
    expect(shape(sliced.value)).toEqual(shape(parseHtml(body, 'text/html')));
  });

  it('parses a page that fits one slice in one step', () => {
    const body = Buffer.from(djangoLoginPage({ csrf: csrfToken(1) }));
    expect(body.length).toBeLessThan(HTML_SLICES.chars);
    expect(stepwise(parseHtmlSteps(body, 'text/html', HTML_SLICES.chars)).yields).toBe(0);
  });

  it('builds the same tree whichever character a slice ends on', () => {
    const tricky = [
      '<p title="a &amp; b">x &amp; y &lt;z&gt; &#60;&#x3C; &notin; &not caf\u00e9 \ud83d\ude00 &euro;</p>',
      '<script>if (a<b) x = "</div>";</script><style>p > a { }</style><!-- a <p> comment --><br/>',
      '<!DOCTYPE html><pre>\n  a   b\n</pre><textarea> x  y </textarea><input name=q value=\'1 2\' disabled>',
      '<a href="?a=1&b=2&amp;c=3">link</a><![CDATA[x]]><select><option>1<option>2</select><table><tr><td>1</table>',
    ];
    for (const t of tricky) {
      const body = Buffer.from(t);
      const whole = shape(parseHtml(body, 'text/html'));
      for (let chars = 1; chars <= 17; chars++) {
        const sliced = stepwise(parseHtmlSteps(body, 'text/html', chars));
        expect(sliced.yields).toBeGreaterThan(1);
        expect(shape(sliced.value), `${t} in slices of ${chars}`).toEqual(whole);
      }
    }
  });
});

describe('the ignore selectors in steps', () => {
  it('match the elements that css-select selectAll matches (none inside a <template>)', () => {
    const doc = parseHtml(Buffer.from('<template><p class="x">t</p></template><p class="x">a<b class="x">b</b></p><div><p>c</p><script>s</script></div>' + bigHtmlPage({ rows: 50 })), 'text/html');
    for (const selector of ['.x', 'template p', 'p', 'div > p, script', '.badge', 'tr:nth-of-type(3) td', 'input[name=qty-7]', ':not(td)']) {
      const expected = new Set(selectAll<Element, Element>(compile<Element, Element>(selector), doc as unknown as Element));
      if (selector === 'template p') expect(expected.size).toBe(0);
      else expect(expected.size, selector).toBeGreaterThan(0);
      const { value, yields } = stepwise(compileSelectors([selector]).matchesSteps(doc, 10));
      expect(value.size, selector).toBe(expected.size);
      expect([...expected].every((el) => value.has(el)), selector).toBe(true); // the same nodes, not look-alikes
      expect(yields).toBeGreaterThan(10);
    }
  });
});

describe('a comparison in steps', () => {
  const none = compareOptionsFrom(undefined);
  const ignoring = compareOptionsFrom({ ignore: ['input[name=csrfmiddlewaretoken]', '.badge', 'template p'] });
  const noise = new NoiseSet();
  noise.add(['html > body > div#container > div#content > div#content-main > form#login-form > input[name=csrfmiddlewaretoken] @value']);
  const withNoise = compareOptionsFrom(undefined, { noisePaths: noise });
  const deep = (leaf: string) => '<div>'.repeat(2000) + leaf;

  const pairs: [string, Captured, Captured][] = [
    ['a token', html(djangoLoginPage({ csrf: csrfToken(1) })), html(djangoLoginPage({ csrf: csrfToken(2) }))],
    ['a site header', html(djangoLoginPage({ csrf: 'x' })), html(djangoLoginPage({ csrf: 'y', siteHeader: 'Acme', reorderAttributes: true, compact: true }))],
    ['whitespace only', html(djangoLoginPage({ csrf: 'x' })), html(djangoLoginPage({ csrf: 'x', compact: true }))],
    ['a template', html('<template><p>1</p></template><p>a</p><div><p>b</p></div>'), html('<template><p>2</p></template><p>a</p><div><p>c</p></div>')],
    ['too deep', html(deep('a')), html(deep('b'))],
    ['a price', html(bigHtmlPage({ rows: 300 })), html(bigHtmlPage({ rows: 300, changedRow: 150, footer: 'Served by the new service' }))],
  ];
  const slicings: Slicing[] = [HTML_SLICES, { chars: 1, nodes: 1 }, { chars: 7, nodes: 3 }, { chars: 64, nodes: 50 }];

  it('collects the same differences, noise and mode as compareResponses, however finely cut', () => {
    for (const [what, p, s] of pairs) {
      for (const opts of [none, ignoring, withNoise]) {
        const whole = compareResponses(p, s, opts);
        for (const slicing of slicings) {
          const cut = stepwise(compareSteps(p, s, opts, slicing));
          expect(cut.value, `${what}, slices ${JSON.stringify(slicing)}`).toEqual(whole);
          if (slicing.chars === 1) expect(cut.yields).toBeGreaterThan(p.body.length); // it was cut
        }
      }
    }
  });

  it('keeps the cap: past maxDifferences the walk stops and says truncated, in steps as in one go', () => {
    const rows = (tag: string) => html(`<ul>${Array.from({ length: 300 }, (_, i) => `<li>${tag}${i}</li>`).join('')}</ul>`);
    const opts: CompareOptions = { ...none, maxDifferences: 10 };
    const whole = compareResponses(rows('a'), rows('b'), opts);
    expect(whole).toMatchObject({ truncated: true, result: 'mismatch' });
    expect(whole.differences).toHaveLength(10);
    expect(stepwise(compareSteps(rows('a'), rows('b'), opts, { chars: 5, nodes: 2 })).value).toEqual(whole);
  });

  it('walks a 1 MB page pair a slice per step: both parses, both ignore matches and the diff walk', () => {
    const p = html(bigHtmlPage());
    const s = html(bigHtmlPage({ changedRow: 2_000, footer: 'Served by the new service' }));
    const opts = compareOptionsFrom({ ignore: ['.badge'] });
    const cut = stepwise(compareSteps(p, s, opts));
    expect(cut.value).toEqual(compareResponses(p, s, opts));
    expect(cut.value.differences.map((d) => d.path)).toEqual([
      'html > body > table#products > tbody > tr:nth-of-type(2001) > td:nth-of-type(2) #text',
      'html > body > footer#footer > p #text',
    ]);
    const parseSteps = 2 * Math.ceil(p.body.toString('utf8').length / HTML_SLICES.chars);
    const elements = elementsIn(parseHtml(p.body, 'text/html'));
    expect(elements).toBeGreaterThan(10 * HTML_SLICES.nodes);
    // each side's parse, each side's ignore matches, then the walk (which skips the ignored
    // badge of each row): none of them in one step
    const walked = elements - BIG_PAGE_ROWS;
    expect(cut.yields).toBeGreaterThanOrEqual(parseSteps + 2 * Math.floor(elements / HTML_SLICES.nodes) + Math.floor(walked / HTML_SLICES.nodes));
  });

  it('runs JSON, bytes and identical bodies in one step', () => {
    const json = (v: unknown): Captured => ({ status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(v)) });
    const big = Array.from({ length: 20_000 }, (_, i) => ({ id: i }));
    expect(stepwise(compareSteps(json(big), json([...big, 1]), none)).yields).toBe(0);
    expect(stepwise(compareSteps(html(bigHtmlPage()), html(bigHtmlPage()), none)).yields).toBe(0); // same bytes: not parsed
    const text = (t: string): Captured => ({ status: 200, headers: { 'content-type': 'text/plain' }, body: Buffer.from(t) });
    expect(stepwise(compareSteps(text('a'.repeat(100_000)), text('b'), none)).yields).toBe(0);
  });

  it('reads the noise known when it began, whatever is learned while it is in progress', () => {
    const set = new NoiseSet();
    const opts = compareOptionsFrom(undefined, { noisePaths: set.view() });
    const steps = compareSteps(html(bigHtmlPage({ rows: 300 })), html(bigHtmlPage({ rows: 300, footer: 'new' })), opts, { chars: 1024, nodes: 100 });
    expect(steps.next().done).toBe(false);
    set.add(['html > body > footer#footer > p #text']); // learned by another request meanwhile
    const { value } = stepwise(steps);
    expect(value.differences.map((d) => d.path)).toEqual(['html > body > footer#footer > p #text']);
    expect(value.noise).toEqual([]);
    expect(set.has('html > body > footer#footer > p #text')).toBe(true);
    expect(set.view().has('html > body > footer#footer > p #text')).toBe(true);
  });

  it('learns noise in steps as in one go', () => {
    const a = html(bigHtmlPage({ rows: 300, footer: 'stamp 1' }));
    const b = html(bigHtmlPage({ rows: 300, footer: 'stamp 2' }));
    const cut = stepwise(learnNoiseSteps(a, b, none, { chars: 4096, nodes: 200 }));
    expect(cut.yields).toBeGreaterThan(2);
    expect(cut.value).toEqual(learnNoise(a, b, none));
    expect(cut.value).toEqual(['html > body > footer#footer > p #text']);
  });
});
