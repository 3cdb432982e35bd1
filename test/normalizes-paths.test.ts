import { describe, expect, it } from 'vitest';
import { normalizeTarget } from '../src/routing/normalize.js';

const reject = false;
const keep = true;

const ok = (target: string, keepEscapedSlashes = reject) => {
  const r = normalizeTarget(target, keepEscapedSlashes);
  if (!r.ok) throw new Error(`expected ${JSON.stringify(target)} to be accepted, refused: ${r.reason}`);
  return r.path + r.search;
};
const refused = (target: string, keepEscapedSlashes = reject) => {
  const r = normalizeTarget(target, keepEscapedSlashes);
  if (r.ok) throw new Error(`expected ${JSON.stringify(target)} to be refused, got ${JSON.stringify(r.path + r.search)}`);
  return r.reason;
};

describe('normalizeTarget: dot-segment removal (RFC 3986 5.2.4)', () => {
  it.each([
    // The RFC's own walk-through and the absolute-path results of 5.4.1 / 5.4.2.
    ['/a/b/c/./../../g', '/a/g'],
    ['/b/c/./g', '/b/c/g'],
    ['/b/c/g/.', '/b/c/g/'],
    ['/b/c/..', '/b/'],
    ['/b/c/../', '/b/'],
    ['/b/c/../g', '/b/g'],
    ['/b/c/./g/.', '/b/c/g/'],
    ['/b/c/g/./h', '/b/c/g/h'],
    ['/b/c/g/../h', '/b/c/h'],
    ['/b/c/g;x=1/./y', '/b/c/g;x=1/y'],
    ['/b/c/g;x=1/../y', '/b/c/y'],
    // The root and its neighbours.
    ['/', '/'],
    ['/.', '/'],
    ['/./', '/'],
    ['/a/..', '/'],
    ['/a/../', '/'],
    ['/./a', '/a'],
    // Empty segments are kept, and count as segments when climbing.
    ['/a//b', '/a//b'],
    ['/a//..', '/a/'],
    ['//h/p', '//h/p'],
    // Names that merely contain dots are not dot segments.
    ['/..a/b.', '/..a/b.'],
    ['/a/.b/..c/...', '/a/.b/..c/...'],
  ])('%s -> %s', (target, expected) => {
    expect(ok(target)).toBe(expected);
  });

  it('removes percent-encoded dot segments, in any case and mix', () => {
    expect(ok('/api/x/%2e%2e/users')).toBe('/api/users');
    expect(ok('/api/x/%2E%2E/users')).toBe('/api/users');
    expect(ok('/api/x/.%2e/users')).toBe('/api/users');
    expect(ok('/api/x/%2e./users')).toBe('/api/users');
    expect(ok('/api/%2e/users')).toBe('/api/users');
    expect(ok('/api/x/%2e')).toBe('/api/x/');
  });

  it('leaves the query string alone, dots, escapes and all', () => {
    expect(ok('/a/b/../c?x=/../%2F&y=%00')).toBe('/a/c?x=/../%2F&y=%00');
    expect(ok('/a?')).toBe('/a?');
  });
});

describe('normalizeTarget: percent-decoding', () => {
  it('decodes unreserved characters only (ALPHA DIGIT - . _ ~)', () => {
    expect(ok('/api/%7Euser')).toBe('/api/~user');
    expect(ok('/api/%7euser')).toBe('/api/~user');
    expect(ok('/%41%5a%61%7A%30%39%2D%2E%5F%7E')).toBe('/AZaz09-._~');
  });

  it('keeps every other escape exactly as sent (case included)', () => {
    expect(ok('/api/a%20b%3a%3A%40%25%3F%23%26')).toBe('/api/a%20b%3a%3A%40%25%3F%23%26');
    expect(ok('/caf%C3%A9')).toBe('/caf%C3%A9');
    expect(ok('/100%25')).toBe('/100%25');
  });

  it('returns a simple path unchanged', () => {
    expect(ok('/api/users/1?q=a')).toBe('/api/users/1?q=a');
  });
});

