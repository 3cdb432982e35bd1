// Route matching over random tables (fast-check, fixed seeds) against a naive reference written
// from the contract: a prefix matches on whole segments; the exact-host routes are considered
// first, then the wildcard's, then the host-less ones; within a set the longest matching prefix
// wins, then a route listing the method beats one without a methods list, then file order.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HostMatcher } from '../src/routing/host-matcher.js';
import { PrefixMatcher } from '../src/routing/match.js';

interface R {
  readonly id: number;
  readonly prefix: string;
  readonly methods: ReadonlySet<string> | null;
  readonly host: string | null;
}
const SEGS = ['a', 'b', 'ab', 'c'];
const prefix = fc.array(fc.constantFrom(...SEGS), { maxLength: 3 }).map((s) => '/' + s.join('/'));
const path = fc.tuple(fc.array(fc.constantFrom(...SEGS, 'x', ''), { maxLength: 4 }), fc.boolean()).map(([s, slash]) => '/' + s.join('/') + (slash && s.length ? '/' : ''));
const methods = fc.option(fc.subarray(['GET', 'POST', 'DELETE'], { minLength: 1 }).map((m) => new Set(m)), { nil: null });
const HOSTS = ['x.test', 'a.x.test', 'b.x.test', 'other.test'];
const host = fc.option(fc.constantFrom('x.test', 'a.x.test', '*.x.test', 'other.test'), { nil: null, freq: 2 });
const table = (withHosts: boolean) =>
  fc.array(fc.record({ prefix, methods, host: withHosts ? host : fc.constant(null) }), { minLength: 1, maxLength: 12 }).map((rs) => rs.map((r, id) => ({ ...r, id }) as R));
const method = fc.constantFrom('GET', 'POST', 'DELETE', 'PUT');

const segMatch = (p: string, path: string) => p === '/' || path === p || path.startsWith(p + '/');
const depth = (p: string) => (p === '/' ? 0 : p.split('/').length - 1);

/** The contract, read literally. */
function naive(routes: readonly R[], m: string, path: string, h: string | null): R | undefined {
  const dot = h === null ? -1 : h.indexOf('.');
  const tiers = [(r: R) => r.host !== null && r.host === h, (r: R) => dot > 0 && r.host === '*' + h!.slice(dot), (r: R) => r.host === null];
  for (const inTier of tiers) {
    const c = routes.filter((r) => inTier(r) && segMatch(r.prefix, path) && (r.methods === null || r.methods.has(m)));
    if (c.length === 0) continue;
    const best = Math.max(...c.map((r) => depth(r.prefix)));
    const top = c.filter((r) => depth(r.prefix) === best);
    return top.find((r) => r.methods !== null) ?? top[0];
  }
  return undefined;
}

const opts = (seed: number) => ({ seed, numRuns: 3000 });

describe('route matching on random tables', () => {
  it('PrefixMatcher picks what the naive reference picks (host-less tables)', () => {
    fc.assert(fc.property(table(false), method, path, (routes, m, p) => {
      expect(new PrefixMatcher(routes).match(m, p)?.id).toBe(naive(routes, m, p, null)?.id);
    }), opts(11));
  });

  it('HostMatcher picks what the naive reference picks (exact, then wildcard, then host-less)', () => {
    fc.assert(fc.property(table(true), method, path, fc.constantFrom(...HOSTS), (routes, m, p, h) => {
      expect(new HostMatcher(routes).match(m, p, h)?.id).toBe(naive(routes, m, p, h)?.id);
    }), opts(12));
  });

  it('the most specific matching prefix wins, and a matching host route beats every host-less one', () => {
    fc.assert(fc.property(table(true), method, path, fc.constantFrom(...HOSTS), (routes, m, p, h) => {
      const got = new HostMatcher(routes).match(m, p, h);
      const usable = routes.filter((r) => segMatch(r.prefix, p) && (r.methods === null || r.methods.has(m)));
      if (usable.some((r) => r.host === h)) expect(got?.host).toBe(h);
      if (got !== undefined) {
        const sameTier = usable.filter((r) => r.host === got.host);
        expect(depth(got.prefix)).toBe(Math.max(...sameTier.map((r) => depth(r.prefix))));
      } else expect(usable.filter((r) => r.host === null || r.host === h)).toEqual([]);
    }), opts(13));
  });
});
