// compareResponses / compilePatterns: pure, on hand-made captured responses.

import { describe, expect, it } from 'vitest';
import {
  compareOptionsFrom,
  compareResponses,
  type Captured,
  type CompareOptions,
  type Difference,
} from '../src/shadow/diff.js';
import { formatPath, normalizePath, selfAndAncestors, splitPath } from '../src/shadow/json-path.js';
import { checkPattern, compilePattern, compilePatterns, PatternError } from '../src/shadow/patterns.js';

const JSON_CT = { 'content-type': 'application/json' };

function json(body: unknown, status = 200, headers: Captured['headers'] = JSON_CT): Captured {
  return { status, headers, body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)) };
}

function raw(body: string | Buffer, headers: Captured['headers'] = { 'content-type': 'text/plain' }, status = 200): Captured {
  return { status, headers, body: typeof body === 'string' ? Buffer.from(body) : body };
}

const base: CompareOptions = { headers: ['content-type'], ignore: [], unorderedArrays: [], numericTolerance: 0 };
const opts = (o: Partial<CompareOptions> = {}): CompareOptions => ({ ...base, ...o });

const paths = (ds: readonly Difference[]): string[] => ds.map((d) => d.path);
const brief = (ds: readonly Difference[]) => ds.map(({ path, kind, primary, shadow }) => ({ path, kind, primary, shadow }));

describe('JSON bodies are compared structurally', () => {
  it('equal values match whatever the key order, whitespace and number spelling (10 vs 10.0)', () => {
    const c = compareResponses(
      json('{"a": 10, "b": {"x": [1, 2.50, "s"], "y": null}}'),
      json('{"b":{"y":null,"x":[1.0,2.5,"s"]},"a":10.0}'),
      opts(),
    );
    expect(c).toEqual({ result: 'match', differences: [], noise: [], truncated: false, body: 'json' });
  });

  it('names every difference by JSON path with its kind and both values', () => {
    const primary = {
      id: 1,
      name: 'Ada',
      'a b': 'x',
      "it's": 1,
      items: [{ price: 10 }, { price: 20 }, { price: 30 }, { price: 40 }],
      meta: { version: 2 },
      gone: true,
      flag: false,
    };
    const shadow = {
      id: '1',
      name: 'Ada L.',
      'a b': 'y',
      "it's": 2,
      items: [{ price: 10 }, { price: 20 }, { price: 30 }, { price: 41 }],
      meta: [2],
      added: 'new',
      flag: false,
    };
    const c = compareResponses(json(primary), json(shadow), opts());
    expect(c.result).toBe('mismatch');
    expect(brief(c.differences)).toEqual([
      { path: '$.id', kind: 'type', primary: 1, shadow: '1' },
      { path: '$.name', kind: 'value', primary: 'Ada', shadow: 'Ada L.' },
      { path: "$['a b']", kind: 'value', primary: 'x', shadow: 'y' },
      { path: "$['it\\'s']", kind: 'value', primary: 1, shadow: 2 },
      { path: '$.items[3].price', kind: 'value', primary: 40, shadow: 41 },
      { path: '$.meta', kind: 'type', primary: { version: 2 }, shadow: [2] },
      { path: '$.gone', kind: 'missing', primary: true, shadow: undefined },
      { path: '$.added', kind: 'extra', primary: undefined, shadow: 'new' },
    ]);
  });

  it('null against a value is a type difference; a root type change is named $', () => {
    expect(brief(compareResponses(json({ a: null }), json({ a: 0 }), opts()).differences)).toEqual([
      { path: '$.a', kind: 'type', primary: null, shadow: 0 },
    ]);
    expect(brief(compareResponses(json([1]), json({ 0: 1 }), opts()).differences)).toEqual([
      { path: '$', kind: 'type', primary: [1], shadow: { 0: 1 } },
    ]);
  });

  it('reports each element past the shorter array as its own missing / extra difference', () => {
    const c = compareResponses(json({ items: [1, 2, 3, 4] }), json({ items: [1, 2] }), opts());
    expect(brief(c.differences)).toEqual([
      { path: '$.items[2]', kind: 'missing', primary: 3, shadow: undefined },
      { path: '$.items[3]', kind: 'missing', primary: 4, shadow: undefined },
    ]);
    const d = compareResponses(json({ items: [1] }), json({ items: [1, { x: 1 }] }), opts());
    expect(brief(d.differences)).toEqual([{ path: '$.items[1]', kind: 'extra', primary: undefined, shadow: { x: 1 } }]);
  });

  it('numericTolerance: |a - b| <= tolerance is equal, beyond it is a value difference', () => {
    const p = json({ total: 100, tax: 1.5 });
    const s = json({ total: 100.009, tax: 1.52 });
    expect(compareResponses(p, s, opts()).differences.map((d) => d.path)).toEqual(['$.total', '$.tax']);
    expect(compareResponses(p, s, opts({ numericTolerance: 0.01 })).result).toBe('mismatch');
    expect(paths(compareResponses(p, s, opts({ numericTolerance: 0.01 })).differences)).toEqual(['$.tax']);
    // 1.52 - 1.5 is 0.020000000000000018 in doubles: still within 0.02.
    expect(compareResponses(p, s, opts({ numericTolerance: 0.02 })).result).toBe('match');
    expect(compareResponses(json({ p: 1.5 }), json({ p: 1.51 }), opts({ numericTolerance: 0.01 })).result).toBe('match');
    expect(compareResponses(json({ p: 1.5 }), json({ p: 1.5101 }), opts({ numericTolerance: 0.01 })).result).toBe('mismatch');
    // Tolerance 0 is exact, even for values a double cannot tell apart from their sum.
    expect(compareResponses(json('{"p": 0.30000000000000004}'), json({ p: 0.3 }), opts()).result).toBe('mismatch');
  });

  it('odd keys are quoted, control characters escaped, and the names parse back as patterns', () => {
    const key = 'line\nbreak';
    const c = compareResponses(json({ [key]: 1, 'x.y': 1, '': 1, '0': 1 }), json({ [key]: 2, 'x.y': 2, '': 2, '0': 2 }), opts());
    expect(paths(c.differences)).toEqual(["$['0']", "$['line\\nbreak']", "$['x.y']", "$['']"]);
    for (const [i, seg] of (['0', key, 'x.y', ''] as const).entries()) {
      expect(compilePattern(c.differences[i]!.path).matches([seg])).toBe(true);
    }
  });
});

