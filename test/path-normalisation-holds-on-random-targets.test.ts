// Properties of normalizeTarget over random targets (fast-check, fixed seeds): idempotent, no dot
// segment survives, raw and percent-encoded dots normalise alike, a dot segment with parameters is
// refused however it is spelled, and no reading of the result (decoded once or twice, backslashes
// as slashes, merged slashes, ;params stripped: the fuzz oracle's views) leaves a prefix it is in.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeTarget } from '../src/routing/normalize.js';
import { escapeOf, removeDots, within } from '../scripts/fuzz/upstream.js';

const TOKENS = ['a', 'b', 'admin', '.', '..', '', '%2e', '%2E', '%2e%2e', '.%2E', '%252e', '%252e%252e', ';x', 'a;b', '..;', '%3b', '%25', '%5c', '%2f', '%41', '~', '%7e', '%20', '...', 'x.y'];
const target = fc.array(fc.constantFrom(...TOKENS), { minLength: 0, maxLength: 7 }).map((segs) => '/' + segs.join('/'));
const plainTarget = fc.array(fc.constantFrom('a', 'b', 'c', '.', '..', ''), { maxLength: 8 }).map((segs) => '/' + segs.join('/'));
const opts = (seed: number) => ({ seed, numRuns: 2000 });
const norm = (t: string) => normalizeTarget(t, false);

describe('normalizeTarget on random targets', () => {
  it('is idempotent: a normalised target normalises to itself', () => {
    fc.assert(fc.property(target, (t) => {
      const once = norm(t);
      if (!once.ok) return;
      const twice = norm(once.path + once.search);
      expect(twice).toEqual(once);
    }), opts(1));
  });

  it('leaves no dot segment, and agrees with RFC 3986 5.2.4 on plain paths that stay below the root', () => {
    fc.assert(fc.property(plainTarget, (t) => {
      const r = norm(t);
      const climbs = t.split('/').slice(1).reduce((depth, s) => (depth < 0 ? depth : s === '..' ? depth - 1 : s === '.' ? depth : depth + 1), 0) < 0;
      if (!r.ok) return void expect(r.reason).toMatch(/above the root/);
      expect(r.path.split('/').filter((s) => s === '.' || s === '..')).toEqual([]);
      if (!climbs) expect(r.path).toBe(removeDots(t));
    }), opts(2));
  });

  it('normalises percent-encoded dots (%2e, %2E) exactly as raw dots', () => {
    fc.assert(fc.property(plainTarget, fc.array(fc.boolean(), { minLength: 16, maxLength: 16 }), (t, flips) => {
      let k = 0;
      const encoded = t.replace(/\./g, () => (flips[k++ % 16] ? (k % 2 ? '%2e' : '%2E') : '.'));
      expect(norm(encoded)).toEqual(norm(t));
    }), opts(3));
  });

  it('refuses a dot segment with parameters in every spelling', () => {
    const dotParams = fc.tuple(fc.constantFrom('.', '..', '%2e', '%2e%2e', '.%2E', '%252e', '%252e%252e'), fc.constantFrom(';', '%3b', '%3B', '%253b'), fc.constantFrom('', 'x', 'a=1'))
      .map(([d, sep, p]) => d + sep + p);
    fc.assert(fc.property(target, dotParams, target, (before, seg, after) => {
      const r = norm(`${before}/${seg}${after}`);
      expect(r.ok).toBe(false);
    }), opts(4));
  });

  it('never lets any upstream reading of the result leave a prefix the result is in', () => {
    fc.assert(fc.property(fc.constantFrom('/public', '/api/v1', '/a'), target, (prefix, rest) => {
      const r = norm(prefix + rest);
      if (!r.ok) return;
      for (const p of ['/public', '/api/v1', '/a', '/api']) if (within(p, r.path)) expect(escapeOf(p, r.path)).toBeUndefined();
    }), opts(5));
  });
});
