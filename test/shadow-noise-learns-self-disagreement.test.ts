// learnNoise / NoiseSet: paths where the primary disagrees with itself become noise, and a
// later comparison against the shadow reports them as noise instead of a mismatch.

import { describe, expect, it } from 'vitest';
import { compareResponses, type Captured, type CompareOptions } from '../src/shadow/diff.js';
import { learnNoise, NoiseSet } from '../src/shadow/noise.js';

function json(body: unknown, headers: Captured['headers'] = {}, status = 200): Captured {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: Buffer.from(JSON.stringify(body)) };
}

const opts: CompareOptions = { headers: ['content-type', 'etag'], ignore: [], unorderedArrays: [], numericTolerance: 0 };

describe('learnNoise', () => {
  it('returns the index-normalised paths where two answers of the primary differ', () => {
    const a = json({ requestId: 'r1', items: [{ id: 1, ts: 100 }, { id: 2, ts: 101 }], total: 2 }, { etag: '"a"' });
    const b = json({ requestId: 'r2', items: [{ id: 1, ts: 200 }, { id: 2, ts: 201 }], total: 2 }, { etag: '"b"' });
    expect(learnNoise(a, b, opts)).toEqual(['headers.etag', '$.requestId', '$.items[*].ts']);
  });

  it('learns nothing from identical answers, nor from status or a body compared as bytes', () => {
    expect(learnNoise(json({ a: 1 }), json({ a: 1 }), opts)).toEqual([]);
    expect(learnNoise(json({ a: 1 }, {}, 200), json({ a: 1 }, {}, 500), opts)).toEqual([]);
    const text = (s: string): Captured => ({ status: 200, headers: { 'content-type': 'text/plain' }, body: Buffer.from(s) });
    expect(learnNoise(text('csrf=1'), text('csrf=2'), opts)).toEqual([]); // (HTML is learned by element path)
  });

  it('does not learn what ignore already leaves out', () => {
    const a = json({ requestId: 'r1', now: 1 });
    const b = json({ requestId: 'r2', now: 2 });
    expect(learnNoise(a, b, { ...opts, ignore: ['$.now'] })).toEqual(['$.requestId']);
  });
});

describe('NoiseSet', () => {
  it('matches a path by its normalised form or an ancestor', () => {
    const set = new NoiseSet();
    expect(set.add(['$.items[3].ts', '$.meta', '$.items[0].ts'])).toEqual(['$.items[*].ts', '$.meta']);
    expect(set.size).toBe(2);
    expect(set.has('$.items[17].ts')).toBe(true);
    expect(set.has('$.items[*].ts')).toBe(true);
    expect(set.has('$.items[17].price')).toBe(false);
    expect(set.has('$.meta.requestId')).toBe(true);
    expect(set.has('$.metadata')).toBe(false);
    expect(set.has('$')).toBe(false);
    expect(set.has("$['items'][2].ts")).toBe(true); // keys are respelled the way the diff writes them
    expect(set.has("$['items'][2]['t s']")).toBe(false);
  });

  it('is bounded: once full, new paths are dropped and counted, the learned ones stay', () => {
    const set = new NoiseSet(3);
    set.add(['$.a', '$.b', '$.c', '$.d', '$.a']);
    expect(set.toArray()).toEqual(['$.a', '$.b', '$.c']);
    expect(set.dropped).toBe(1);
    expect(set.has('$.d')).toBe(false);
    expect(new NoiseSet().limit).toBe(200);
    const big = new NoiseSet();
    big.add(Array.from({ length: 500 }, (_, i) => `$.k${i}`));
    expect(big.size).toBe(200);
    expect(big.dropped).toBe(300);
  });

  it('turns the primary self-disagreement into noise in the shadow comparison', () => {
    const set = new NoiseSet();
    const p1 = json({ requestId: 'r1', items: [{ sku: 'a', ts: 1 }], price: 10 }, { etag: '"1"' });
    const p2 = json({ requestId: 'r2', items: [{ sku: 'a', ts: 2 }], price: 10 }, { etag: '"2"' });
    set.add(learnNoise(p1, p2, opts));

    const shadowSame = json({ requestId: 'r9', items: [{ sku: 'a', ts: 9 }], price: 10 }, { etag: '"9"' });
    const before = compareResponses(p1, shadowSame, opts);
    expect(before.result).toBe('mismatch');
    const after = compareResponses(p1, shadowSame, { ...opts, noisePaths: set });
    expect(after.result).toBe('match');
    expect(after.noise.map((d) => d.path)).toEqual(['headers.etag', '$.requestId', '$.items[0].ts']);

    const shadowWrong = json({ requestId: 'r9', items: [{ sku: 'a', ts: 9 }], price: 11 }, { etag: '"9"' });
    const wrong = compareResponses(p1, shadowWrong, { ...opts, noisePaths: set });
    expect(wrong.result).toBe('mismatch');
    expect(wrong.differences.map((d) => d.path)).toEqual(['$.price']);
  });
});

describe('a list that grew between the two answers', () => {
  // The demo's GET /orders between two of its POSTs: the monolith's own answers differ by an
  // element. That is noise where elements come and go, not at `$[*]`, which would cover every
  // difference inside every element: a renamed field would pass as noise.
  const order = (id: number) => ({ id, userId: 1, createdAt: '2026-01-01T00:00:00Z' });
  const before = json([order(1), order(2)]);
  const after = json([order(1), order(2), order(3)]);

  it('learns that elements come and go there, not the elements themselves', () => {
    expect(learnNoise(before, after, opts)).toEqual(['$[*] (added or removed)']);
  });

  it('takes an element present on one side only as noise, and a field renamed inside the others as a mismatch', () => {
    const set = new NoiseSet();
    set.add(learnNoise(before, after, opts));
    const renamed = json([1, 2].map((id) => ({ id, user_id: 1, createdAt: '2026-01-01T00:00:00Z' })));
    const cmp = compareResponses(after, renamed, { ...opts, noisePaths: set });
    expect(cmp.result).toBe('mismatch');
    expect(cmp.differences.map((d) => `${d.kind} ${d.path}`)).toEqual(['missing $[0].userId', 'extra $[0].user_id', 'missing $[1].userId', 'extra $[1].user_id']);
    expect(cmp.noise.map((d) => `${d.kind} ${d.path}`)).toEqual(['missing $[2]']);

    const same = compareResponses(after, json([order(1), order(2)]), { ...opts, noisePaths: set });
    expect(same.result).toBe('match');
  });

  it('keeps the entry as learned, and a value noise at $[*] still covers its elements', () => {
    const set = new NoiseSet();
    expect(set.add(['$.items[4] (added or removed)', '$.items[*] (added or removed)'])).toEqual(['$.items[*] (added or removed)']);
    expect(set.has('$.items[9] (added or removed)')).toBe(true);
    expect(set.has('$.items[9]')).toBe(false);
    expect(set.has('$.items[9].id')).toBe(false);
    const scalars = new NoiseSet();
    scalars.add(learnNoise(json([1, 2, 3]), json([1, 2, 4]), opts)); // a value changed: `$[*]`
    expect(scalars.has('$[7]')).toBe(true);
  });
});