describe('ignore patterns', () => {
  const primary = {
    createdAt: '2024-01-01',
    requestId: 'a',
    items: [
      { id: 1, price: 10, meta: { id: 'x', etag: 1 } },
      { id: 2, price: 20, meta: { id: 'y', etag: 2 } },
    ],
    owner: { id: 9, name: 'n' },
    debug: { trace: [1, 2, 3] },
  };
  const shadow = {
    createdAt: '2024-06-01',
    items: [
      { id: 11, price: 10, meta: { id: 'xx', etag: 1 } },
      { id: 12, price: 21, meta: { id: 'yy', etag: 3 } },
    ],
    owner: { id: 10, name: 'n' },
    debug: { trace: [] },
  };

  it('without patterns every difference shows', () => {
    const c = compareResponses(json(primary), json(shadow), opts());
    expect(paths(c.differences)).toEqual([
      '$.createdAt',
      '$.requestId',
      '$.items[0].id',
      '$.items[0].meta.id',
      '$.items[1].id',
      '$.items[1].price',
      '$.items[1].meta.id',
      '$.items[1].meta.etag',
      '$.owner.id',
      '$.debug.trace[0]',
      '$.debug.trace[1]',
      '$.debug.trace[2]',
    ]);
  });

  it('$.x, $.items[*].id, a missing key and a whole subtree are left out', () => {
    const c = compareResponses(
      json(primary),
      json(shadow),
      opts({ ignore: ['$.createdAt', '$.requestId', '$.items[*].id', '$.debug'] }),
    );
    expect(paths(c.differences)).toEqual([
      '$.items[0].meta.id',
      '$.items[1].price',
      '$.items[1].meta.id',
      '$.items[1].meta.etag',
      '$.owner.id',
    ]);
  });

  it('$..id ignores every id key at any depth; .* and [n] work too', () => {
    const c = compareResponses(json(primary), json(shadow), opts({ ignore: ['$..id', '$.createdAt', '$.requestId', '$.debug'] }));
    expect(paths(c.differences)).toEqual(['$.items[1].price', '$.items[1].meta.etag']);
    const d = compareResponses(json(primary), json(shadow), opts({ ignore: ['$.*', '$.items[1]'] }));
    expect(d.result).toBe('match');
    const e = compareResponses(json(primary), json(shadow), opts({ ignore: ['$.items[1]', '$.createdAt', '$.requestId', '$.debug', '$.owner'] }));
    expect(paths(e.differences)).toEqual(['$.items[0].id', '$.items[0].meta.id']);
  });

  it('accepts compiled matchers and the route config (compareOptionsFrom), with contract defaults', () => {
    const fromConfig = compareOptionsFrom({ ignore: ['$..id', '$.createdAt', '$.requestId', '$.debug'] });
    expect(fromConfig.headers).toEqual(['content-type']);
    expect(fromConfig.numericTolerance).toBe(0);
    expect(paths(compareResponses(json(primary), json(shadow), fromConfig).differences)).toEqual([
      '$.items[1].price',
      '$.items[1].meta.etag',
    ]);
    const matcher = compilePatterns(['$..id', '$.createdAt', '$.requestId', '$.debug']);
    expect(paths(compareResponses(json(primary), json(shadow), opts({ ignore: matcher })).differences)).toEqual([
      '$.items[1].price',
      '$.items[1].meta.etag',
    ]);
  });
});

