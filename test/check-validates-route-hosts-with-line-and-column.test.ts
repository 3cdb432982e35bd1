import { describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { writeConfig } from './helpers/servers.js';

const head = 'upstreams:\n  a: { url: http://127.0.0.1:8000 }\n  b: { url: http://127.0.0.1:8001 }\nroutes:\n';

describe('strangler check: route hosts', () => {
  it('reports every malformed host at its line and column, saying what a host must be', async () => {
    const bad = [
      'api.example.com:8080',
      'https://api.example.com',
      'api.example.com/users',
      'a.*.example.com',
      '*.*.example.com',
      '-api.example.com',
      'api_x.example.com',
      '[::1]',
      'api.example.com.',
      '999.1.1.1',
      '*.1.2.3',
      '',
    ];
    // Line 5 is the first route; each `host:` value starts at column 13.
    const file = await writeConfig(head + bad.map((h, i) => `  - { host: ${JSON.stringify(h)}, prefix: /r${i}, upstream: a }\n`).join(''));
    const r = await cli(['check', file]);
    expect(r.code).toBe(1);
    const at = (i: number, what: RegExp) => expect(r.err).toMatch(new RegExp(`${file}:${5 + i}:13 routes\\[${i}\\]\\.host: .*${what.source}`));
    at(0, /must not contain a port/);
    at(1, /not a URL/);
    at(2, /without a path/);
    at(3, /a wildcard is '\*\.' followed by a DNS name/);
    at(4, /a wildcard is '\*\.' followed by a DNS name/);
    at(5, /must be a DNS name like api\.example\.com/);
    at(6, /must be a DNS name like api\.example\.com/);
    at(7, /IPv6 literals are not supported/);
    at(8, /must not end with '\.'/);
    at(9, /IPv4 address/);
    at(10, /a wildcard needs a DNS name/);
    at(11, /DNS name/);
    expect(r.err).toContain(`${bad.length} error(s)`);
  });

  it('accepts DNS names, one-label wildcards and IPv4 addresses in any case', async () => {
    const file = await writeConfig(
      head +
        '  - { host: API.Example.com, prefix: /, upstream: a }\n' +
        '  - { host: "*.example.com", prefix: /, upstream: a }\n' +
        '  - { host: localhost, prefix: /, upstream: a }\n' +
        '  - { host: 192.0.2.10, prefix: /, upstream: a }\n' +
        '  - { prefix: /, upstream: b }\n',
    );
    const r = await cli(['check', file]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });

  it('a duplicate is the same host (any case), prefix and methods; the same prefix on another host is not one', async () => {
    const file = await writeConfig(
      head +
        '  - { host: api.example.com, prefix: /users, upstream: a }\n' +
        '  - { host: other.example.com, prefix: /users, upstream: a }\n' +
        '  - { prefix: /users, upstream: b }\n' +
        '  - { host: "*.example.com", prefix: /users, upstream: b }\n' +
        '  - { host: API.example.com, prefix: /users, upstream: b }\n',
    );
    const r = await cli(['check', file]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`${file}:9:5 routes\\[4\\]: duplicates routes\\[0\\] \\(host api\\.example\\.com, prefix /users, all methods\\)`));
    expect(r.err).toContain('1 error(s)');
  });

  it('prints a HOST column, exact hosts first, then wildcards, then routes of any host', async () => {
    const file = await writeConfig(
      head +
        '  - { prefix: /users/admin, upstream: b }\n' +
        '  - { host: "*.example.com", prefix: /users, upstream: b }\n' +
        '  - { host: Api.Example.com, prefix: /users, upstream: a }\n',
    );
    const r = await cli(['check', file]);
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    const header = lines.findIndex((l) => /^\s+HOST\s+PREFIX\s+METHODS/.test(l));
    expect(header).toBeGreaterThan(-1);
    expect(lines[header + 1]).toMatch(/^\s+api\.example\.com\s+\/users\s+any\s+a\s/);
    expect(lines[header + 2]).toMatch(/^\s+\*\.example\.com\s+\/users\s+any\s+b\s/);
    expect(lines[header + 3]).toMatch(/^\s+any\s+\/users\/admin\s+any\s+b\s/);
    // A file without host routes keeps its table as it was: no HOST column.
    const plain = await cli(['check', await writeConfig(head + '  - { prefix: /, upstream: a }\n')]);
    expect(plain.out).toMatch(/^\s+PREFIX\s+METHODS/m);
    expect(plain.out).not.toContain('HOST');
  });

  it('shows the host in check --json', async () => {
    const file = await writeConfig(head + '  - { host: "*.Example.com", prefix: /, upstream: a }\n  - { prefix: /, upstream: b }\n');
    const r = await cli(['check', file, '--json']);
    const routes = (JSON.parse(r.out) as { routes: object[] }).routes;
    expect(routes[0]).toMatchObject({ host: '*.example.com', prefix: '/', upstream: 'a' });
    expect(routes[1]).not.toHaveProperty('host');
  });
});
