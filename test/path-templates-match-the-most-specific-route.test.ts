// Path templates as pure functions: the segment matcher, the rewrite that fills `{name}`s, and
// the order `strangler check` prints. Through a real proxy: path-templates-through-the-proxy.
import { describe, expect, it } from 'vitest';
import { PrefixMatcher } from '../src/routing/match.js';
import { compileRewrite } from '../src/routing/rewrite.js';
import { bySpecificity, SegmentMatcher } from '../src/routing/segment-matcher.js';
import { templateProblem, templateShape } from '../src/config/template-syntax.js';

interface R {
  readonly prefix: string;
  readonly methods: ReadonlySet<string> | null;
  readonly name: string;
}
const route = (prefix: string, name = prefix, methods: string[] | null = null): R => ({ prefix, name, methods: methods && new Set(methods) });
const matcher = (...routes: R[]) => {
  const m = new SegmentMatcher(routes);
  return (path: string, method = 'GET') => m.match(method, path)?.name;
};

describe('a template segment', () => {
  const m = matcher(route('/users/{id}/details'));

  it('matches exactly one non-empty segment, then the rest on segment boundaries', () => {
    expect(m('/users/7/details')).toBe('/users/{id}/details');
    expect(m('/users/7/details/')).toBe('/users/{id}/details');
    expect(m('/users/7/details/x/y')).toBe('/users/{id}/details');
    expect(m('/users/abc-%20/details')).toBe('/users/{id}/details');
  });

  it('never matches fewer segments, an empty segment, two segments, or part of one', () => {
    expect(m('/users/7')).toBeUndefined();
    expect(m('/users/7/')).toBeUndefined();
    expect(m('/users//details')).toBeUndefined();
    expect(m('/users/7/8/details')).toBeUndefined();
    expect(m('/users/7/detailsx')).toBeUndefined();
    expect(m('/users/7/Details')).toBeUndefined();
    expect(m('/')).toBeUndefined();
  });
});

describe('the most specific route wins, whatever the order in the file', () => {
  const routes = [
    route('/'),
    route('/api/users'),
    route('/api/users/{id}'),
    route('/api/users/me'),
    route('/api/users/{id}/details'),
    route('/api/{anything}/details'),
    route('/api/users/me/details'),
    route('/{a}/{b}/{c}/{d}'),
  ];
  const forwards = matcher(...routes);
  const backwards = matcher(...[...routes].reverse());

  it.each([
    ['/api/users', '/api/users'],
    ['/api/usersx', '/'],
    ['/api/users/7', '/api/users/{id}'],
    ['/api/users/me', '/api/users/me'],
    ['/api/users/me/', '/api/users/me'], // {d} takes no empty segment
    ['/api/users/7/details', '/api/users/{id}/details'],
    ['/api/users/me/details', '/api/users/me/details'],
    ['/api/orders/details', '/api/{anything}/details'],
    ['/api/orders/7', '/'],
    ['/x/y/z/w', '/{a}/{b}/{c}/{d}'],
    // More segments first: four template segments beat three literal ones.
    ['/api/users/me/x', '/{a}/{b}/{c}/{d}'],
    // Four each: the literal 'api' beats {a} at the first segment.
    ['/api/users/7/details/more', '/api/users/{id}/details'],
  ])('%s -> %s', (path, expected) => {
    expect(forwards(path)).toBe(expected);
    expect(backwards(path)).toBe(expected);
  });

  it('at equal segment count, a literal at the first differing segment beats {name}', () => {
    const m = matcher(route('/{a}/x/{b}', 'late literal'), route('/v/{a}/{b}', 'early literal'));
    expect(m('/v/x/1')).toBe('early literal');
    expect(matcher(route('/v/{a}/{b}', 'early literal'), route('/{a}/x/{b}', 'late literal'))('/v/x/1')).toBe('early literal');
    expect(m('/w/x/1')).toBe('late literal');
  });

  it('backtracks to a {name} branch when the literal branch has no route deep enough', () => {
    const m = matcher(route('/a/b'), route('/a/{x}/c/d'));
    expect(m('/a/b/c/d')).toBe('/a/{x}/c/d');
    expect(m('/a/b/c')).toBe('/a/b');
  });
});

