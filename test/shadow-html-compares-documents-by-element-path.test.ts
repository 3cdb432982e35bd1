// compareResponses on two text/html answers: parsed documents, not bytes. Whitespace between
// elements and attribute order never count; every real difference is named by its element path.

import { describe, expect, it } from 'vitest';
import { compareOptionsFrom, compareResponses, type Captured } from '../src/shadow/diff.js';
import { csrfToken, djangoLoginPage } from './helpers/django-login-page.js';

const html = (body: string, ct = 'text/html; charset=utf-8'): Captured => ({ status: 200, headers: { 'content-type': ct }, body: Buffer.from(body) });
const none = compareOptionsFrom(undefined);
const paths = (c: { differences: { path: string; kind: string }[] }) => c.differences.map((d) => `${d.path} ${d.kind}`);

describe('HTML answers', () => {
  it('differ only by their csrfmiddlewaretoken, named by element path with @value', () => {
    const c = compareResponses(html(djangoLoginPage({ csrf: csrfToken(1) })), html(djangoLoginPage({ csrf: csrfToken(2) })), none);
    expect(c.body).toBe('html');
    expect(c.result).toBe('mismatch');
    expect(c.differences).toEqual([
      { path: 'html > body > div#container > div#content > div#content-main > form#login-form > input[name=csrfmiddlewaretoken] @value', kind: 'value', primary: csrfToken(1), shadow: csrfToken(2) },
    ]);
  });

  it('match when attribute order and the whitespace between elements differ', () => {
    const a = djangoLoginPage({ csrf: csrfToken(1) });
    const b = djangoLoginPage({ csrf: csrfToken(1), reorderAttributes: true, compact: true });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
    expect(compareResponses(html(a), html(b), none)).toMatchObject({ result: 'match', differences: [], body: 'html' });
  });

  it('name a different site header by the path of its text', () => {
    const c = compareResponses(html(djangoLoginPage({ csrf: 'same' })), html(djangoLoginPage({ csrf: 'same', siteHeader: 'Acme admin' })), none);
    expect(c.differences).toEqual([
      { path: 'html > body > div#container > div#header > div#branding > h1#site-name > a #text', kind: 'value', primary: 'Django administration', shadow: 'Acme admin' },
    ]);
  });

  it('name missing and extra elements and attributes, and tell same-tag siblings apart', () => {
    const a = '<ul class="nav"><li>Home</li><li>Users</li><li>Orders</li></ul><p title="t">x</p>';
    const b = '<ul><li>Home</li><li>Accounts</li><li>Orders</li><li>Help</li></ul><p title="t" hidden>x</p>';
    const c = compareResponses(html(a), html(b), none);
    expect(paths(c)).toEqual([
      'ul @class missing',
      'ul > li:nth-of-type(2) #text value',
      'ul > li:nth-of-type(4) extra',
      'p @hidden extra',
    ]);
    expect(c.differences[2]!.shadow).toBe('<li>');
  });

  it('pair elements around an inserted one instead of shifting every later sibling', () => {
    const a = '<div id="a"></div><div id="b"></div><form id="f"><input name="q"></form>';
    const b = '<div id="a"></div><div class="banner">new</div><div id="b"></div><form id="f"><input name="q"></form>';
    expect(paths(compareResponses(html(a), html(b), none))).toEqual(['div:nth-of-type(2) extra']);
  });

  it('quote ids and names that are not identifiers, and never compare comments or the doctype', () => {
    const a = '<!doctype html><!-- built 1 --><input name="user[email]" value="a"><span id="2x">1</span>';
    const b = '<!DOCTYPE html><!-- built 2 --><input name="user[email]" value="b"><span id="2x">2</span>';
    expect(paths(compareResponses(html(a), html(b), none))).toEqual(['input[name="user[email]"] @value value', 'span[id="2x"] #text value']);
  });

  it('keep whitespace inside <pre>, and decode character references', () => {
    expect(compareResponses(html('<pre>a  b</pre><p>&lt;ok&gt;</p>'), html('<pre>a  b</pre><p>&#60;ok&#62;</p>'), none).result).toBe('match');
    expect(paths(compareResponses(html('<pre>a  b</pre>'), html('<pre>a b</pre>'), none))).toEqual(['pre #text value']);
    expect(compareResponses(html('<p>a  b\n</p>'), html('<p> a b</p>'), none).result).toBe('match');
  });

  it('compare as bytes when only one side is text/html', () => {
    const c = compareResponses(html('<p>a</p>'), html('<p>b</p>', 'text/plain'), none);
    expect(c.body).toBe('bytes');
    expect(paths(c)).toEqual(['headers.content-type header', 'body bytes']);
  });

  it('clip a long value around its first difference', () => {
    const long = 'x'.repeat(500);
    const c = compareResponses(html(`<p>${long}A${long}</p>`), html(`<p>${long}B${long}</p>`), none);
    const d = c.differences[0]!;
    expect((d.primary as string).length).toBeLessThan(130);
    expect(d.primary).toContain('A');
    expect(d.shadow).toContain('B');
  });

  it('fall back to bytes for a document nested too deep to walk', () => {
    const deep = (leaf: string) => '<div>'.repeat(2000) + leaf;
    const c = compareResponses(html(deep('a')), html(deep('b')), none);
    expect(c.body).toBe('bytes');
    expect(paths(c)).toEqual(['body bytes']);
  });
});