describe('unordered arrays', () => {
  it('same elements in another order match; at other paths order still counts', () => {
    const p = json({ tags: ['a', 'b', 'c', 'b'], list: [1, 2] });
    const s = json({ tags: ['b', 'c', 'b', 'a'], list: [2, 1] });
    const c = compareResponses(p, s, opts({ unorderedArrays: ['$.tags'] }));
    expect(paths(c.differences)).toEqual(['$.list[0]', '$.list[1]']);
  });

  it('multiset differences: what only the primary has is missing (its index), only the shadow extra', () => {
    const c = compareResponses(json({ tags: ['a', 'b', 'b', 'c'] }), json({ tags: ['c', 'b', 'a', 'd', 'e'] }), opts({ unorderedArrays: ['$.tags'] }));
    // a, c and one b pair up; the second b (primary index 2) and d, e are left: sorted and
    // paired (b~d) as a value difference at the primary's index, e is extra at its own index.
    expect(brief(c.differences)).toEqual([
      { path: '$.tags[2]', kind: 'value', primary: 'b', shadow: 'd' },
      { path: '$.tags[4]', kind: 'extra', primary: undefined, shadow: 'e' },
    ]);
    const d = compareResponses(json({ tags: ['a', 'b', 'c'] }), json({ tags: ['c', 'a'] }), opts({ unorderedArrays: ['$.tags'] }));
    expect(brief(d.differences)).toEqual([{ path: '$.tags[1]', kind: 'missing', primary: 'b', shadow: undefined }]);
    const e = compareResponses(json({ tags: ['a'] }), json({ tags: ['z', 'a'] }), opts({ unorderedArrays: ['$.tags'] }));
    expect(brief(e.differences)).toEqual([{ path: '$.tags[0]', kind: 'extra', primary: undefined, shadow: 'z' }]);
  });

  it('object elements pair by content (ignored paths left out), then differences inside are named', () => {
    const p = json({ items: [{ sku: 'a', qty: 1, id: 1 }, { sku: 'b', qty: 2, id: 2 }, { sku: 'c', qty: 3, id: 3 }] });
    const s = json({ items: [{ sku: 'c', qty: 3, id: 30 }, { sku: 'a', qty: 1, id: 10 }, { sku: 'b', qty: 5, id: 20 }] });
    const c = compareResponses(p, s, opts({ unorderedArrays: ['$.items'], ignore: ['$.items[*].id'] }));
    expect(brief(c.differences)).toEqual([{ path: '$.items[1].qty', kind: 'value', primary: 2, shadow: 5 }]);
  });

  it('numbers pair by value so the tolerance applies inside unordered arrays; nested unordered arrays', () => {
    const c = compareResponses(
      json({ xs: [10, 2, 300] }),
      json({ xs: [300.001, 10.001, 2.001] }),
      opts({ unorderedArrays: ['$.xs'], numericTolerance: 0.01 }),
    );
    expect(c.result).toBe('match');
    const n = compareResponses(
      json({ groups: [{ tags: ['x', 'y'] }, { tags: ['z'] }] }),
      json({ groups: [{ tags: ['z'] }, { tags: ['y', 'x'] }] }),
      opts({ unorderedArrays: ['$.groups', '$.groups[*].tags'] }),
    );
    expect(n.result).toBe('match');
  });
});