describe('methods on templates', () => {
  it('prefers the route that lists the method among one template, then falls back to a less specific prefix', () => {
    const m = matcher(route('/u/{id}', 'any'), route('/u/{key}', 'writes', ['POST']), route('/u/{id}/x', 'x-get', ['GET']), route('/', 'root'));
    expect(m('/u/1', 'POST')).toBe('writes');
    expect(m('/u/1', 'GET')).toBe('any');
    expect(m('/u/1/x', 'GET')).toBe('x-get');
    expect(m('/u/1/x', 'DELETE')).toBe('any');
  });
});

describe('a literal-only table', () => {
  it('matches in the segment matcher exactly as the longest-prefix matcher does', () => {
    const routes = [route('/'), route('/api'), route('/api/users'), route('/api', 'writes', ['POST']), route('/a//b')];
    const literal = new PrefixMatcher(routes);
    const segments = new SegmentMatcher(routes);
    for (const path of ['/', '/api', '/api/', '/apiary', '/api/users/7', '/api/usersx', '/a//b/c', '/a/b', '/x'])
      for (const method of ['GET', 'POST']) expect(segments.match(method, path)?.name, `${method} ${path}`).toBe(literal.match(method, path)?.name);
  });
});

describe('prefixRewrite with names', () => {
  it('fills each {name} with the segment it matched and keeps the rest of the path', () => {
    const rw = compileRewrite('/users/{id}/details', '/v2/user-details/{id}');
    expect(rw('/users/7/details')).toBe('/v2/user-details/7');
    expect(rw('/users/7/details/')).toBe('/v2/user-details/7/');
    expect(rw('/users/7/details/a/b')).toBe('/v2/user-details/7/a/b');
  });

  it('puts names in any order, more than once, inside a segment, or not at all', () => {
    expect(compileRewrite('/o/{org}/r/{repo}', '/repos/{repo}-of-{org}/{org}')('/o/acme/r/web/issues')).toBe('/repos/web-of-acme/acme/issues');
    expect(compileRewrite('/o/{org}', '/all')('/o/acme/x')).toBe('/all/x');
    expect(compileRewrite('/o/{org}', '/')('/o/acme/x')).toBe('/x');
    expect(compileRewrite('/o/{org}', '/')('/o/acme')).toBe('/');
  });

  it('forwards the path unchanged without a prefixRewrite, and rewrites a literal prefix as before', () => {
    expect(compileRewrite('/users/{id}', null)('/users/7/x')).toBe('/users/7/x');
    expect(compileRewrite('/api/users', '/users')('/api/users/7')).toBe('/users/7');
    expect(compileRewrite('/', '/v1')('/a')).toBe('/v1/a');
  });

  it('refuses to compile a name the prefix does not define', () => {
    expect(() => compileRewrite('/users/{id}', '/x/{user}')).toThrow(/\{user\}/);
  });
});

describe('template syntax', () => {
  it('accepts whole-segment names and literal prefixes', () => {
    for (const ok of ['/', '/api', '/users/{id}', '/{a}/{_b2}/c', '/a-b/{A_z}']) expect(templateProblem(ok), ok).toBeUndefined();
  });

  it('names the problem and the template syntax for any other {, } or *', () => {
    const cases: [string, RegExp][] = [
      ['/users/*/details', /'\*'/],
      ['/files/x{name}', /part of the segment 'x\{name\}'/],
      ['/files/{name}.json', /part of the segment/],
      ['/a/{}', /empty template name/],
      ['/a/{1x}', /invalid template name '1x'/],
      ['/a/{b-c}', /invalid template name 'b-c'/],
      ['/a/{b', /unbalanced/],
      ['/a/b}', /unbalanced/],
      ['/a/{{b}}', /part of the segment|unbalanced/],
      ['/a/{id}/b/{id}', /'id' twice/],
    ];
    for (const [prefix, what] of cases) {
      const problem = templateProblem(prefix);
      expect(problem, prefix).toMatch(what);
      expect(problem).toContain('a template segment is {name}, a whole segment, name [a-zA-Z_][a-zA-Z0-9_]*');
    }
  });

  it('makes templates that differ only in names one shape', () => {
    expect(templateShape('/u/{a}/x')).toBe(templateShape('/u/{b}/x'));
    expect(templateShape('/u/{a}')).not.toBe(templateShape('/u/a'));
  });
});

describe('the order strangler check prints', () => {
  it('is most specific first', () => {
    const sorted = ['/', '/api/{x}/details', '/api/users/{id}', '/api', '/api/users/me', '/api/users/{id}/details'].sort(bySpecificity);
    expect(sorted).toEqual(['/api/users/{id}/details', '/api/users/me', '/api/users/{id}', '/api/{x}/details', '/api', '/']);
  });
});
