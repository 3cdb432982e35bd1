import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatConfigErrors } from '../src/config/format.js';
import { parseConfig } from '../src/config/load.js';
import type { ConfigError, LoadResult } from '../src/config/types.js';

const fixture = (name: string): string => readFileSync(fileURLToPath(new URL(`./fixtures/config/${name}`, import.meta.url)), 'utf8');

function errorsOf(r: LoadResult): readonly ConfigError[] {
  if (r.ok) throw new Error('expected the config to be rejected');
  return r.errors;
}

describe('a file with many mistakes', () => {
  const result = parseConfig(fixture('many-errors.yaml'), 'routes.yaml', {});

  it('reports every one of them at once, located by line, column and YAML path', () => {
    const located = errorsOf(result).map(({ line, column, path, message }) => ({ line, column, path, message }));
    expect(located).toEqual([
      { line: 3, column: 9, path: 'server.port', message: 'must be an integer between 0 and 65535 (got 70000)' },
      {
        line: 4,
        column: 19,
        path: 'server.escapedSlashes',
        message: "must be one of reject, keep (got 'rejected'; did you mean 'reject'?)",
      },
      {
        line: 9,
        column: 10,
        path: 'upstreams.users.url',
        message: "an upstream URL has no path; use prefixRewrite on the route (got path '/v1')",
      },
      {
        line: 10,
        column: 3,
        path: 'upstreams.Users_2',
        message: "the name must be lowercase letters, digits and '-' only (got 'Users_2')",
      },
      {
        line: 13,
        column: 10,
        path: 'upstreams.orders.url',
        message: 'environment variable ORDERS_URL is not set and has no default',
      },
      {
        line: 15,
        column: 13,
        path: 'routes[0].prefix',
        message: "must not end with '/' (write /api): prefixes match whole segments",
      },
      {
        line: 18,
        column: 15,
        path: 'routes[1].upstream',
        message: "unknown upstream 'order' (did you mean 'orders'? known upstreams: legacy, users, Users_2, orders)",
      },
      { line: 19, column: 5, path: 'routes[1].retires', message: "unknown key 'retires' (did you mean 'retry'?)" },
      { line: 23, column: 17, path: 'routes[2].retry.attempts', message: 'must be an integer between 1 and 10 (got 0)' },
      {
        line: 24,
        column: 19,
        path: 'routes[2].retry.on[1]',
        message: 'must be one of connect-error, reset, timeout or an integer between 500 and 599 (got 404)',
      },
      { line: 25, column: 5, path: 'routes[3]', message: "missing required key 'prefix'" },
      {
        line: 26,
        column: 15,
        path: 'routes[3].methods[0]',
        message: "must be an HTTP method in uppercase letters, like GET (got 'get')",
      },
      { line: 27, column: 5, path: 'routes[4]', message: 'duplicates routes[2] (prefix /api/users, all methods)' },
    ]);
  });

  it('names the file in every error', () => {
    expect(new Set(errorsOf(result).map((e) => e.file))).toEqual(new Set(['routes.yaml']));
  });

  it('formats them one per line, sorted by line then column', () => {
    const lines = formatConfigErrors([...errorsOf(result)].reverse()).split('\n');
    expect(lines).toHaveLength(13);
    expect(lines[0]).toBe('routes.yaml:3:9 server.port: must be an integer between 0 and 65535 (got 70000)');
    expect(lines[8]).toBe('routes.yaml:23:17 routes[2].retry.attempts: must be an integer between 1 and 10 (got 0)');
    expect(lines[12]).toBe('routes.yaml:27:5 routes[4]: duplicates routes[2] (prefix /api/users, all methods)');
  });
});