describe('non-JSON bodies are compared as bytes', () => {
  it('equal bytes match; a differing text body is one bytes difference with the first differing line', () => {
    const page = (title: string) => `<html>\n<head>\n<title>${title}</title>\n</head>\n</html>\n`;
    expect(compareResponses(raw(page('Shop'), { 'content-type': 'application/xml' }), raw(page('Shop'), { 'content-type': 'application/xml' }), opts()).result).toBe('match');
    const c = compareResponses(raw(page('Shop'), { 'content-type': 'application/xml' }), raw(page('Shop 2'), { 'content-type': 'application/xml' }), opts());
    expect(c.body).toBe('bytes');
    expect(c.differences).toHaveLength(1);
    const d = c.differences[0]!;
    expect(d).toMatchObject({ path: 'body', kind: 'bytes', primary: '<title>Shop</title>', shadow: '<title>Shop 2</title>' });
    expect(d.detail).toBe('@@ line 3, column 12 @@\n <head>\n-<title>Shop</title>\n+<title>Shop 2</title>');
  });

  it('the excerpt stays short for long lines and says where a body ended', () => {
    const long = 'x'.repeat(5000);
    const c = compareResponses(raw(`${long}A${long}`), raw(`${long}B${long}`), opts());
    const d = c.differences[0]!;
    expect(d.detail!.length).toBeLessThanOrEqual(200);
    expect(d.detail).toContain('column 5001');
    expect(String(d.primary)).toContain('A');
    expect(String(d.shadow)).toContain('B');
    const e = compareResponses(raw('one\ntwo\n'), raw('one\n'), opts()).differences[0]!;
    expect(e.detail).toBe('@@ line 2, column 1 @@\n one\n-two\n+ (end of body)');
  });

  it('binary bodies report sizes and the first differing byte', () => {
    const a = Buffer.from([0, 1, 2, 3, 4, 5]);
    const b = Buffer.from([0, 1, 2, 9, 4, 5, 6]);
    const c = compareResponses(raw(a, { 'content-type': 'image/png' }), raw(b, { 'content-type': 'image/png' }), opts());
    expect(brief(c.differences)).toEqual([{ path: 'body', kind: 'bytes', primary: { bytes: 6 }, shadow: { bytes: 7 } }]);
    expect(c.differences[0]!.detail).toBe('binary bodies differ: 6 vs 7 bytes, first difference at byte 3');
  });

  it('JSON only when both sides are JSON: by media type, or by parsing when the type is missing', () => {
    // JSON primary, HTML error page from the shadow: bytes (plus the content-type header).
    const c = compareResponses(json({ a: 1 }), raw('<h1>oops</h1>', { 'content-type': 'text/html' }, 500), opts());
    expect(c.body).toBe('bytes');
    expect(paths(c.differences)).toEqual(['status', 'headers.content-type', 'body']);
    // No content-type on either side, both parse: structural.
    const d = compareResponses(json('{"a": 1.0}', 200, {}), json('{"a":1}', 200, {}), opts());
    expect(d).toMatchObject({ result: 'match', body: 'json' });
    // text/plain that happens to look like JSON: bytes.
    const e = compareResponses(raw('{"a": 1.0}'), raw('{"a":1}'), opts());
    expect(e).toMatchObject({ result: 'mismatch', body: 'bytes' });
    // +json and parameters count as JSON; a BOM is skipped.
    const pj = { 'content-type': 'application/problem+json; charset=utf-8' };
    const f = compareResponses(json('\uFEFF{"a":1}', 200, pj), json('{"a": 1}', 200, pj), opts());
    expect(f).toMatchObject({ result: 'match', body: 'json' });
  });

  it('JSON nested too deep to walk falls back to bytes instead of throwing', () => {
    const deep = (leaf: string) => '['.repeat(200_000) + leaf + ']'.repeat(200_000);
    const c = compareResponses(json(deep('1')), json(deep('2')), opts());
    expect(c.result).toBe('mismatch');
    expect(c.body).toBe('bytes');
    expect(brief(c.differences)).toEqual([{ path: 'body', kind: 'bytes', primary: expect.stringContaining('1'), shadow: expect.stringContaining('2') }]);
  });
});