describe('normalizeTarget: the request-target forms', () => {
  it('routes the absolute form by its path alone', () => {
    expect(ok('http://example.com/api/users/1')).toBe('/api/users/1');
    expect(ok('http://example.com:8080/api/users/1?x=1')).toBe('/api/users/1?x=1');
    expect(ok('HTTPS://example.com/a/../b')).toBe('/b');
    expect(ok('http://example.com')).toBe('/');
    expect(ok('http://example.com?q')).toBe('/?q');
  });

  it.each(['api/users', '*', '', 'example.com:443', '?q', '.', '../x', 'http:/x'])(
    'refuses a target that is neither a path nor absolute: %j',
    (target) => {
      expect(refused(target)).toMatch(/must be a path starting with \//);
    },
  );
});

describe('normalizeTarget: refusals', () => {
  it.each(['http://user:pw@host/path', 'HTTPS://user@example.com/a/../b', 'http://@h/', 'http://u:p@h', 'http://u@h?q'])(
    'userinfo in an absolute-form target: %s',
    (target) => {
      expect(refused(target)).toMatch(/user information/);
    },
  );

  it.each([
    '/..',
    '/../etc/passwd',
    '/api/../../x',
    '/a/b/../../..',
    '/%2e%2e/x',
    '/%2E%2E/x',
    '/.%2e/x',
    '/%2e./x',
    'http://h/../x',
    'http://h:80/%2e%2e',
  ])('a dot segment climbing above the root: %s', (target) => {
    expect(refused(target)).toMatch(/climbs above the root/);
  });

  it.each(['/a%2Fb', '/a%2fb', '/a%5Cb', '/a%5cb', '/%2F', '/a/..%2f', '/a/%2e%2e%2fetc'])(
    'an encoded slash or backslash: %s',
    (target) => {
      expect(refused(target)).toMatch(/encoded slash or backslash/);
    },
  );

  it('keeps encoded slashes and backslashes as sent with escapedSlashes: keep', () => {
    expect(ok('/api/a%2Fb%5cc%2f', keep)).toBe('/api/a%2Fb%5cc%2f');
    // Kept verbatim means no dot segment either: `..%2f` is one opaque segment.
    expect(ok('/a/..%2fb', keep)).toBe('/a/..%2fb');
  });

  it.each([
    ['/a\\b', /backslash/],
    ['/a\\..\\..\\x', /backslash/],
    ['/a\u0000b', /NUL or control/],
    ['/a\u0001b', /NUL or control/],
    ['/a\u001fb', /NUL or control/],
    ['/a\u007fb', /NUL or control/],
    ['/a b', /NUL or control/],
    ['/a\tb', /NUL or control/],
  ])('a raw backslash, NUL, control byte or space: %j', (target, reason) => {
    expect(refused(target)).toMatch(reason);
  });

  it.each(['/a%00', '/a%00b', '/a%0a', '/a%0A', '/a%0d', '/a%09', '/a%1F', '/a%7f', '/a%7F'])(
    'an encoded NUL or control byte: %s',
    (target) => {
      expect(refused(target)).toMatch(/encoded NUL or control/);
    },
  );

  it.each(['/a%zz', '/a%2', '/a%', '/a%%41', '/a%g0', '/a%0g', '/%2%46'])('a malformed escape: %s', (target) => {
    expect(refused(target)).toMatch(/malformed percent-escape/);
  });

  it.each(['/a#b', '/a#', '/#', '/a?b#c', 'http://h#x', 'http://h/p#x'])('a fragment: %s', (target) => {
    expect(refused(target)).toMatch(/fragment/);
  });

  it.each(['/%252e%252e/x', '/%252E%252E/x', '/%252e./x', '/.%252e/x', '/a/%252e'])(
    'a segment that becomes a dot segment after a second decoding: %s',
    (target) => {
      expect(refused(target)).toMatch(/double-encoded/);
    },
  );

  it.each(['/a%252Fb', '/a%252fb', '/a%255Cb', '/a%2500', '/a%250a', '/a%257F'])(
    'a double-encoded separator, NUL or control byte: %s',
    (target) => {
      expect(refused(target)).toMatch(/double-encoded/);
      expect(refused(target, keep)).toMatch(/double-encoded/);
    },
  );

  it.each([
    // `%25` followed by escapes of hex digits: decoding the unreserved digits must not assemble a
    // double-encoded separator that the raw text did not show (`%25%32%46` -> `%252F`).
    '/a%25%32%46b',
    '/a%25%32%66b',
    '/a%25%35%43b',
    '/a%25%30%30',
    '/a%25%32F',
    '/a%252%46',
    '/%25%32%65%25%32%65/x',
  ])('a double-encoded hazard assembled from encoded hex digits: %s', (target) => {
    expect(refused(target)).toMatch(/double-encoded/);
  });
});