describe('YAML problems are config errors with positions', () => {
  it('reports bad indentation at the offending line, with nothing else', () => {
    const errors = errorsOf(parseConfig(fixture('bad-indentation.yaml'), 'r.yaml', {}));
    expect(errors).toEqual([
      { file: 'r.yaml', line: 4, column: 1, path: '', message: 'YAML syntax: all mapping items must start at the same column' },
    ]);
  });

  it('reports duplicate keys at the second occurrence and still validates the rest', () => {
    const errors = errorsOf(parseConfig(fixture('duplicate-keys.yaml'), 'r.yaml', {}));
    expect(errors.map(({ line, column, path, message }) => ({ line, column, path, message }))).toEqual([
      { line: 4, column: 5, path: 'upstreams.legacy.url', message: "duplicate key 'url' (first defined at line 3)" },
      { line: 8, column: 5, path: 'routes[0].prefix', message: "duplicate key 'prefix' (first defined at line 6)" },
      { line: 9, column: 16, path: 'routes[0].timeoutMs', message: 'must be an integer >= 1 (got 0)' },
    ]);
  });

  it('names a duplicate key in full when a syntax error elsewhere stops the walk', () => {
    const text = 'upstreams:\n  legacy:\n    url: http://a\n  legacy:\n    url: http://b\n  "users":\n    url: http://c\n  "users":\n    url: http://d\nroutes: [\n';
    const errors = errorsOf(parseConfig(text, 'r.yaml', {}));
    expect(errors.filter((e) => e.message.startsWith('duplicate')).map(({ line, column, message }) => ({ line, column, message }))).toEqual([
      { line: 4, column: 3, message: "duplicate key 'legacy'" },
      { line: 8, column: 3, message: "duplicate key 'users'" },
    ]);
    expect(errors.some((e) => e.message.startsWith('YAML syntax'))).toBe(true);
  });

  it('rejects an empty file', () => {
    for (const text of ['', '\n', '# only a comment\n']) {
      expect(errorsOf(parseConfig(text, 'r.yaml', {}))).toEqual([
        { file: 'r.yaml', line: 1, column: 1, path: '', message: 'the file is empty: expected a mapping with upstreams and routes' },
      ]);
    }
  });

  it('rejects a top level that is not a mapping', () => {
    expect(errorsOf(parseConfig('# routes\n- prefix: /\n', 'r.yaml', {}))).toEqual([
      {
        file: 'r.yaml',
        line: 2,
        column: 1,
        path: '',
        message: 'the top level must be a mapping with upstreams and routes (got a list)',
      },
    ]);
    expect(errorsOf(parseConfig('just text\n', 'r.yaml', {}))[0]?.message).toBe(
      'the top level must be a mapping with upstreams and routes (got a scalar)',
    );
  });

  it('rejects a second document', () => {
    const text = 'upstreams: {a: {url: "http://a"}}\nroutes: [{prefix: /, upstream: a}]\n---\nfoo: 1\n';
    expect(errorsOf(parseConfig(text, 'r.yaml', {}))).toEqual([
      { file: 'r.yaml', line: 3, column: 1, path: '', message: "the file must hold a single YAML document (remove the second '---')" },
    ]);
  });

  it('rejects unknown aliases, alias cycles and unknown tags where they are', () => {
    const text = [
      'upstreams:',
      '  a: &a',
      '    url: !secret http://a',
      '    connections: *a',
      'routes:',
      '  - prefix: /',
      '    upstream: *nope',
    ].join('\n');
    const errors = errorsOf(parseConfig(text, 'r.yaml', {}));
    expect(errors.map(({ line, column, path, message }) => ({ line, column, path, message }))).toEqual([
      { line: 3, column: 10, path: '', message: 'unsupported tag: !secret' },
      { line: 4, column: 18, path: 'upstreams.a.connections', message: 'this alias refers to a node that contains it' },
      { line: 7, column: 15, path: 'routes[0].upstream', message: "unknown alias '*nope'" },
    ]);
  });

  it('stops an alias bomb instead of expanding it', () => {
    const lines = ['a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]'];
    for (let i = 1; i < 7; i++) {
      const prev = String.fromCharCode(96 + i);
      lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${prev}`).join(', ')}]`);
    }
    const errors = errorsOf(parseConfig(lines.join('\n') + '\n', 'r.yaml', {}));
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toBe('too many nodes (over 100000) after following aliases');
  });
});

describe('missing required keys', () => {
  it('are reported on the mapping that lacks them: the root at 1:1, a nested mapping at its key', () => {
    const text = ['server:', '  port: 8080', 'routes:', '  - prefix: /', '    upstream: a', '    canary:', '      upstream: b', '      halt: { minRequests: 5 }'].join('\n');
    const errors = errorsOf(parseConfig(text, 'r.yaml', {}));
    expect(errors.map(({ line, column, path, message }) => ({ line, column, path, message }))).toEqual([
      { line: 1, column: 1, path: '', message: "missing required key 'upstreams'" },
      { line: 6, column: 5, path: 'routes[0].canary', message: "missing required key 'percent'" },
      { line: 8, column: 7, path: 'routes[0].canary.halt', message: "missing required key 'maxErrorRate'" },
      { line: 8, column: 7, path: 'routes[0].canary.halt', message: "missing required key 'windowMs'" },
    ]);
  });
});
