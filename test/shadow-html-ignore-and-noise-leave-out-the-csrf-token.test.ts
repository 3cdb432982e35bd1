// The per-answer CSRF token of a Django-like login page stops being a mismatch two ways: a CSS
// selector in compare.ignore, or the noise probe learning its element path from two answers of
// the primary. A real difference still shows through both.

import { describe, expect, it } from 'vitest';
import { compareOptionsFrom, compareResponses, type Captured } from '../src/shadow/diff.js';
import { normalizePath } from '../src/shadow/json-path.js';
import { learnNoise, NoiseSet } from '../src/shadow/noise.js';
import { csrfToken, djangoLoginPage, type LoginPageOptions } from './helpers/django-login-page.js';

const page = (o: LoginPageOptions): Captured => ({ status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: Buffer.from(djangoLoginPage(o)) });
const TOKEN_VALUE = 'html > body > div#container > div#content > div#content-main > form#login-form > input[name=csrfmiddlewaretoken] @value';
const HEADER_TEXT = 'html > body > div#container > div#header > div#branding > h1#site-name > a #text';

describe('compare.ignore with CSS selectors', () => {
  it('leaves out the element a selector matches, with its attributes', () => {
    const opts = compareOptionsFrom({ ignore: ['input[name=csrfmiddlewaretoken]'] });
    expect(compareResponses(page({ csrf: csrfToken(1) }), page({ csrf: csrfToken(2) }), opts)).toMatchObject({ result: 'match', differences: [], noise: [] });
    const real = compareResponses(page({ csrf: csrfToken(1) }), page({ csrf: csrfToken(2), siteHeader: 'Acme' }), opts);
    expect(real.differences.map((d) => d.path)).toEqual([HEADER_TEXT]);
  });

  it('leaves out a whole subtree, a missing or extra element included, and works beside JSON paths', () => {
    const a: Captured = { status: 200, headers: { 'content-type': 'text/html' }, body: Buffer.from('<footer><p class="build-stamp">build 41 <b>x</b></p><p>ok</p></footer>') };
    const b: Captured = { status: 200, headers: { 'content-type': 'text/html' }, body: Buffer.from('<footer><p class="build-stamp">build 42</p><p class="build-stamp">new</p><p>ok</p></footer>') };
    const opts = compareOptionsFrom({ ignore: ['$.createdAt', '.build-stamp'] });
    expect(compareResponses(a, b, opts).result).toBe('match');
    expect(compareResponses(a, b, compareOptionsFrom(undefined)).result).toBe('mismatch');
    // the same options still leave out the JSON path in a JSON answer
    const j = (v: unknown): Captured => ({ status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(v)) });
    expect(compareResponses(j({ createdAt: 1, n: 1 }), j({ createdAt: 2, n: 1 }), opts).result).toBe('match');
  });

  it('accepts the element path of a difference pasted as a selector', () => {
    const selector = TOKEN_VALUE.replace(/ @value$/, '');
    expect(compareResponses(page({ csrf: 'a' }), page({ csrf: 'b' }), compareOptionsFrom({ ignore: [selector] })).result).toBe('match');
  });
});

describe('the noise probe on HTML answers', () => {
  it('learns the token element path from two answers of the primary, then the shadow matches', () => {
    const opts = compareOptionsFrom(undefined);
    expect(learnNoise(page({ csrf: csrfToken(1) }), page({ csrf: csrfToken(2) }), opts)).toEqual([TOKEN_VALUE]);
    const noise = new NoiseSet();
    noise.add(learnNoise(page({ csrf: csrfToken(1) }), page({ csrf: csrfToken(2) }), opts));
    const withNoise = compareOptionsFrom(undefined, { noisePaths: noise });

    const c = compareResponses(page({ csrf: csrfToken(1) }), page({ csrf: csrfToken(3) }), withNoise);
    expect(c.result).toBe('match');
    expect(c.noise.map((d) => d.path)).toEqual([TOKEN_VALUE]);

    const real = compareResponses(page({ csrf: csrfToken(1) }), page({ csrf: csrfToken(3), siteHeader: 'Acme' }), withNoise);
    expect(real.result).toBe('mismatch');
    expect(real.differences.map((d) => d.path)).toEqual([HEADER_TEXT]);
  });

  it('learns rows by their normalised path (nth-of-type dropped), and noise at an element covers its subtree', () => {
    const rows = (stamp: string) => ({ status: 200, headers: { 'content-type': 'text/html' }, body: Buffer.from(`<table><tr><td>a</td><td>${stamp}1</td></tr><tr><td>b</td><td>${stamp}2</td></tr></table>`) }) as Captured;
    const learned = learnNoise(rows('x'), rows('y'), compareOptionsFrom(undefined));
    expect(learned).toEqual(['table > tr > td #text']); // htmlparser2 adds no implied <tbody>
    expect(normalizePath('ul > li:nth-of-type(3) > a[name="b:nth-of-type(1)"] #text')).toBe('ul > li > a[name="b:nth-of-type(1)"] #text');
    const set = new NoiseSet();
    set.add(['div#ad']);
    const ad = (t: string): Captured => ({ status: 200, headers: { 'content-type': 'text/html' }, body: Buffer.from(`<div id="ad"><p title="${t}">${t}</p></div><p>same</p>`) });
    const c = compareResponses(ad('1'), ad('2'), compareOptionsFrom(undefined, { noisePaths: set }));
    expect(c.result).toBe('match');
    expect(c.noise.map((d) => d.path)).toEqual(['div#ad > p @title', 'div#ad > p #text']);
  });

  it('learns a list that grew as items that come and go, so a changed item is still a mismatch', () => {
    // A server-rendered list (an admin changelist, the orders page) one row longer the second
    // time: `ul > li` would cover every item's text; what is learned covers only an item missing
    // or extra.
    const list = (names: string[]): Captured => ({ status: 200, headers: { 'content-type': 'text/html' }, body: Buffer.from(`<ul>${names.map((n) => `<li><span class="user">${n}</span></li>`).join('')}</ul>`) });
    const learned = learnNoise(list(['ada', 'bob']), list(['ada', 'bob', 'cy']), compareOptionsFrom(undefined));
    expect(learned).toEqual(['ul > li (added or removed)']);
    const set = new NoiseSet();
    set.add(learned);
    const changed = compareResponses(list(['ada', 'bob', 'cy']), list(['ADA', 'bob']), compareOptionsFrom(undefined, { noisePaths: set }));
    expect(changed.result).toBe('mismatch');
    expect(changed.differences.map((d) => d.path)).toEqual(['ul > li:nth-of-type(1) > span #text']);
    expect(changed.noise.map((d) => `${d.kind} ${d.path}`)).toEqual(['missing ul > li:nth-of-type(3)']);
  });
});