describe('status and headers', () => {
  it('status is its own difference', () => {
    const c = compareResponses(json({ a: 1 }, 200), json({ a: 1 }, 201), opts());
    expect(brief(c.differences)).toEqual([{ path: 'status', kind: 'status', primary: 200, shadow: 201 }]);
  });

  it('headers by lower-case name; only the listed ones; missing / extra / different', () => {
    const p = json({}, 200, { 'Content-Type': 'application/json', ETag: '"1"', 'Cache-Control': 'no-store', Vary: ['a', 'b'] });
    const s = json({}, 200, { 'content-type': 'application/json', 'x-new': 'y', vary: 'a, b', 'cache-control': 'max-age=60' });
    const c = compareResponses(p, s, opts({ headers: ['content-type', 'ETag', 'x-new', 'cache-control', 'vary', 'x-none'] }));
    expect(brief(c.differences)).toEqual([
      { path: 'headers.etag', kind: 'missing', primary: '"1"', shadow: undefined },
      { path: 'headers.x-new', kind: 'extra', primary: undefined, shadow: 'y' },
      { path: 'headers.cache-control', kind: 'header', primary: 'no-store', shadow: 'max-age=60' },
    ]);
    // Not listed: not compared.
    expect(compareResponses(p, s, opts({ headers: [] })).result).toBe('match');
  });

  it('content-type ignores case and spaces around parameters, not a different charset or type', () => {
    const t = (ct: string) => json({}, 200, { 'content-type': ct });
    expect(compareResponses(t('application/json; charset=utf-8'), t('Application/JSON;charset=UTF-8'), opts()).result).toBe('match');
    expect(paths(compareResponses(t('application/json; charset=utf-8'), t('application/json; charset=latin1'), opts()).differences)).toEqual([
      'headers.content-type',
    ]);
  });
});

