// `strangler check` on path templates: every misuse of `{`, `}` or `*` in a prefix, a name a
// prefixRewrite uses that its prefix does not define, and two routes that are one template up to
// names, each with file:line:column and the YAML path; and a valid file's table shows templates.
import { describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { writeConfig } from './helpers/servers.js';

const SYNTAX = 'a template segment is {name}, a whole segment, name [a-zA-Z_][a-zA-Z0-9_]*';
const head = 'upstreams:\n  legacy: { url: http://127.0.0.1:8000 }\n  users: { url: http://127.0.0.1:8001 }\nroutes:\n';

/** The error lines of `check` on the routes (YAML under `routes:`, starting at line 5). */
async function errors(routes: string): Promise<{ code: number; lines: string[]; file: string }> {
  const file = await writeConfig(head + routes);
  const r = await cli(['check', file]);
  expect(r.out).toBe('');
  const located = r.err.split('\n').filter((l) => l.startsWith(file) && /^:\d+:\d+ /.test(l.slice(file.length)));
  return { code: r.code, file, lines: located.map((l) => l.slice(file.length)) };
}

describe('strangler check on path templates', () => {
  it('reports every bad template segment at its prefix, naming the template syntax', async () => {
    const r = await errors(`  - prefix: /users/*/details
    upstream: users
  - prefix: /files/x{name}
    upstream: users
  - prefix: /a/{}
    upstream: users
  - prefix: /b/{1x}
    upstream: users
  - prefix: /c/{id}/d/{id}
    upstream: users
  - prefix: /e/{id
    upstream: users
`);
    expect(r.code).toBe(1);
    const expected: [string, RegExp][] = [
      [':5:13 routes[0].prefix: ', /'\*' in segment '\*'/],
      [':7:13 routes[1].prefix: ', /a template in part of the segment 'x\{name\}'/],
      [':9:13 routes[2].prefix: ', /an empty template name in '\{\}'/],
      [':11:13 routes[3].prefix: ', /an invalid template name '1x'/],
      [':13:13 routes[4].prefix: ', /the name 'id' twice/],
      [':15:13 routes[5].prefix: ', /unbalanced/],
    ];
    expect(r.lines).toHaveLength(expected.length);
    expected.forEach(([at, what], i) => {
      expect(r.lines[i]!.startsWith(at), `${r.lines[i]} starts with ${at}`).toBe(true);
      expect(r.lines[i]).toMatch(what);
      expect(r.lines[i]).toContain(SYNTAX);
    });
  });

  it('reports a name in prefixRewrite or the shadow\'s prefixRewrite that the prefix does not define', async () => {
    const r = await errors(`  - prefix: /users/{id}/details
    upstream: users
    prefixRewrite: /v2/{user}/details
    shadow: { upstream: legacy, prefixRewrite: "/s/{id}/{name}" }
  - prefix: /orders
    upstream: users
    prefixRewrite: /o/{id}
  - prefix: /items/{sku}
    upstream: users
    prefixRewrite: /i/{sku
`);
    expect(r.code).toBe(1);
    expect(r.lines).toEqual([
      ':7:20 routes[0].prefixRewrite: uses {user}, which the prefix /users/{id}/details does not define (it defines {id})',
      ':8:48 routes[0].shadow.prefixRewrite: uses {name}, which the prefix /users/{id}/details does not define (it defines {id})',
      ':11:20 routes[1].prefixRewrite: uses {id}, which the prefix /orders does not define (it defines no names)',
      expect.stringMatching(/^:14:20 routes\[2\]\.prefixRewrite: has an unbalanced '\{' or '\}' \(got '\/i\/\{sku'\): a prefixRewrite may use the prefix's names as \{name\}/),
    ]);
  });

  it('reports two prefixes that are one template up to names as a duplicate', async () => {
    const r = await errors(`  - prefix: /u/{a}/x
    upstream: users
  - prefix: /u/{b}/x
    upstream: legacy
  - prefix: /u/{a}/x
    upstream: legacy
    methods: [GET]
  - prefix: /u/{c}/x
    upstream: legacy
    methods: [POST, GET]
`);
    expect(r.code).toBe(1);
    expect(r.lines).toEqual([
      ':7:5 routes[1]: duplicates routes[0] (prefix /u/{b}/x, the same template as /u/{a}/x, all methods)',
      ':12:5 routes[3]: duplicates routes[2] (prefix /u/{c}/x, the same template as /u/{a}/x, methods GET)',
    ]);
  });

  it('accepts templates (plain in block style, quoted in a YAML flow map) and prints them as written, most specific first', async () => {
    const file = await writeConfig(head + `  - { prefix: /, upstream: legacy }
  - { prefix: /api/users, upstream: users, prefixRewrite: /users }
  - prefix: /api/users/{id}/details
    upstream: legacy
  - { prefix: "/api/users/{id}", upstream: users, prefixRewrite: "/v2/users/{id}" }
  - { prefix: /api/users/me, upstream: users }
  - { prefix: "/api/{section}/details", upstream: users }
`);
    const r = await cli(['check', file]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const prefixes = r.out.split('\n').filter((l) => /^\s+\/\S*\s/.test(l)).map((l) => l.trim().split(/\s+/));
    expect(prefixes.map((cells) => cells[0])).toEqual(['/api/users/{id}/details', '/api/users/me', '/api/users/{id}', '/api/{section}/details', '/api/users', '/']);
    expect(prefixes[2]![3]).toBe('/v2/users/{id}');
  });
});