describe('bounds and noise', () => {
  const many = (n: number, offset: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i + offset]));

  it('collects at most 100 differences and says it truncated', () => {
    const c = compareResponses(json(many(150, 0)), json(many(150, 1)), opts());
    expect(c.differences).toHaveLength(100);
    expect(c.truncated).toBe(true);
    expect(c.differences[99]!.path).toBe('$.k99');
    const exactly = compareResponses(json(many(100, 0)), json(many(100, 1)), opts());
    expect(exactly).toMatchObject({ truncated: false, result: 'mismatch' });
    expect(exactly.differences).toHaveLength(100);
    expect(compareResponses(json(many(10, 0)), json(many(10, 1)), opts({ maxDifferences: 3 })).differences).toHaveLength(3);
  });

  it('differences at noise paths (or under them) go to noise and do not make a mismatch', () => {
    const p = json({ requestId: 'a', items: [{ ts: 1, v: 1 }, { ts: 2, v: 2 }], meta: { now: 1, build: 'x' } });
    const s = json({ requestId: 'b', items: [{ ts: 5, v: 1 }, { ts: 6, v: 2 }], meta: { now: 2, build: 'x' } });
    const noisePaths = new Set(['$.requestId', '$.items[*].ts', '$.meta']);
    const c = compareResponses(p, s, opts({ noisePaths }));
    expect(c.result).toBe('match');
    expect(c.differences).toEqual([]);
    expect(paths(c.noise)).toEqual(['$.requestId', '$.items[0].ts', '$.items[1].ts', '$.meta.now']);
    const s2 = json({ requestId: 'b', items: [{ ts: 5, v: 1 }, { ts: 6, v: 3 }], meta: { now: 2, build: 'x' } });
    const d = compareResponses(p, s2, opts({ noisePaths }));
    expect(d.result).toBe('mismatch');
    expect(paths(d.differences)).toEqual(['$.items[1].v']);
    expect(d.noise).toHaveLength(4);
  });
});

describe('path and pattern helpers', () => {
  it('formats, splits and normalises paths', () => {
    expect(formatPath(['items', 3, 'price'])).toBe('$.items[3].price');
    expect(formatPath(['items', 3, 'a b', 0], true)).toBe("$.items[*]['a b'][*]");
    expect(splitPath("$.a[3]['b]c'].d")).toEqual(['$', '.a', '[3]', "['b]c']", '.d']);
    expect(normalizePath("$.a[3]['[7]'][12]")).toBe("$.a[*]['[7]'][*]");
    expect(normalizePath('headers.etag')).toBe('headers.etag');
    expect(normalizePath(`$["a"]['b c'].d-e[*]`)).toBe("$.a['b c']['d-e'][*]");
    expect(selfAndAncestors('$.a[1].b')).toEqual(['$.a[1].b', '$.a[1]', '$.a', '$']);
  });

  it('matches exactly: keys, indices, wildcards, descent', () => {
    const m = (p: string, segs: (string | number)[]) => compilePattern(p).matches(segs);
    expect(m('$.items[*].id', ['items', 4, 'id'])).toBe(true);
    expect(m('$.items[*].id', ['items', 4, 'id', 'x'])).toBe(false);
    expect(m('$.items[2]', ['items', 2])).toBe(true);
    expect(m('$.items[2]', ['items', 3])).toBe(false);
    expect(m('$.items[2]', ['items', '2'])).toBe(false);
    expect(m('$.a.*', ['a', 'zz'])).toBe(true);
    expect(m('$..id', ['id'])).toBe(true);
    expect(m('$..id', ['a', 0, 'b', 'id'])).toBe(true);
    expect(m('$..id', ['a', 0, 'b', 'idx'])).toBe(false);
    expect(m('$.a..b[*]', ['a', 'x', 'y', 'b', 1])).toBe(true);
    expect(m("$['a b'].c", ['a b', 'c'])).toBe(true);
    expect(m('$["q\\"x"]', ['q"x'])).toBe(true);
    expect(m('$', [])).toBe(true);
  });

  it('refuses malformed patterns with a sentence', () => {
    for (const bad of ['items', '$.', '$..', '$[', '$[x]', "$['a", '$.a b', '$.a]']) {
      expect(() => compilePatterns([bad]), bad).toThrow(PatternError);
      expect(checkPattern(bad), bad).toEqual(expect.any(String));
    }
    expect(checkPattern('$.items[*].id')).toBeNull();
  });
});
